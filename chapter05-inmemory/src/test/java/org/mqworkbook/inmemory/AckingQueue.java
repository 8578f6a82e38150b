package org.mqworkbook.inmemory;

import java.util.Optional;

/**
 * What the acknowledgement scenarios need of a queue, so that the same scenario runs against the
 * learner's {@link MessageQueue} and against the failure museum's broken ones.
 */
public interface AckingQueue {
    long publish(byte[] body) throws InterruptedException;

    Optional<Delivery> poll(String consumer);

    boolean ack(String consumer, long tag);

    int expireDeliveries();

    int consumerGone(String consumer);

    /** The learner's queue behind this interface. */
    static AckingQueue of(MessageQueue queue) {
        return new AckingQueue() {
            @Override
            public long publish(byte[] body) throws InterruptedException {
                return queue.publish(body);
            }

            @Override
            public Optional<Delivery> poll(String consumer) {
                return queue.poll(consumer);
            }

            @Override
            public boolean ack(String consumer, long tag) {
                return queue.ack(consumer, tag);
            }

            @Override
            public int expireDeliveries() {
                return queue.expireDeliveries();
            }

            @Override
            public int consumerGone(String consumer) {
                return queue.consumerGone(consumer);
            }
        };
    }
}

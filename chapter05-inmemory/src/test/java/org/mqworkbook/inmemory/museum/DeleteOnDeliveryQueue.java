package org.mqworkbook.inmemory.museum;

import java.util.ArrayDeque;
import java.util.Optional;
import org.mqworkbook.inmemory.AckingQueue;
import org.mqworkbook.inmemory.Delivery;

/**
 * Exhibit 2: a queue that removes a message when it delivers it, instead of when the consumer
 * acknowledges it. Acks are accepted and ignored.
 *
 * <p>What goes wrong: a consumer that crashes, or stalls, after receiving a message and before
 * processing it takes the message with it. Nothing is left to redeliver: the message is lost although
 * the broker had accepted it. This is at-most-once delivery presented as if it were at-least-once — the
 * mistake behind many "the queue lost my order" incidents, and the reason RabbitMQ, SQS and every
 * serious broker keep a delivered message until it is acknowledged.
 *
 * <p>Methods are synchronized: the flaw is in the design, not in the locking.
 */
public final class DeleteOnDeliveryQueue implements AckingQueue {
    private final ArrayDeque<byte[]> ready = new ArrayDeque<>();
    private long nextId;
    private long nextTag = 1;
    private long delivered;

    @Override
    public synchronized long publish(byte[] body) {
        ready.addLast(body.clone());
        return nextId++;
    }

    @Override
    public synchronized Optional<Delivery> poll(String consumer) {
        byte[] body = ready.pollFirst();
        if (body == null) {
            return Optional.empty();
        }
        return Optional.of(new Delivery("museum", nextTag++, delivered++, body, 1));
    }

    @Override
    public synchronized boolean ack(String consumer, long tag) {
        return true; // nothing to do: the message was already removed on delivery
    }

    @Override
    public synchronized int expireDeliveries() {
        return 0; // nothing is in flight, so nothing can ever be redelivered
    }

    @Override
    public synchronized int consumerGone(String consumer) {
        return 0;
    }
}

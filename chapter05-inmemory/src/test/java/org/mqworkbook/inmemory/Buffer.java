package org.mqworkbook.inmemory;

import java.util.concurrent.TimeUnit;

/**
 * What the producer/consumer scenarios need of a bounded queue, so that the same scenario runs against
 * the learner's {@link BoundedBlockingQueue} and against the failure museum's broken queues.
 */
public interface Buffer<E> {
    void put(E element) throws InterruptedException;

    E poll(long timeout, TimeUnit unit) throws InterruptedException;

    /** The learner's queue behind this interface. */
    static <E> Buffer<E> of(BoundedBlockingQueue<E> queue) {
        return new Buffer<>() {
            @Override
            public void put(E element) throws InterruptedException {
                queue.put(element);
            }

            @Override
            public E poll(long timeout, TimeUnit unit) throws InterruptedException {
                return queue.poll(timeout, unit);
            }
        };
    }
}

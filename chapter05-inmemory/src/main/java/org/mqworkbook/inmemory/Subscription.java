package org.mqworkbook.inmemory;

import java.util.function.Consumer;

/**
 * A push consumer on one queue (RabbitMQ's {@code basic.consume}): the queue calls {@link #handler}
 * with each delivery, keeping at most {@link #prefetch()} deliveries unacknowledged at a time
 * (RabbitMQ's {@code basic.qos} prefetch count).
 *
 * <p>The counters are guarded by the owning queue's lock; only {@link MessageQueue} touches them.
 * {@link #cancel()} may be called from any thread.
 */
public final class Subscription {
    private final MessageQueue queue;
    private final String consumer;
    private final int prefetch;
    private final Consumer<Delivery> handler;

    /** Deliveries made to this subscription and not yet settled. Guarded by the queue's lock. */
    int unacked;
    /** Set once the subscription is cancelled; the queue skips it from then on. Guarded by the queue's lock. */
    boolean cancelled;

    Subscription(MessageQueue queue, String consumer, int prefetch, Consumer<Delivery> handler) {
        this.queue = queue;
        this.consumer = consumer;
        this.prefetch = prefetch;
        this.handler = handler;
    }

    public String consumer() {
        return consumer;
    }

    public int prefetch() {
        return prefetch;
    }

    Consumer<Delivery> handler() {
        return handler;
    }

    /** Whether the queue may push one more delivery to this subscription. Call with the queue's lock held. */
    boolean hasCredit() {
        return !cancelled && unacked < prefetch;
    }

    /**
     * Stops deliveries to this subscription. Deliveries already made stay in flight until they are
     * acknowledged, rejected or expire.
     */
    public void cancel() {
        queue.cancel(this);
    }

    @Override
    public String toString() {
        return "Subscription[" + queue.name() + ", consumer=" + consumer + ", prefetch=" + prefetch + "]";
    }
}

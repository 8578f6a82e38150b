package org.mqworkbook.dispatch.load;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The harness's correctness check: which messages were acknowledged, which were delivered and how often,
 * and whether each key's records arrived in the order they were produced. Thread safe: producers'
 * callbacks and every consumer thread write to it.
 *
 * <p>A delivery is a <em>duplicate</em> if its message was delivered before (at least once allows it:
 * after a rebalance the new owner re-reads from the last commit). A first delivery is an <em>order
 * violation</em> if a later record of the same key was delivered first. Both checks for one key run under
 * one lock (striped by key), so two members reading the same partition during a rebalance cannot make a
 * false alarm.
 */
final class DeliveryLedger {
    private static final int STRIPES = 64;

    private final int messages;
    private final AtomicIntegerArray acknowledged;
    private final AtomicIntegerArray deliveries;
    /** Per key, the highest sequence delivered so far; guarded by the key's stripe. */
    private final long[] highestSequence;
    private final Object[] stripes = new Object[STRIPES];
    private final AtomicInteger distinct = new AtomicInteger();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder orderViolations = new LongAdder();
    private final LongAdder foreign = new LongAdder();
    private final CountDownLatch complete = new CountDownLatch(1);
    private volatile long completedAtNanos;

    DeliveryLedger(int messages, int keys) {
        this.messages = messages;
        this.acknowledged = new AtomicIntegerArray(messages);
        this.deliveries = new AtomicIntegerArray(messages);
        this.highestSequence = new long[keys];
        Arrays.fill(highestSequence, -1);
        Arrays.setAll(stripes, i -> new Object());
        if (messages == 0) {
            complete.countDown();
        }
    }

    /** The broker acknowledged message {@code id}: it is on disk. */
    void acknowledged(int id) {
        acknowledged.set(id, 1);
    }

    /** A consumer received the record carrying {@code payload}; {@code nowNanos} is when. */
    void delivered(Payload payload, long nowNanos) {
        if (payload == null || payload.id() < 0 || payload.id() >= messages || payload.key() < 0
            || payload.key() >= highestSequence.length) {
            foreign.increment(); // not one of this phase's records: counted, never trusted
            return;
        }
        synchronized (stripes[payload.key() % STRIPES]) {
            if (deliveries.incrementAndGet(payload.id()) > 1) {
                duplicates.increment();
                return;
            }
            if (payload.sequence() < highestSequence[payload.key()]) {
                orderViolations.increment();
            } else {
                highestSequence[payload.key()] = payload.sequence();
            }
        }
        if (distinct.incrementAndGet() == messages) {
            completedAtNanos = nowNanos;
            complete.countDown();
        }
    }

    /** Waits until every message was delivered at least once; false if the time ran out first. */
    boolean awaitComplete(long timeout, TimeUnit unit) throws InterruptedException {
        return complete.await(timeout, unit);
    }

    /** Whether every message was delivered at least once. */
    boolean isComplete() {
        return complete.getCount() == 0;
    }

    /** When the last message still missing was delivered ({@link System#nanoTime()}); 0 if not yet. */
    long completedAtNanos() {
        return completedAtNanos;
    }

    /** How many messages were delivered at least once. */
    int distinct() {
        return distinct.get();
    }

    /** How many messages the broker acknowledged. */
    int acknowledgedCount() {
        int count = 0;
        for (int id = 0; id < messages; id++) {
            count += acknowledged.get(id);
        }
        return count;
    }

    /** Acknowledged messages never delivered: the broker promised them and they did not arrive. */
    int lost() {
        int lost = 0;
        for (int id = 0; id < messages; id++) {
            if (acknowledged.get(id) == 1 && deliveries.get(id) == 0) {
                lost++;
            }
        }
        return lost;
    }

    /** Deliveries beyond the first of a message. */
    long duplicates() {
        return duplicates.sum();
    }

    /** First deliveries that came after a later record of the same key. */
    long orderViolations() {
        return orderViolations.sum();
    }

    /** Records that did not carry a payload of this phase. */
    long foreign() {
        return foreign.sum();
    }
}

package org.mqworkbook.inmemory;

import java.util.List;

/**
 * Where a queue records its messages so that they outlive the process: the seam between chapter 5's
 * in-memory queue and chapter 6's log. In this chapter every queue uses {@link #IN_MEMORY}, which
 * records nothing; chapter 6 plugs a log-backed journal in without changing the queue's logic.
 *
 * <p>The queue calls it at three moments:
 * <pre>
 *  publish:  lock ─ id = next id ─ append(id, body) ─ ready.add ─ unlock ─ awaitDurable(id) ─ "stored"
 *  ack:      settled(id)   (the message need never be delivered again)
 *  start:    recover()     (the messages accepted and never settled, to deliver again)
 * </pre>
 * {@link #append} runs under the queue's lock, in id order, and should be quick (a write to the page
 * cache, not an fsync); {@link #awaitDurable} runs without it, so that concurrent producers can share one
 * fsync. A message is visible to consumers as soon as it is appended, possibly before it is durable: if
 * the broker then crashes, a consumer may have seen a message whose producer was never told "stored"
 * and will send it again — at-least-once, as promised. (Kafka instead hides records above the high
 * watermark; chapter 8.)
 *
 * <p>Implementations must be thread safe: {@link #settled} and {@link #awaitDurable} are called from
 * many threads.
 */
public interface QueueJournal {

    /** The journal that keeps nothing: chapter 5's queues, which forget everything when they stop. */
    QueueJournal IN_MEMORY = new QueueJournal() {
        @Override
        public Recovered recover() {
            return new Recovered(0, List.of());
        }

        @Override
        public void append(long id, byte[] body) {
        }

        @Override
        public void awaitDurable(long id) {
        }

        @Override
        public void settled(long id) {
        }
    };

    /** A message the journal kept and nobody settled. */
    record StoredMessage(long id, byte[] body) {
    }

    /**
     * What the journal holds when the queue starts.
     *
     * @param nextId    the id the next published message must get (ids are never reused)
     * @param unsettled the messages accepted and never acknowledged, oldest first
     */
    record Recovered(long nextId, List<StoredMessage> unsettled) {
    }

    /** Reads back what was recorded before a restart. Called once, when the queue is created. */
    Recovered recover();

    /**
     * Records a message the queue accepted. Called under the queue's lock, with ids 0, 1, 2, ... in order;
     * throwing refuses the publish (the message is then not added).
     */
    void append(long id, byte[] body);

    /** Returns once the message {@code id} (and every one before it) would survive a crash. */
    void awaitDurable(long id) throws InterruptedException;

    /** The message {@code id} was acknowledged, or rejected without requeue: never deliver it again. */
    void settled(long id);

    /** Creates the journal of each queue a broker declares. */
    @FunctionalInterface
    interface Factory {
        /** Chapter 5's broker: nothing is kept. */
        Factory IN_MEMORY = (queue, config) -> QueueJournal.IN_MEMORY;

        QueueJournal open(String queue, QueueConfig config);
    }
}

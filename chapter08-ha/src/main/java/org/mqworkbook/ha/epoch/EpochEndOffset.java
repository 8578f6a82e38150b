package org.mqworkbook.ha.epoch;

/**
 * The answer to "where does epoch N end in your log?" — Kafka's {@code OffsetsForLeaderEpoch} response for one
 * partition: the largest epoch the leader knows at or below the one asked for, and the offset where it ends
 * (the start of the next epoch, or the log end offset for the latest one). A follower truncates its log to
 * {@code endOffset} if its own copy of that epoch runs further: those records were never the leader's.
 *
 * @param epoch     the epoch the answer is about, or {@link #UNDEFINED_EPOCH}
 * @param endOffset the first offset after that epoch, or {@link #UNDEFINED_OFFSET}
 */
public record EpochEndOffset(int epoch, long endOffset) {
    /** Kafka's {@code UNDEFINED_EPOCH}: no epoch answers the question. */
    public static final int UNDEFINED_EPOCH = -1;
    /** Kafka's {@code UNDEFINED_EPOCH_OFFSET}. */
    public static final long UNDEFINED_OFFSET = -1;
    /** Neither an epoch nor an offset: the leader knows nothing about the epoch asked for. */
    public static final EpochEndOffset UNDEFINED = new EpochEndOffset(UNDEFINED_EPOCH, UNDEFINED_OFFSET);

    /** Whether the answer names an epoch and an end offset. */
    public boolean defined() {
        return epoch != UNDEFINED_EPOCH && endOffset != UNDEFINED_OFFSET;
    }
}

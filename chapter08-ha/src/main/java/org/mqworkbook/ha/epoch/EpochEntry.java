package org.mqworkbook.ha.epoch;

/**
 * One line of a {@link LeaderEpochCache}: the leader of {@code epoch} wrote its first record at
 * {@code startOffset}. Kafka's {@code EpochEntry}.
 *
 * @param epoch       the leader epoch, from 0; every leader change makes a larger one
 * @param startOffset the offset of the first record that leader appended
 */
public record EpochEntry(int epoch, long startOffset) {
    /** Refuses a negative epoch or offset, naming both. */
    public EpochEntry {
        if (epoch < 0 || startOffset < 0) {
            throw new IllegalArgumentException("an epoch entry needs an epoch and a start offset of at least 0, not "
                + "epoch " + epoch + " at offset " + startOffset);
        }
    }

    @Override
    public String toString() {
        return "epoch " + epoch + " from offset " + startOffset;
    }
}

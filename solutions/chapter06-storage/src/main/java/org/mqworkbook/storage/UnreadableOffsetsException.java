package org.mqworkbook.storage;

import java.nio.file.Path;

/**
 * A read asked for offsets the log once held and can no longer return: damage below its last flush point
 * (a flipped bit, a bad sector, a file someone edited) made them unreadable. Recovery keeps the damaged
 * bytes aside in {@code quarantine/} and serves the records it found after them, so reading from
 * {@link #lastOffset()} {@code + 1} works; these offsets are never silently skipped, and never reused.
 * Kafka answers such a fetch with {@code CORRUPT_MESSAGE}, and its consumer stops until someone seeks past.
 */
public final class UnreadableOffsetsException extends StorageException {
    private static final long serialVersionUID = 1L;

    private final long firstOffset;
    private final long lastOffset;

    public UnreadableOffsetsException(Path dir, long firstOffset, long lastOffset, String why) {
        super(dir, "offsets " + firstOffset + " to " + lastOffset + " are unreadable: " + why
            + "; read from " + (lastOffset + 1) + " to go on past them");
        this.firstOffset = firstOffset;
        this.lastOffset = lastOffset;
    }

    public long firstOffset() {
        return firstOffset;
    }

    public long lastOffset() {
        return lastOffset;
    }
}

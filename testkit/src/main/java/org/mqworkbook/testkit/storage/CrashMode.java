package org.mqworkbook.testkit.storage;

/**
 * What a {@link CrashSimulator} does, at {@link CrashSimulator#crash()}, with the writes that each file
 * received since its last {@code force}. Writes that were forced always survive, whatever the mode.
 *
 * <p>The unforced writes of a file are taken in the order they were issued, as one stream of bytes;
 * truncations sit between them. A torn crash keeps a prefix of that stream, cut at a byte the seed
 * chooses: the writes before the cut land in full, the write at the cut lands in part, and nothing
 * after it lands. A real page cache is less polite (it may write back a later page and lose an earlier
 * one); a prefix is the case that append-only logs are built to recover from, and
 * {@link #TEAR_WITH_GARBAGE} shows the damage a checksum must catch.
 */
public enum CrashMode {

    /** Every unforced write is lost: each file is exactly as it was at its last force. */
    DROP,

    /**
     * A prefix of the unforced writes survives, cut at a seeded byte: anything from none of them to all
     * of them.
     */
    TEAR,

    /** For each file, the seed chooses between {@link #DROP} and {@link #TEAR}. The default. */
    DROP_OR_TEAR,

    /**
     * As {@link #TEAR}, but the cut always falls inside a write, and up to
     * {@value CrashSimulator#MAX_GARBAGE_BYTES} bytes of that write after the cut hold seeded garbage
     * instead of the data: a sector the disk was writing when the power failed. Where the torn write
     * overwrote earlier data (an index rewritten in place), the garbage destroys that too.
     */
    TEAR_WITH_GARBAGE
}

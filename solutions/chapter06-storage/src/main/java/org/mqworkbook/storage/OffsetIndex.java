package org.mqworkbook.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Set;

/**
 * A sparse index from offsets to byte positions in one segment's log file (exercise 6.3, the book's
 * 日志分段与索引). Not every record has an entry: one is added after every {@code indexIntervalBytes}
 * of records (4 KiB by default), so the index stays small enough to keep in memory, and a lookup
 * lands at most one interval before the record wanted; the segment scans forward from there.
 *
 * <p>File layout: a sequence of 8-byte entries, nothing else.
 * <pre>
 *  ┌──────────────────────┬─────────────────┐
 *  │ relativeOffset int32 │ position int32  │  × entries
 *  └──────────────────────┴─────────────────┘
 * </pre>
 * Offsets are stored relative to the segment's base offset, so four bytes suffice: if the base offset
 * is 50, offset 55 is stored as 5 (Kafka's {@code OffsetIndex} does the same). Worked example, base
 * offset 50, entries (55 → 4120) and (83 → 8301):
 * <pre>
 *  00 00 00 05  00 00 10 18     55 - 50 = 5, position 4120
 *  00 00 00 21  00 00 20 6D     83 - 50 = 33, position 8301
 * </pre>
 *
 * <p>Entries are strictly increasing in both offset and position. Lookups use an in-memory copy of the
 * entries (binary search); the file is only written (appended) and read when the index is opened.
 * Kafka memory-maps its index files instead and preallocates them.
 *
 * <p>This class is not thread-safe: the segment that owns it serializes every call.
 */
public final class OffsetIndex implements Closeable {
    /** Bytes per entry. */
    public static final int ENTRY_BYTES = 8;

    private final Path file;
    private final long baseOffset;
    private final FileChannel channel;

    private int[] relativeOffsets = new int[16];
    private int[] positions = new int[16];
    /** How many entries are valid, in memory and in the file. */
    private int entries;

    private OffsetIndex(Path file, long baseOffset, FileChannel channel) {
        this.file = file;
        this.baseOffset = baseOffset;
        this.channel = channel;
    }

    /**
     * Opens (or creates) the index file and loads its entries.
     *
     * @throws StorageException if the file is not a valid index for this base offset: its size is not
     *                          a multiple of {@link #ENTRY_BYTES}, or its entries do not increase.
     *                          Recovery then rebuilds it from the log.
     */
    public static OffsetIndex open(Path file, long baseOffset, FileOpener opener) throws IOException {
        FileChannel channel = opener.open(file,
            Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE));
        OffsetIndex index = new OffsetIndex(file, baseOffset, channel);
        try {
            index.load();
        } catch (StorageException e) {
            channel.close();
            throw e;
        }
        return index;
    }

    private void load() throws IOException {
        long size = channel.size();
        if (size % ENTRY_BYTES != 0 || size > Integer.MAX_VALUE) {
            throw new StorageException(file, "index size " + size + " is not a multiple of " + ENTRY_BYTES);
        }
        ByteBuffer content = ByteBuffer.allocate((int) size);
        while (content.hasRemaining() && channel.read(content, content.position()) >= 0) {
            // read until full
        }
        content.flip();
        while (content.remaining() >= ENTRY_BYTES) {
            int relative = content.getInt();
            int position = content.getInt();
            if (relative < 0 || position < 0 || (entries > 0 && (relative <= relativeOffsets[entries - 1]
                || position <= positions[entries - 1]))) {
                throw new StorageException(file, "entry " + entries + " (" + relative + " → " + position
                    + ") does not follow the previous one: the index is corrupt");
            }
            addInMemory(relative, position);
        }
    }

    /**
     * Adds an entry: {@code offset}'s record starts at byte {@code position}. Both must be larger than
     * the last entry's ({@link IllegalArgumentException} naming the values and the file otherwise), and
     * the offset must fit in 32 bits relative to the base offset. Write the 8 bytes at the end of the
     * file (positional write), then remember the entry in memory ({@link #addInMemory}).
     */
    public void append(long offset, int position) throws IOException {
        // BEGIN EXERCISE 6.3
        long relative = offset - baseOffset;
        if (relative < 0 || relative > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + offset + " does not fit an index with base offset "
                + baseOffset + " (" + file + ")");
        }
        if (position < 0) {
            throw new IllegalArgumentException("negative position " + position + " for offset " + offset + " in "
                + file);
        }
        if (entries > 0 && (relative <= relativeOffsets[entries - 1] || position <= positions[entries - 1])) {
            throw new IllegalArgumentException("attempt to append an entry (" + offset + " → " + position
                + ") no larger than the last one (" + (baseOffset + relativeOffsets[entries - 1]) + " → "
                + positions[entries - 1] + ") to " + file);
        }
        ByteBuffer entry = ByteBuffer.allocate(ENTRY_BYTES).putInt((int) relative).putInt(position).flip();
        long at = (long) entries * ENTRY_BYTES;
        while (entry.hasRemaining()) {
            at += channel.write(entry, at);
        }
        addInMemory((int) relative, position);
        // END EXERCISE 6.3
    }

    /**
     * The entry with the largest offset at or below {@code offset}, found by binary search; if no
     * entry is that small (or the index is empty), the start of the segment:
     * {@code (baseOffset, 0)}. The record for {@code offset} is at that position or after it.
     */
    public OffsetPosition lookup(long offset) {
        // BEGIN EXERCISE 6.3
        if (offset < baseOffset) {
            return new OffsetPosition(baseOffset, 0);
        }
        long relative = offset - baseOffset;
        int low = 0;
        int high = entries - 1;
        int found = -1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            if (relativeOffsets[middle] <= relative) {
                found = middle;
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        return found < 0 ? new OffsetPosition(baseOffset, 0)
            : new OffsetPosition(baseOffset + relativeOffsets[found], positions[found]);
        // END EXERCISE 6.3
    }

    /** Removes every entry for an offset at or above {@code offset} (recovery truncated the log there). */
    public void truncateTo(long offset) throws IOException {
        int keep = entries;
        while (keep > 0 && baseOffset + relativeOffsets[keep - 1] >= offset) {
            keep--;
        }
        entries = keep;
        channel.truncate((long) keep * ENTRY_BYTES);
    }

    /** Removes every entry. */
    public void clear() throws IOException {
        entries = 0;
        channel.truncate(0);
    }

    /** Forces the entries to disk. */
    public void flush() throws IOException {
        channel.force(true);
    }

    public int entries() {
        return entries;
    }

    public long baseOffset() {
        return baseOffset;
    }

    public Path file() {
        return file;
    }

    /** Remembers an entry; grows the arrays by doubling. */
    private void addInMemory(int relative, int position) {
        if (entries == relativeOffsets.length) {
            relativeOffsets = Arrays.copyOf(relativeOffsets, entries * 2);
            positions = Arrays.copyOf(positions, entries * 2);
        }
        relativeOffsets[entries] = relative;
        positions[entries] = position;
        entries++;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "OffsetIndex[" + file + ", " + entries + " entries]";
    }
}

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
 * <p><b>One writer, many readers.</b> Only one thread at a time appends, truncates or clears (the log's
 * appending thread, or recovery); any number of threads may {@link #lookup} at the same time, while it
 * does. So the entries readers see are one immutable-looking {@link Entries} snapshot — the two arrays and
 * the count, published together through one {@code volatile} field. A reader reads that field once and
 * searches what it got: it can never pair a new array with an old count, or one entry's offset with
 * another's position. An append writes its slot <em>above</em> the published count (no reader looks there)
 * and then publishes a snapshot with the count one larger; growing copies the arrays first. A truncation
 * copies the entries it keeps into new arrays, because the slots it gives up will be written again by the
 * next appends while a reader holding the old snapshot may still be searching them. Kafka's index does the
 * same in its own way: the entries live in a memory-mapped file, the entry count is {@code volatile}, and a
 * lookup takes the index's lock only on Windows, where resizing the file remaps it under the reader.
 */
public final class OffsetIndex implements Closeable {
    /** Bytes per entry. */
    public static final int ENTRY_BYTES = 8;

    private final Path file;
    private final long baseOffset;
    private final FileChannel channel;

    /**
     * The entries, in memory: {@code relativeOffsets[i]} and {@code positions[i]} for {@code i < count}, the
     * same count that the file holds. The arrays may be longer (room to grow); slots at and above
     * {@code count} belong to the writer.
     */
    private record Entries(int[] relativeOffsets, int[] positions, int count) {
    }

    /** Written only by the writer (see the class comment), read by readers: read it once per lookup. */
    private volatile Entries entries = new Entries(new int[16], new int[16], 0);

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
            Entries e = entries;
            if (relative < 0 || position < 0 || (e.count() > 0 && (relative <= e.relativeOffsets()[e.count() - 1]
                || position <= e.positions()[e.count() - 1]))) {
                throw new StorageException(file, "entry " + e.count() + " (" + relative + " → " + position
                    + ") does not follow the previous one: the index is corrupt");
            }
            addInMemory(relative, position);
        }
    }

    /**
     * Adds an entry: {@code offset}'s record starts at byte {@code position}. Both must be larger than
     * the last entry's ({@link IllegalArgumentException} naming the values and the file otherwise), and
     * the offset must fit in 32 bits relative to the base offset. Read {@link #entries} once (only this
     * thread writes it, so it stays current), write the 8 bytes at the end of the file (positional write:
     * entry number {@code count} starts at byte {@code count × 8}), then remember the entry in memory
     * ({@link #addInMemory}, which publishes it to readers).
     */
    public void append(long offset, int position) throws IOException {
        // BEGIN EXERCISE 6.3
        Entries e = entries;
        long relative = offset - baseOffset;
        if (relative < 0 || relative > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + offset + " does not fit an index with base offset "
                + baseOffset + " (" + file + ")");
        }
        if (position < 0) {
            throw new IllegalArgumentException("negative position " + position + " for offset " + offset + " in "
                + file);
        }
        int last = e.count() - 1;
        if (last >= 0 && (relative <= e.relativeOffsets()[last] || position <= e.positions()[last])) {
            throw new IllegalArgumentException("attempt to append an entry (" + offset + " → " + position
                + ") no larger than the last one (" + (baseOffset + e.relativeOffsets()[last]) + " → "
                + e.positions()[last] + ") to " + file);
        }
        ByteBuffer entry = ByteBuffer.allocate(ENTRY_BYTES).putInt((int) relative).putInt(position).flip();
        long at = (long) e.count() * ENTRY_BYTES;
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
     *
     * <p>Called by readers while the writer appends: read {@link #entries} <em>once</em> into a local and
     * search only that snapshot (reading the field twice could give two different snapshots).
     */
    public OffsetPosition lookup(long offset) {
        // BEGIN EXERCISE 6.3
        Entries e = entries;
        if (offset < baseOffset) {
            return new OffsetPosition(baseOffset, 0);
        }
        long relative = offset - baseOffset;
        int low = 0;
        int high = e.count() - 1;
        int found = -1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            if (e.relativeOffsets()[middle] <= relative) {
                found = middle;
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        return found < 0 ? new OffsetPosition(baseOffset, 0)
            : new OffsetPosition(baseOffset + e.relativeOffsets()[found], e.positions()[found]);
        // END EXERCISE 6.3
    }

    /**
     * Removes every entry for an offset at or above {@code offset} (recovery truncated the log there). The
     * entries kept are copied into new arrays: see the class comment for why.
     */
    public void truncateTo(long offset) throws IOException {
        Entries e = entries;
        int keep = e.count();
        while (keep > 0 && baseOffset + e.relativeOffsets()[keep - 1] >= offset) {
            keep--;
        }
        int capacity = Math.max(16, keep);
        entries = new Entries(Arrays.copyOf(e.relativeOffsets(), capacity), Arrays.copyOf(e.positions(), capacity),
            keep);
        channel.truncate((long) keep * ENTRY_BYTES);
    }

    /** Removes every entry. */
    public void clear() throws IOException {
        entries = new Entries(new int[16], new int[16], 0);
        channel.truncate(0);
    }

    /** Forces the entries to disk. */
    public void flush() throws IOException {
        channel.force(true);
    }

    public int entries() {
        return entries.count();
    }

    public long baseOffset() {
        return baseOffset;
    }

    public Path file() {
        return file;
    }

    /**
     * Remembers an entry and publishes it: the slot at the published count is written first (no reader
     * looks at it yet), then a snapshot one longer is published — the volatile write that makes the slot
     * visible to every reader that reads the new snapshot. Full arrays are first copied into arrays twice
     * as long; readers of the old snapshot keep the old arrays, which nobody writes any more.
     */
    private void addInMemory(int relative, int position) {
        Entries e = entries;
        int[] offsets = e.relativeOffsets();
        int[] bytes = e.positions();
        if (e.count() == offsets.length) {
            offsets = Arrays.copyOf(offsets, e.count() * 2);
            bytes = Arrays.copyOf(bytes, e.count() * 2);
        }
        offsets[e.count()] = relative;
        bytes[e.count()] = position;
        entries = new Entries(offsets, bytes, e.count() + 1);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "OffsetIndex[" + file + ", " + entries.count() + " entries]";
    }
}

package org.mqworkbook.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Set;
import org.mqworkbook.marker.ExerciseNotDone;

/**
 * A sparse index from time to offsets in one segment (exercise 6.7, the book's 日志分段与索引): Kafka's
 * {@code .timeindex}. It answers "where should I start looking for the first record at or after time
 * {@code t}" — what a consumer asks when it wants to replay the last hour, or to go back to just before a bad
 * deploy.
 *
 * <p><b>Why it records the largest timestamp so far.</b> Timestamps in a log are not sorted: they come from a
 * clock, and a clock can step back (NTP), and in Kafka a producer may set them. So an entry does not say "the
 * record at offset {@code o} has timestamp {@code t}" but "up to offset {@code o} no record is later than
 * {@code t}, and {@code o} is the first record that reached {@code t}". An entry is added only when that largest
 * timestamp has grown since the last entry, so both columns strictly increase and the index can be searched
 * like a sorted array. From the entry with the largest timestamp at or below {@code t}, every record before its
 * offset is earlier than {@code t} — the answer is at that offset or after it — and the next entry's record is
 * at or after {@code t}: the scan from one to the next is all there is to read.
 *
 * <p>File layout: a sequence of 12-byte entries, nothing else.
 * <pre>
 *  ┌──────────────────┬──────────────────────┐
 *  │ timestamp int64  │ relativeOffset int32 │  × entries
 *  └──────────────────┴──────────────────────┘
 * </pre>
 * Worked example, base offset 50, entries (1700000000120 → 55) and (1700000000410 → 83):
 * <pre>
 *  00 00 01 8B CF E5 68 78  00 00 00 05     t = 1700000000120 ms, offset 55 - 50 = 5
 *  00 00 01 8B CF E5 69 9A  00 00 00 21     t = 1700000000410 ms, offset 83 - 50 = 33
 * </pre>
 * A lookup for {@code t = 1700000000300} finds the first entry (120 ≤ 300 &lt; 410): start scanning at offset
 * 55; the answer is somewhere in 55..83.
 *
 * <p><b>One writer, many readers</b>, exactly as {@link OffsetIndex}: the segment's appending thread (or
 * recovery) adds entries; any thread may {@link #lookup} meanwhile, from one {@code volatile} snapshot of the
 * arrays and the count. Kafka's {@code TimeIndex} memory-maps its file; an entry there is also 12 bytes, and
 * Kafka adds one at the same moment as an offset index entry, with the largest timestamp so far.
 */
public final class TimeIndex implements Closeable {
    /** Bytes per entry. */
    public static final int ENTRY_BYTES = 12;

    private final Path file;
    private final long baseOffset;
    private final FileChannel channel;

    /**
     * The entries, in memory: {@code timestamps[i]} and {@code relativeOffsets[i]} for {@code i < count}, the
     * same count the file holds; slots at and above {@code count} belong to the writer.
     */
    private record Entries(long[] timestamps, int[] relativeOffsets, int count) {
    }

    /** Written only by the writer, read by readers: read it once per lookup. */
    private volatile Entries entries = new Entries(new long[16], new int[16], 0);

    private TimeIndex(Path file, long baseOffset, FileChannel channel) {
        this.file = file;
        this.baseOffset = baseOffset;
        this.channel = channel;
    }

    /**
     * Opens (or creates) the time index file and loads its entries.
     *
     * @throws StorageException if the file is not a valid time index for this base offset: its size is not a
     *                          multiple of {@link #ENTRY_BYTES}, or its columns do not strictly increase.
     *                          Recovery then rebuilds it from the log.
     */
    public static TimeIndex open(Path file, long baseOffset, FileOpener opener) throws IOException {
        FileChannel channel = opener.open(file,
            Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE));
        TimeIndex index = new TimeIndex(file, baseOffset, channel);
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
            throw new StorageException(file, "time index size " + size + " is not a multiple of " + ENTRY_BYTES);
        }
        ByteBuffer content = ByteBuffer.allocate((int) size);
        while (content.hasRemaining() && channel.read(content, content.position()) >= 0) {
            // read until full
        }
        content.flip();
        while (content.remaining() >= ENTRY_BYTES) {
            long timestamp = content.getLong();
            int relative = content.getInt();
            Entries e = entries;
            int last = e.count() - 1;
            if (relative < 0 || (last >= 0 && (timestamp <= e.timestamps()[last]
                || relative <= e.relativeOffsets()[last]))) {
                throw new StorageException(file, "entry " + e.count() + " (" + timestamp + " → " + (baseOffset
                    + relative) + ") does not follow the previous one: the time index is corrupt");
            }
            addInMemory(timestamp, relative);
        }
    }

    /**
     * Adds an entry if {@code largestTimestamp} is later than the last entry's: up to {@code offset}, no record
     * is later than it, and {@code offset} is the first record that reached it. Given code: the segment calls
     * it, with its largest timestamp so far, every index interval.
     *
     * @return whether an entry was added (not if the largest timestamp has not grown since the last one)
     * @throws IllegalArgumentException if the timestamp grew but the offset did not, or the offset is below the
     *                                  base offset or more than 2^31 - 1 above it
     */
    public boolean maybeAppend(long largestTimestamp, long offset) throws IOException {
        Entries e = entries;
        int last = e.count() - 1;
        if (last >= 0 && largestTimestamp <= e.timestamps()[last]) {
            return false;
        }
        long relative = offset - baseOffset;
        if (relative < 0 || relative > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + offset + " does not fit a time index with base offset "
                + baseOffset + " (" + file + ")");
        }
        if (last >= 0 && relative <= e.relativeOffsets()[last]) {
            throw new IllegalArgumentException("timestamp " + largestTimestamp + " is later than the last entry's ("
                + e.timestamps()[last] + ") but its offset " + offset + " is not larger than the last entry's ("
                + (baseOffset + e.relativeOffsets()[last]) + ") in " + file);
        }
        ByteBuffer entry = ByteBuffer.allocate(ENTRY_BYTES).putLong(largestTimestamp).putInt((int) relative).flip();
        long at = (long) e.count() * ENTRY_BYTES;
        while (entry.hasRemaining()) {
            at += channel.write(entry, at);
        }
        addInMemory(largestTimestamp, (int) relative);
        return true;
    }

    /**
     * The entry with the largest timestamp at or below {@code timestamp}, found by binary search: the records
     * before its offset are all earlier than {@code timestamp}, so the first record at or after it is at that
     * offset or later. If no entry is that early (or the index is empty), {@code (-1, baseOffset)}: start at the
     * beginning of the segment.
     *
     * <p>Called by readers while the writer appends: read {@link #entries} once into a local and search only
     * that snapshot, as {@link OffsetIndex#lookup} does.
     */
    public TimestampOffset lookup(long timestamp) {
        // BEGIN EXERCISE 6.7
        throw new ExerciseNotDone("6.7");
        // END EXERCISE 6.7
    }

    /** Removes every entry. */
    public void clear() throws IOException {
        entries = new Entries(new long[16], new int[16], 0);
        channel.truncate(0);
    }

    /** Forces the entries to disk. */
    public void flush() throws IOException {
        channel.force(true);
    }

    public int entries() {
        return entries.count();
    }

    public Path file() {
        return file;
    }

    /** Publishes one more entry, as {@link OffsetIndex} does: the slot first, then the longer snapshot. */
    private void addInMemory(long timestamp, int relative) {
        Entries e = entries;
        long[] times = e.timestamps();
        int[] offsets = e.relativeOffsets();
        if (e.count() == times.length) {
            times = Arrays.copyOf(times, e.count() * 2);
            offsets = Arrays.copyOf(offsets, e.count() * 2);
        }
        times[e.count()] = timestamp;
        offsets[e.count()] = relative;
        entries = new Entries(times, offsets, e.count() + 1);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "TimeIndex[" + file + ", " + entries.count() + " entries]";
    }
}

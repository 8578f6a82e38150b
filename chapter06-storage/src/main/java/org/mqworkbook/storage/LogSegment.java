package org.mqworkbook.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.mqworkbook.marker.ExerciseNotDone;

/**
 * One file of the log: records appended one after another, never changed in place, plus its sparse
 * {@link OffsetIndex} and {@link TimeIndex} (exercises 6.2, 6.3, 6.5 and 6.7; the book's 顺序写与刷盘机制 and
 * 日志分段与索引).
 *
 * <pre>
 *  00000000000000000050.log        [rec 50][rec 51][rec 52] ... [rec 83][rec 84] ...  ← append at the end only
 *  00000000000000000050.index      (55 → 4120) (83 → 8301) ...                        ← one entry per ~4 KiB
 *  00000000000000000050.timeindex  (t120 → 55) (t410 → 83) ...                        ← largest time so far
 * </pre>
 * The file names are the base offset (the first record's offset), 20 digits, so that a directory
 * listing sorts segments in log order — Kafka's naming.
 *
 * <p>Why append-only: a sequential write is the fastest thing a disk does (and the page cache turns a
 * stream of small writes into large ones), a record once written never changes, and a crash can only
 * damage the tail — which is what recovery checks.
 *
 * <p>Thread-safety: appends, truncation and recovery are called by one thread at a time (the
 * {@link Log} holds its lock). {@link #flush()} may run concurrently with appends (group commit
 * fsyncs while producers keep appending: {@code FileChannel} allows it). {@link #read} may run
 * concurrently with appends: it only reads bytes below {@link #size}, which is published after the
 * bytes are written and before {@link #nextOffset} says the record exists ({@code volatile}: written by
 * the appending thread, read by readers), and its index lookups are safe for one writer and many readers
 * ({@link OffsetIndex}).
 *
 * <p><b>Deleting a segment that someone is reading.</b> Retention removes a segment from the log while
 * readers that found it a moment earlier may still be inside it. So the segment counts its users — the
 * log, while the segment is in it, plus each read in progress ({@link #retain}, {@link #release}) — and
 * closes its files only when the last one leaves; {@link #delete()} renames its files to
 * {@code <name>.deleted} at once (a restart finishes the job if the broker dies first) and removes them
 * when the count reaches 0. Once the count is 0 it stays 0: a reader that comes too late is refused and
 * reports the offset as deleted. Kafka renames a deleted segment's files the same way and removes them
 * after {@code file.delete.delay.ms} (a minute), betting that no read lasts longer; counting readers
 * replaces the bet with a certainty.
 */
public final class LogSegment implements Closeable {
    private final Path logFile;
    private final long baseOffset;
    private final LogConfig config;
    private final FileChannel channel;
    private final OffsetIndex index;
    private final TimeIndex timeIndex;

    /** Bytes of valid records; every byte below it has been written. Written by the appender, read by readers. */
    private volatile long size;
    /** The offset the next record must have. Written by the appender, read by readers. */
    private volatile long nextOffset;
    /** Bytes appended since the last index entry; an entry is due when this reaches the interval. */
    private long bytesSinceLastIndexEntry;
    /** The largest timestamp appended, for retention by age and lookups by time (-1: none yet). */
    private volatile long largestTimestamp = -1;
    /** The first record that reached {@link #largestTimestamp}: what the time index points at. Appender only. */
    private long offsetOfLargestTimestamp = -1;
    /** Bytes appended since the last time the time index was offered an entry. Appender only. */
    private long bytesSinceLastTimeIndexEntry;
    /** When the first record was appended (-1: none yet), for rolling by age. */
    private volatile long firstTimestamp = -1;
    /**
     * The log's reference (while the segment is in the log) plus one per read in progress. The files are
     * closed when it reaches 0, and it never leaves 0. Any thread.
     */
    private final AtomicInteger users = new AtomicInteger(1);
    /** Whether the log's reference was given up ({@link #close()} or {@link #delete()}): only once. */
    private final AtomicBoolean released = new AtomicBoolean();
    /** Set by {@link #delete()} before the log's reference is released; read by whoever closes last. */
    private volatile boolean deleted;

    private LogSegment(Path logFile, long baseOffset, LogConfig config, FileChannel channel, OffsetIndex index,
                       TimeIndex timeIndex, long size) {
        this.logFile = logFile;
        this.baseOffset = baseOffset;
        this.config = config;
        this.channel = channel;
        this.index = index;
        this.timeIndex = timeIndex;
        this.size = size;
        this.nextOffset = baseOffset;
    }

    /** {@code dir/00000000000000000050.log} for base offset 50. */
    public static Path logFile(Path dir, long baseOffset) {
        return dir.resolve(String.format("%020d.log", baseOffset));
    }

    /** {@code dir/00000000000000000050.index} for base offset 50. */
    public static Path indexFile(Path dir, long baseOffset) {
        return dir.resolve(String.format("%020d.index", baseOffset));
    }

    /** {@code dir/00000000000000000050.timeindex} for base offset 50. */
    public static Path timeIndexFile(Path dir, long baseOffset) {
        return dir.resolve(String.format("%020d.timeindex", baseOffset));
    }

    /**
     * Opens (or creates) the segment with this base offset. An existing file's content is not trusted
     * until {@link #recover()} has checked it; an index that cannot be loaded is replaced by an empty one,
     * and recovery rebuilds it.
     */
    public static LogSegment open(Path dir, long baseOffset, LogConfig config, FileOpener opener)
        throws IOException {
        Path logFile = logFile(dir, baseOffset);
        FileChannel channel = opener.open(logFile,
            Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE));
        Path indexFile = indexFile(dir, baseOffset);
        Path timeIndexFile = timeIndexFile(dir, baseOffset);
        OffsetIndex index = null;
        TimeIndex timeIndex;
        try {
            try {
                index = OffsetIndex.open(indexFile, baseOffset, opener);
            } catch (StorageException corrupt) {
                Files.delete(indexFile);
                index = OffsetIndex.open(indexFile, baseOffset, opener);
            }
            try {
                timeIndex = TimeIndex.open(timeIndexFile, baseOffset, opener);
            } catch (StorageException corrupt) {
                Files.delete(timeIndexFile);
                timeIndex = TimeIndex.open(timeIndexFile, baseOffset, opener);
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            if (index != null) {
                index.close();
            }
            throw e;
        }
        return new LogSegment(logFile, baseOffset, config, channel, index, timeIndex, channel.size());
    }

    /**
     * Appends {@code record} at the end of the file and returns the position it starts at.
     *
     * <p>Its offset must be {@link #nextOffset()} (offsets have no gaps and never repeat: an
     * {@link IllegalArgumentException} naming both otherwise). Encode it with {@link RecordFormat};
     * if {@code bytesSinceLastIndexEntry} has reached the index interval, first add an index entry
     * pointing at this record; write with positional writes at {@link #size} (a write may write fewer
     * bytes than asked: loop); then advance the byte count since the last index entry, hand the record to
     * {@link #trackTimestamp} (given: the timestamps and the time index of exercise 6.7), advance the
     * size and, last of all, the next offset. The order is what makes concurrent reads safe: a reader asks
     * {@link #nextOffset} first whether the record is there, then reads bytes up to {@link #size}, so the
     * size must cover a record before the next offset says it exists (both are {@code volatile}: a reader
     * that sees the new next offset sees the size written before it).
     *
     * <p>Nothing here forces the bytes to disk: that is {@link #flush()}'s job.
     */
    public int append(Record record) throws IOException {
        // BEGIN EXERCISE 6.2
        throw new ExerciseNotDone("6.2");
        // END EXERCISE 6.2
    }

    /**
     * Reads records from {@code offset} on, up to about {@code maxBytes} of them (always at least one
     * if the segment has {@code offset}). Find where to start with the index ({@link OffsetIndex#lookup}),
     * then scan forward with a {@link RecordScanner} up to {@link #size}, skipping records before
     * {@code offset}.
     *
     * @throws StorageException if a record in the way is not valid: corrupt data is never returned
     */
    public List<Record> read(long offset, int maxBytes) throws IOException {
        // BEGIN EXERCISE 6.3
        throw new ExerciseNotDone("6.3");
        // END EXERCISE 6.3
    }

    /**
     * Checks every record from the start of the file and finds the valid prefix (exercise 6.5).
     *
     * <p>Scan with a {@link RecordScanner} from 0 to the file's size. Stop at the first record that is
     * incomplete (a torn write), corrupt, or whose offset is not the one expected (base offset, then one
     * more each time); the valid prefix ends before it (a whole record with the wrong offset is not part of
     * it: the scanner has moved past it, so remember where each kept record ended). While scanning, rebuild
     * the index from scratch ({@link #clearIndexes()}, then an entry every index interval, as
     * {@link #append} would add them, and each record kept handed to {@link #trackTimestamp}, as {@link #append}
     * does). Set {@link #size} and {@link #nextOffset} from the valid prefix, force the file, and report what
     * you found.
     *
     * <p>Cut nothing: whether the bytes after the valid prefix are a torn tail (never acknowledged: the
     * {@link Log} cuts them with {@link #cutInvalidTail()}) or damage to acknowledged records (the log keeps
     * them aside and serves what it can find after them) is for the log to decide; it knows where the last
     * flush was. Reads never look past {@link #size} anyway.
     */
    public SegmentRecovery recover() throws IOException {
        // BEGIN EXERCISE 6.5
        throw new ExerciseNotDone("6.5");
        // END EXERCISE 6.5
    }

    /**
     * Records one appended or recovered record's timestamp, in offset order: the first timestamp (for rolling),
     * the largest one and the first record that reached it, and every index interval an entry in the time index
     * (which keeps it only if the largest timestamp grew since its last entry). Given code, called by
     * {@link #append} and {@link #recover()}, so that both build the same time index.
     *
     * <p>Kafka offers the time index an entry at the moment it adds an offset index entry; this segment counts
     * its own interval, which comes to the same thing without tying the two indexes' code together.
     *
     * @param bytes the record's size in the file
     */
    private void trackTimestamp(Record record, long bytes) throws IOException {
        if (firstTimestamp < 0) {
            firstTimestamp = record.timestamp();
        }
        if (record.timestamp() > largestTimestamp) {
            largestTimestamp = record.timestamp();
            offsetOfLargestTimestamp = record.offset();
        }
        bytesSinceLastTimeIndexEntry += bytes;
        if (bytesSinceLastTimeIndexEntry >= config.indexIntervalBytes()) {
            timeIndex.maybeAppend(largestTimestamp, offsetOfLargestTimestamp);
            bytesSinceLastTimeIndexEntry = 0;
        }
    }

    /**
     * Empties both indexes and forgets the timestamps, before {@link #recover()} rebuilds them from the records.
     * Given code.
     */
    private void clearIndexes() throws IOException {
        index.clear();
        timeIndex.clear();
        firstTimestamp = -1;
        largestTimestamp = -1;
        offsetOfLargestTimestamp = -1;
        bytesSinceLastTimeIndexEntry = 0;
    }

    /**
     * The first record, in offset order, whose timestamp is at or after {@code timestamp}: its timestamp and
     * offset, or empty if the segment has none (exercise 6.7). "First in offset order", not "earliest": where
     * the clock stepped back, a later record can carry an earlier time, and a consumer that seeks by time wants
     * the point in the log from which it sees everything since that moment.
     *
     * <p>Read {@link #nextOffset} and then {@link #size} once (in that order: the size covers every record the
     * next offset says exists) and look only at records below them: the appender may be adding one right now.
     * The size alone keeps the scan off a half-written record; the next offset keeps the answer off a record
     * that is written but not announced yet — one that {@link #read} would not return. Ask the {@link TimeIndex}
     * where to start ({@link TimeIndex#lookup}), ask the {@link OffsetIndex} for the position of that offset (or
     * an earlier one), and scan forward with a {@link RecordScanner} to the first record whose timestamp is at or
     * after {@code timestamp}. (Records before the time index's offset are all earlier than its timestamp, so
     * the scan may look at them or skip them: none of them is the answer.)
     *
     * @throws StorageException if a record in the way is not valid, as {@link #read} does
     */
    public Optional<TimestampOffset> offsetForTimestamp(long timestamp) throws IOException {
        // BEGIN EXERCISE 6.7
        throw new ExerciseNotDone("6.7");
        // END EXERCISE 6.7
    }

    /**
     * Removes the records at and after {@code offset}: cuts the file at the position where that record starts,
     * forces it, and rebuilds the indexes, the timestamps and the counters from what is left with
     * {@link #recover()}. Given code, for a log truncated from its end (chapter 8: a follower cutting records its
     * new leader never had). Called by the log with its lock.
     *
     * @throws IllegalArgumentException if {@code offset} is not between the base offset and the next offset
     */
    public void truncateTo(long offset) throws IOException {
        if (offset < baseOffset || offset > nextOffset) {
            throw new IllegalArgumentException("cannot truncate " + logFile + " (offsets " + baseOffset + " to "
                + (nextOffset - 1) + ") to offset " + offset);
        }
        if (offset == nextOffset) {
            return;
        }
        long position = positionOf(offset);
        channel.truncate(position);
        channel.force(true);
        recover();
    }

    /** The byte position where the record with {@code offset} starts (it must be in the segment). */
    private long positionOf(long offset) throws IOException {
        OffsetPosition start = index.lookup(offset);
        RecordScanner scanner = new RecordScanner(channel, start.position(), size, config.maxRecordBytes());
        while (!scanner.atEnd()) {
            long position = scanner.position();
            RecordRead read = scanner.next();
            if (!(read instanceof RecordRead.Valid valid)) {
                throw new StorageException(logFile, "invalid record at position " + position + ": " + read);
            }
            if (valid.record().offset() == offset) {
                return position;
            }
        }
        throw new StorageException(logFile, "offset " + offset + " is not in the segment's records");
    }

    /**
     * Cuts off the bytes after the valid prefix that {@link #recover()} found: a torn tail. Called by the
     * log, only for bytes that were never acknowledged.
     */
    public void cutInvalidTail() throws IOException {
        if (channel.size() > size) {
            channel.truncate(size);
            channel.force(true);
        }
    }

    /**
     * The first whole, checksummed record after byte {@code from} whose offset is at least
     * {@code expectedOffset} and below {@code offsetLimit} (the next segment's base offset: a later segment
     * already holds those), and which is followed by the end of the file or by another valid record with the
     * next offset: where reading can resume after damage. Given code.
     *
     * <p>It looks at every byte position but computes a checksum only where the length and offset fields are
     * plausible, and it gives up once it has checksummed eight times the damaged region's size (plus two
     * maximal records): a message whose value was crafted to look like records cannot make recovery
     * quadratic. Requiring a second record that chains (or the end of the file) makes a record that merely
     * appears inside another record's value, checksum and all, an unlikely resume point; a crafted value can
     * still contain a chain, which is why the log only searches below its recovery point, where every byte
     * was flushed by the broker itself and a resume point was written as a record.
     *
     * @return its offset and position, or empty if none is found within the budget
     */
    public Optional<OffsetPosition> findValidRecordAfter(long from, long expectedOffset, long offsetLimit)
        throws IOException {
        long fileSize = channel.size();
        int header = RecordFormat.LENGTH_BYTES + RecordFormat.CRC_BYTES + 1 + 8;
        long budget = 8 * (fileSize - from) + 2L * config.maxRecordBytes();
        ByteBuffer window = ByteBuffer.allocate(64 * 1024);
        long windowStart = -1;
        int windowLength = 0;
        for (long position = from + 1; position + RecordFormat.LENGTH_BYTES + RecordFormat.MIN_LENGTH <= fileSize
             && budget > 0; position++) {
            if (position < windowStart || position + header > windowStart + windowLength) {
                window.clear();
                windowStart = position;
                while (window.hasRemaining() && channel.read(window, windowStart + window.position()) > 0) {
                    // fill the window
                }
                windowLength = window.position();
            }
            int at = (int) (position - windowStart);
            int length = window.getInt(at);
            long offset = window.getLong(at + RecordFormat.LENGTH_BYTES + RecordFormat.CRC_BYTES + 1);
            if (length < RecordFormat.MIN_LENGTH || length > config.maxRecordBytes()
                || position + RecordFormat.LENGTH_BYTES + length > fileSize || offset < expectedOffset
                || offset >= offsetLimit) {
                continue;
            }
            budget -= length;
            if (validRecordAt(position, length)) {
                long next = position + RecordFormat.LENGTH_BYTES + length;
                if (next == fileSize || validRecordWithOffsetAt(next, offset + 1)) {
                    return Optional.of(new OffsetPosition(offset, (int) position));
                }
            }
        }
        return Optional.empty();
    }

    private boolean validRecordAt(long position, int length) throws IOException {
        ByteBuffer candidate = ByteBuffer.allocate(RecordFormat.LENGTH_BYTES + length);
        while (candidate.hasRemaining() && channel.read(candidate, position + candidate.position()) > 0) {
            // read the whole candidate
        }
        return RecordFormat.read(candidate.flip(), config.maxRecordBytes()) instanceof RecordRead.Valid;
    }

    private boolean validRecordWithOffsetAt(long position, long offset) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(RecordFormat.LENGTH_BYTES);
        if (channel.read(head, position) < RecordFormat.LENGTH_BYTES) {
            return false;
        }
        int length = head.getInt(0);
        if (length < RecordFormat.MIN_LENGTH || length > config.maxRecordBytes()
            || position + RecordFormat.LENGTH_BYTES + length > channel.size()) {
            return false;
        }
        ByteBuffer candidate = ByteBuffer.allocate(RecordFormat.LENGTH_BYTES + length);
        while (candidate.hasRemaining() && channel.read(candidate, position + candidate.position()) > 0) {
            // read the whole candidate
        }
        return RecordFormat.read(candidate.flip(), config.maxRecordBytes()) instanceof RecordRead.Valid valid
            && valid.record().offset() == offset;
    }

    /**
     * Copies this segment's bytes from {@code position} to the end into a new segment file whose base
     * offset is {@code baseOffset} (the offset of the record at {@code position}), and returns it, open and
     * not yet recovered. The bytes go to a temporary file, forced, then renamed into place and the directory
     * forced, so that a crash never leaves half a copy under a segment's name; a copy left by a recovery that
     * crashed after the rename is replaced the same way. How the log keeps the records found after damage,
     * in a segment of their own.
     */
    public LogSegment copyFrom(long position, long baseOffset, FileOpener opener) throws IOException {
        Path dir = logFile.getParent();
        Path target = logFile(dir, baseOffset);
        Path tmp = target.resolveSibling(target.getFileName() + ".copying");
        try (FileChannel out = opener.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))) {
            long end = channel.size();
            ByteBuffer chunk = ByteBuffer.allocate(256 * 1024);
            long written = 0;
            for (long from = position; from < end; ) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), end - from));
                int read = channel.read(chunk, from);
                if (read <= 0) {
                    break;
                }
                chunk.flip();
                while (chunk.hasRemaining()) {
                    written += out.write(chunk, written);
                }
                from += read;
            }
            out.force(true);
        }
        Files.deleteIfExists(indexFile(dir, baseOffset)); // the new segment's indexes are rebuilt by its recovery
        Files.deleteIfExists(timeIndexFile(dir, baseOffset));
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directory = opener.open(dir, Set.of(StandardOpenOption.READ))) {
            directory.force(true);
        }
        return open(dir, baseOffset, config, opener);
    }

    /**
     * Forces the records to disk: after this returns, a crash loses none of them.
     *
     * <p>Not the indexes: recovery never trusts an index after a crash — it rebuilds both from the records
     * it kept — so forcing them would cost more fsyncs per flush and buy nothing. (The first version of
     * this method did force it, and measured 1.2× the latency of a bare fsync, and slower than SQLite per
     * durable message; see the chapter README.) {@link #close()} forces them, so that a clean shutdown
     * leaves whole indexes.
     */
    public void flush() throws IOException {
        channel.force(false);
    }

    public long baseOffset() {
        return baseOffset;
    }

    public long nextOffset() {
        return nextOffset;
    }

    /** Bytes of valid records. */
    public long size() {
        return size;
    }

    /** Whether no record was appended (or survived recovery). */
    public boolean isEmpty() {
        return nextOffset == baseOffset;
    }

    /** The timestamp of the first record, or -1 if empty: the segment's age for rolling. */
    public long firstTimestamp() {
        return firstTimestamp;
    }

    /** The newest timestamp in the segment, or -1 if empty: the segment's age for retention. */
    public long largestTimestamp() {
        return largestTimestamp;
    }

    public Path logFile() {
        return logFile;
    }

    OffsetIndex index() {
        return index;
    }

    TimeIndex timeIndex() {
        return timeIndex;
    }

    /** {@code 00000000000000000050.log.deleted}: where {@link #delete()} moves a file until it is removed. */
    public static Path deletedFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".deleted");
    }

    /**
     * Enters the segment for a read: while entered, its files stay open even if retention deletes it.
     * Pair every {@code true} with one {@link #release()}.
     *
     * @return {@code false} if the segment is already closed (deleted, or its log closed): do not read it
     */
    public boolean retain() {
        while (true) {
            int current = users.get();
            if (current == 0) {
                return false;
            }
            if (users.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** Leaves the segment after a read; the last one out closes the files (and removes them if deleted). */
    public void release() throws IOException {
        int left = users.decrementAndGet();
        assert left >= 0 : "released more often than retained: " + this;
        if (left == 0) {
            closeFiles();
        }
    }

    /**
     * Deletes the segment (retention): its three files are renamed to {@code .deleted} now, and closed and removed
     * when no read is inside the segment any more. The log removes the segment from its map first, so no new
     * read can find it.
     */
    public void delete() throws IOException {
        try {
            Files.move(logFile, deletedFile(logFile), StandardCopyOption.ATOMIC_MOVE);
            Files.move(index.file(), deletedFile(index.file()), StandardCopyOption.ATOMIC_MOVE);
            Files.move(timeIndex.file(), deletedFile(timeIndex.file()), StandardCopyOption.ATOMIC_MOVE);
            deleted = true;
        } finally {
            close(); // out of the log either way: its files must not stay open (a failed rename stays on disk)
        }
    }

    /** Gives up the log's reference: the files are closed now, or when the last read in progress leaves. */
    @Override
    public void close() throws IOException {
        if (released.compareAndSet(false, true)) {
            release();
        }
    }

    private void closeFiles() throws IOException {
        try {
            channel.close();
        } finally {
            try {
                if (!deleted) {
                    index.flush(); // a clean shutdown leaves whole indexes (see flush())
                    timeIndex.flush();
                }
            } finally {
                try {
                    index.close();
                } finally {
                    timeIndex.close();
                }
                if (deleted) {
                    Files.deleteIfExists(deletedFile(logFile));
                    Files.deleteIfExists(deletedFile(index.file()));
                    Files.deleteIfExists(deletedFile(timeIndex.file()));
                }
            }
        }
    }

    @Override
    public String toString() {
        return "LogSegment[" + logFile.getFileName() + ", offsets " + baseOffset + ".." + (nextOffset - 1) + ", "
            + size + " bytes]";
    }
}

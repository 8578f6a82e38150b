package org.mqworkbook.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.mqworkbook.marker.ExerciseNotDone;

/**
 * The log: a sequence of records with offsets 0, 1, 2, ... kept as a chain of {@link LogSegment}s in one
 * directory (exercise 6.4, the book's 日志分段与索引). Only the last segment — the active one — is
 * appended to; older ones are only read, and deleted whole when retention says so.
 *
 * <pre>
 *  dir/ 00000000000000000000.log .index   offsets 0..4999      (closed, flushed)
 *       00000000000000005000.log .index   offsets 5000..9999   (closed, flushed)
 *       00000000000000010000.log .index   offsets 10000..      ← active: appends go here
 *       00000000000000000000.log.deleted   (retention deleted it; removed when its last reader leaves)
 *       quarantine/                        files recovery could not use, kept aside, never deleted
 * </pre>
 *
 * <p>Why segments: retention deletes a whole file instead of rewriting one huge file; recovery only
 * needs to check the tail; and a read finds its segment by base offset (a floor lookup in a sorted map)
 * before the segment's own index finds the position.
 *
 * <p>Methods of this class are thread safe. {@link #lock} serializes appends, rolls and retention;
 * reads take no lock (the segment map is concurrent, segments publish their size and index entries
 * safely, and a read holds its segment open against retention: {@link #readSegment}); the group-commit
 * fsync runs without the lock so that appends continue during it. {@code LogConcurrencyTest} backs this.
 */
public final class Log implements Closeable {
    private static final Pattern SEGMENT_FILE = Pattern.compile("(\\d{20})\\.(log|index)");
    private static final Pattern DELETED_SEGMENT_FILE = Pattern.compile("\\d{20}\\.(log|index)\\.deleted");

    private final Path dir;
    private final LogConfig config;
    private final FileOpener opener;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    /** Segments by base offset. Modified under {@link #lock}; read by anyone. */
    private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
    private final GroupCommit groupCommit = new GroupCommit(this::flushActive);
    private final List<String> recoveryReport = new ArrayList<>();

    /** Records and bytes appended since the last flush, and when the oldest of them was appended. Guarded by lock. */
    private long unflushedMessages;
    private long unflushedBytes;
    private long oldestUnflushedMillis;

    private Log(Path dir, LogConfig config, FileOpener opener, Clock clock) {
        this.dir = dir;
        this.config = config;
        this.opener = opener;
        this.clock = clock;
    }

    /**
     * Opens the log in {@code dir}, creating it if needed, and recovers it: the last segment, and any
     * segment whose index is missing, is checked record by record ({@link LogSegment#recover()}). Files
     * that do not belong to a log are moved to {@code dir/quarantine} — never deleted — and the report
     * says so ({@link #recoveryReport()}).
     */
    public static Log open(Path dir, LogConfig config, FileOpener opener, Clock clock) throws IOException {
        Files.createDirectories(dir);
        Log log = new Log(dir, config, opener, clock);
        log.load();
        return log;
    }

    private void load() throws IOException {
        List<Long> baseOffsets = new ArrayList<>();
        List<Path> foreign = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                Matcher m = SEGMENT_FILE.matcher(file.getFileName().toString());
                if (DELETED_SEGMENT_FILE.matcher(file.getFileName().toString()).matches()) {
                    // retention had deleted it; the broker stopped before the last reader let go
                    Files.delete(file);
                    recoveryReport.add(file.getFileName() + " was a deleted segment's file: removed");
                } else if (!m.matches()) {
                    foreign.add(file);
                } else if (m.group(2).equals("log")) {
                    baseOffsets.add(Long.parseLong(m.group(1)));
                } else if (!Files.exists(dir.resolve(m.group(1) + ".log"))) {
                    foreign.add(file); // an index without its log
                }
            }
        }
        for (Path file : foreign) {
            quarantine(file, "does not belong to a log");
        }
        Collections.sort(baseOffsets);
        for (int i = 0; i < baseOffsets.size(); i++) {
            long base = baseOffsets.get(i);
            boolean last = i == baseOffsets.size() - 1;
            boolean indexMissing = !Files.exists(LogSegment.indexFile(dir, base));
            LogSegment segment = LogSegment.open(dir, base, config, opener);
            if (last || indexMissing) {
                SegmentRecovery recovery = segment.recover();
                if (recovery.truncated() || indexMissing) {
                    recoveryReport.add(recovery.toString());
                }
            } else {
                segment.recover(); // older segments were flushed when rolled; checking them keeps offsets honest
            }
            if (!segments.isEmpty() && segment.baseOffset() != segments.lastEntry().getValue().nextOffset()) {
                // a gap: a later segment cannot follow; keep it aside rather than reuse or skip offsets
                segment.close();
                quarantine(segment.logFile(), "does not continue the log (expected base offset "
                    + segments.lastEntry().getValue().nextOffset() + ")");
                quarantine(LogSegment.indexFile(dir, base), "belongs to a quarantined segment");
                continue;
            }
            segments.put(base, segment);
        }
        if (segments.isEmpty()) {
            segments.put(0L, LogSegment.open(dir, 0, config, opener));
        }
        groupCommit.appended(nextOffset() - 1);
        groupCommit.flushed(nextOffset() - 1);
    }

    private void quarantine(Path file, String why) throws IOException {
        Path aside = Files.createDirectories(dir.resolve("quarantine"));
        Path target = aside.resolve(file.getFileName() + "." + clock.millis());
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        recoveryReport.add(file.getFileName() + " " + why + ": kept aside as " + dir.relativize(target));
    }

    /**
     * Appends a record and returns its offset. Durable only after {@link #awaitDurable(long)} returns
     * (or a flush the policy triggers).
     *
     * <p>Under the lock: if the record would take the active segment past {@code segmentBytes}, or the
     * active segment is older than {@code segmentAge}, {@link #roll()} first (never roll an empty
     * segment). Append with the next offset and the clock's time to the active segment; tell the group
     * commit it was appended; count it as unflushed; flush now if the {@link FlushPolicy} says so.
     *
     * @throws IllegalArgumentException if the record is larger than {@code maxRecordBytes}
     */
    public long append(byte[] key, byte[] value, List<Header> headers) throws IOException {
        Record record = new Record(0, clock.millis(), key, value, headers);
        int size = RecordFormat.sizeOf(record);
        if (size - RecordFormat.LENGTH_BYTES > config.maxRecordBytes()) {
            throw new IllegalArgumentException("a record of " + size + " bytes is larger than the log accepts ("
                + config.maxRecordBytes() + ") in " + dir);
        }
        lock.lock();
        try {
            return appendLocked(record, size);
        } finally {
            lock.unlock();
        }
    }

    private long appendLocked(Record unnumbered, int size) throws IOException {
        // BEGIN EXERCISE 6.4
        throw new ExerciseNotDone("6.4");
        // END EXERCISE 6.4
    }

    /**
     * Closes the active segment for appends: flushes it (so every segment but the last is always on
     * disk), then opens a new active segment whose base offset is the next offset. Called with the lock.
     */
    LogSegment roll() throws IOException {
        assert lock.isHeldByCurrentThread();
        LogSegment active = segments.lastEntry().getValue();
        flushLocked();
        LogSegment next = LogSegment.open(dir, active.nextOffset(), config, opener);
        segments.put(next.baseOffset(), next);
        return next;
    }

    /**
     * Returns once the record at {@code offset} is on disk: the acknowledgement a durable producer waits
     * for. Concurrent callers share fsyncs ({@link GroupCommit}).
     */
    public void awaitDurable(long offset) throws IOException, InterruptedException {
        groupCommit.awaitDurable(offset);
    }

    /**
     * Reads records from {@code offset} on, about {@code maxBytes} of them (at least one if there is one).
     * Find the segment with the greatest base offset at or below {@code offset}; if it has nothing from
     * there on (the offset is its last + 1), go on to the next segment. Read a segment through
     * {@link #readSegment}, never {@code LogSegment.read} directly: retention may delete the segment while
     * you read it.
     *
     * @throws OffsetOutOfRangeException if {@code offset} is below {@link #logStartOffset()} or above
     *                                   {@link #nextOffset()}; reading at the next offset returns nothing
     */
    public List<Record> read(long offset, int maxBytes) throws IOException {
        // BEGIN EXERCISE 6.4
        throw new ExerciseNotDone("6.4");
        // END EXERCISE 6.4
    }

    /**
     * Reads from one segment, holding it open ({@link LogSegment#retain}) so that retention, which may
     * remove it from the log at any moment, cannot close its files under the read.
     *
     * @throws OffsetOutOfRangeException if retention deleted the segment before the read could enter it:
     *                                   its offsets are below the log's start now
     */
    private List<Record> readSegment(LogSegment segment, long offset, int maxBytes) throws IOException {
        if (!segment.retain()) {
            throw new OffsetOutOfRangeException(offset, logStartOffset(), nextOffset());
        }
        try {
            return segment.read(offset, maxBytes);
        } finally {
            segment.release();
        }
    }

    /**
     * Deletes whole old segments (retention), oldest first, never the active one: while the log's total
     * size is above {@code retentionBytes}, and while the oldest segment's newest record is older than
     * {@code retentionAge}. Offsets are not reused afterwards: the log simply starts later.
     *
     * @return how many segments were deleted
     */
    public int deleteRetainedSegments() throws IOException {
        lock.lock();
        try {
            // BEGIN EXERCISE 6.4
            throw new ExerciseNotDone("6.4");
            // END EXERCISE 6.4
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deletes whole segments all of whose records are below {@code offset} — a queue's way of retention:
     * everything below its acknowledgement floor is settled and will never be read again. Never the
     * active segment.
     *
     * @return how many segments were deleted
     */
    public int deleteSegmentsBelow(long offset) throws IOException {
        lock.lock();
        try {
            int deleted = 0;
            while (segments.size() > 1) {
                Map.Entry<Long, LogSegment> second = segments.higherEntry(segments.firstKey());
                if (second.getKey() > offset) {
                    break;
                }
                segments.pollFirstEntry().getValue().delete();
                deleted++;
            }
            return deleted;
        } finally {
            lock.unlock();
        }
    }

    /** Flushes if the policy's interval says so; the broker's timer calls this. */
    public void flushIfDue() throws IOException {
        lock.lock();
        try {
            Duration age = Duration.ofMillis(clock.millis() - oldestUnflushedMillis);
            if (config.flushPolicy().isDue(unflushedMessages, unflushedBytes, age)) {
                flushLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Forces everything appended to disk. */
    public void flush() throws IOException {
        lock.lock();
        try {
            flushLocked();
        } finally {
            lock.unlock();
        }
    }

    private void flushLocked() throws IOException {
        long upTo = nextOffset() - 1;
        segments.lastEntry().getValue().flush();
        unflushedMessages = 0;
        unflushedBytes = 0;
        groupCommit.flushed(upTo);
    }

    /** Group commit's fsync: the active segment (older ones were flushed when they were rolled). */
    private void flushActive() throws IOException {
        segments.lastEntry().getValue().flush();
    }

    /** The first offset still in the log (retention moves it forward). */
    public long logStartOffset() {
        return segments.firstEntry().getValue().baseOffset();
    }

    /** The offset the next appended record gets. */
    public long nextOffset() {
        return segments.lastEntry().getValue().nextOffset();
    }

    /** Total bytes of records in all segments. */
    public long size() {
        return segments.values().stream().mapToLong(LogSegment::size).sum();
    }

    /** The segments, oldest first. */
    public List<LogSegment> segments() {
        return List.copyOf(segments.values());
    }

    /** How many fsyncs group commit made for waiting producers. */
    public long groupCommitSyncs() {
        return groupCommit.syncs();
    }

    /** What recovery found when the log was opened: truncated tails, rebuilt indexes, quarantined files. */
    public List<String> recoveryReport() {
        return List.copyOf(recoveryReport);
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            flushLocked();
            for (LogSegment segment : segments.values()) {
                segment.close();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Log[" + dir + ", offsets " + logStartOffset() + ".." + (nextOffset() - 1) + ", " + segments.size()
            + " segments]";
    }
}

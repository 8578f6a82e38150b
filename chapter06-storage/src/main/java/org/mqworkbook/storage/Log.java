package org.mqworkbook.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
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
 *  dir/ 00000000000000000000.log .index .timeindex   offsets 0..4999      (closed, flushed)
 *       00000000000000005000.log .index .timeindex   offsets 5000..9999   (closed, flushed)
 *       00000000000000010000.log .index .timeindex   offsets 10000..      ← active: appends go here
 *       00000000000000000000.log.deleted              (retention deleted it; removed when its last reader leaves)
 *       quarantine/                                   files recovery could not use, kept aside, never deleted
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
    private static final Pattern SEGMENT_FILE = Pattern.compile("(\\d{20})\\.(log|index|timeindex)");
    /** The offset below which every record is known to be flushed: Kafka's recovery point. */
    public static final String RECOVERY_POINT_FILE = "recovery-point.checkpoint";
    private static final Pattern DELETED_SEGMENT_FILE = Pattern.compile("\\d{20}\\.(log|index|timeindex)\\.deleted");

    private final Path dir;
    private final LogConfig config;
    private final FileOpener opener;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    /** Segments by base offset. Modified under {@link #lock}; read by anyone. */
    private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
    private final GroupCommit groupCommit = new GroupCommit(this::flushActive);
    private final List<String> recoveryReport = new ArrayList<>();
    /** First offset of each run of unreadable offsets → why; the run ends where the next segment begins. */
    private final ConcurrentSkipListMap<Long, String> unreadable = new ConcurrentSkipListMap<>();
    /** Where {@link #checkpointRecoveryPoint()} writes the offset below which everything is flushed. */
    private final CheckpointFile recoveryPointFile;
    /** The recovery point last written. Guarded by lock. */
    private long checkpointedRecoveryPoint;
    /** When {@link #checkpointRecoveryPointIfDue()} last wrote it (clock millis). Guarded by lock. */
    private long recoveryPointWrittenMillis;

    /** Records and bytes appended since the last flush, and when the oldest of them was appended. Guarded by lock. */
    private long unflushedMessages;
    private long unflushedBytes;
    private long oldestUnflushedMillis;

    private Log(Path dir, LogConfig config, FileOpener opener, Clock clock) {
        this.dir = dir;
        this.config = config;
        this.opener = opener;
        this.clock = clock;
        this.recoveryPointFile = new CheckpointFile(dir.resolve(RECOVERY_POINT_FILE), "RCVP", 1, opener);
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
        TreeSet<Long> baseOffsets = new TreeSet<>();
        List<Path> foreign = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = file.getFileName().toString();
                Matcher m = SEGMENT_FILE.matcher(name);
                if (DELETED_SEGMENT_FILE.matcher(name).matches()) {
                    // retention had deleted it; the broker stopped before the last reader let go
                    Files.delete(file);
                    recoveryReport.add(name + " was a deleted segment's file: removed");
                } else if (name.endsWith(".log.copying")) {
                    // half a copy of the records after some damage: the next recovery copies them again
                    Files.delete(file);
                    recoveryReport.add(name + " was an unfinished copy of a recovery: removed");
                } else if (name.equals(RECOVERY_POINT_FILE) || name.equals(RECOVERY_POINT_FILE + ".tmp")) {
                    continue; // read below; a stray .tmp is replaced by the next write
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
        long recoveryPoint = readRecoveryPoint();
        try {
            recoverSegments(baseOffsets, recoveryPoint);
        } catch (IOException | RuntimeException e) {
            for (LogSegment opened : segments.values()) {
                try {
                    opened.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        groupCommit.appended(nextOffset() - 1);
        groupCommit.flushed(nextOffset() - 1);
        checkpointedRecoveryPoint = recoveryPoint;
    }

    /** Recovers the segments in offset order, including those recovery itself makes, and fills {@link #segments}. */
    private void recoverSegments(TreeSet<Long> baseOffsets, long recoveryPoint) throws IOException {
        while (!baseOffsets.isEmpty()) {
            long base = baseOffsets.pollFirst();
            boolean last = baseOffsets.isEmpty();
            boolean indexMissing = !Files.exists(LogSegment.indexFile(dir, base));
            LogSegment segment = LogSegment.open(dir, base, config, opener);
            boolean joins;
            try {
                joins = recoverSegment(segment, last, indexMissing, baseOffsets, recoveryPoint);
            } catch (IOException | RuntimeException e) {
                segment.close();
                throw e;
            }
            if (joins) {
                segments.put(base, segment);
            }
        }
        if (segments.isEmpty()) {
            segments.put(0L, LogSegment.open(dir, 0, config, opener));
        }
        if (nextOffset() < recoveryPoint) {
            // the last records below the recovery point were damaged and nothing valid followed them: the log
            // goes on after them, so that their offsets are never given to other records
            reportUnreadable(nextOffset(), recoveryPoint - 1, "no segment holds them");
            LogSegment next = LogSegment.open(dir, recoveryPoint, config, opener);
            segments.put(next.baseOffset(), next);
        }
    }

    /**
     * Recovers one segment and decides whether it joins the log; adds to {@code baseOffsets} the segment that
     * recovery makes of the records found after damage, if any.
     *
     * @return {@code false} if it overlaps the segment before and was closed and put aside
     */
    private boolean recoverSegment(LogSegment segment, boolean last, boolean indexMissing, TreeSet<Long> baseOffsets,
                                   long recoveryPoint) throws IOException {
        long base = segment.baseOffset();
        if (!segments.isEmpty() && base < segments.lastEntry().getValue().nextOffset()) {
            // overlaps the segment before: two files claim the same offsets; keep this one aside
            segment.close();
            quarantine(segment.logFile(), "overlaps the segment before it (which ends at offset "
                + (segments.lastEntry().getValue().nextOffset() - 1) + ")");
            quarantine(LogSegment.indexFile(dir, base), "belongs to a quarantined segment");
            quarantine(LogSegment.timeIndexFile(dir, base), "belongs to a quarantined segment");
            return false;
        }
        SegmentRecovery recovery = segment.recover();
        if (indexMissing) {
            recoveryReport.add(recovery.toString());
        }
        if (!recovery.clean()) {
            // Only the last segment can end in bytes that were never flushed (a segment is forced before the
            // next one begins), and only at or above the recovery point: anything invalid elsewhere is damage
            // to acknowledged records, not a crash's torn tail.
            Long next = baseOffsets.ceiling(base + 1);
            keepOrCut(segment, recovery, last ? recoveryPoint : Long.MAX_VALUE, next == null ? Long.MAX_VALUE : next)
                .ifPresent(baseOffsets::add);
        }
        if (!segments.isEmpty() && base > segments.lastEntry().getValue().nextOffset()) {
            reportUnreadable(segments.lastEntry().getValue().nextOffset(), base - 1, "no segment holds them");
        }
        return true;
    }

    /**
     * Decides what the invalid bytes after a segment's valid prefix are. If they are at or above
     * {@code recoveryPoint}, they are a torn tail: never known to be flushed, cut (the search for a resume
     * point is not even made there, so that bytes a crash left half written are never read as records).
     * Otherwise they are damage: the whole file is copied to {@code quarantine/} first (nothing is
     * destroyed), the records found after the damage are copied into a segment of their own, and the
     * damaged part is cut from this one, so that its offsets become a gap the log reports instead of hiding.
     *
     * @return the base offset of the segment made of the records after the damage, if there are any
     */
    private Optional<Long> keepOrCut(LogSegment segment, SegmentRecovery recovery, long recoveryPoint,
                                     long nextSegmentBase) throws IOException {
        long from = segment.nextOffset();
        if (from >= recoveryPoint) {
            segment.cutInvalidTail();
            recoveryReport.add(segment.logFile().getFileName() + ": " + recovery.invalidBytes()
                + " bytes truncated at position " + recovery.validBytes() + ", after the last flush ("
                + recovery.reason() + ")");
            return Optional.empty();
        }
        Optional<OffsetPosition> resume = segment.findValidRecordAfter(recovery.validBytes(), from, nextSegmentBase);
        if (resume.isPresent() && resume.get().offset() == segment.baseOffset()) {
            throw new StorageException(segment.logFile(), "begins with " + resume.get().position() + " bytes that "
                + "are not records, before its first record: recovery cannot repair it in place; move the file "
                + "aside to start without it");
        }
        Path copy = quarantineCopy(segment.logFile());
        String why = "damaged at position " + recovery.validBytes() + " of " + segment.logFile().getFileName()
            + " (" + recovery.reason() + "); the file as it was is kept as " + dir.relativize(copy);
        unreadable.put(from, why);
        if (resume.isPresent()) {
            segment.copyFrom(resume.get().position(), resume.get().offset(), opener).close();
        }
        segment.cutInvalidTail();
        if (resume.isPresent() && resume.get().offset() == from) {
            recoveryReport.add("bytes between records were " + why + "; no offset was lost");
        }
        return resume.map(OffsetPosition::offset);
    }

    /** Reports offsets {@code from} to {@code to} unreadable, with the damage recovery found there if any. */
    private void reportUnreadable(long from, long to, String otherwise) {
        String why = unreadable.computeIfAbsent(from, f -> otherwise);
        recoveryReport.add("offsets " + from + " to " + to + " are unreadable: " + why
            + "; the records after them are served");
    }

    /** A name in {@code quarantine/} that nothing there has yet: what is kept aside is never overwritten. */
    private Path quarantineName(String wanted) throws IOException {
        Path aside = Files.createDirectories(dir.resolve("quarantine"));
        Path target = aside.resolve(wanted);
        for (int n = 1; Files.exists(target); n++) {
            target = aside.resolve(wanted + "-" + n);
        }
        return target;
    }

    /**
     * Copies {@code file} into {@code quarantine/} as it is, forced, with the directory entry forced too, so
     * that the copy survives a power cut that follows the cut of the original; the original stays.
     */
    private Path quarantineCopy(Path file) throws IOException {
        Path target = quarantineName(file.getFileName() + ".damaged." + clock.millis());
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
             FileChannel out = opener.open(target, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
            long size = in.size();
            for (long done = 0; done < size; ) {
                done += in.transferTo(done, size - done, out);
            }
            out.force(true);
        }
        try (FileChannel aside = opener.open(target.getParent(), Set.of(StandardOpenOption.READ))) {
            aside.force(true);
        }
        return target;
    }

    /** The recovery point as last written, or 0 (nothing is known flushed) if there is none or it is unusable. */
    private long readRecoveryPoint() {
        try {
            Optional<CheckpointFile.Content> content = recoveryPointFile.read();
            if (content.isEmpty()) {
                return 0;
            }
            ByteBuffer payload = content.get().payload();
            if (payload.remaining() != 8) {
                throw new StorageException(recoveryPointFile.file(), "holds " + payload.remaining() + " bytes, not 8");
            }
            return payload.getLong();
        } catch (IOException e) {
            recoveryReport.add(e.getMessage() + ": ignored; every invalid tail is treated as a torn write");
            return 0;
        }
    }

    private void quarantine(Path file, String why) throws IOException {
        Path target = quarantineName(file.getFileName() + "." + clock.millis());
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        recoveryReport.add(file.getFileName() + " " + why + ": kept aside as " + dir.relativize(target));
    }

    /**
     * Appends a record and returns its offset. Durable only after {@link #awaitDurable(long)} returns
     * (or a flush the policy triggers).
     *
     * <p>Under the lock: if the record would take the active segment past {@code segmentBytes}, or the
     * active segment is at least {@code segmentAge} old, {@link #roll()} first (never roll an empty
     * segment). Append with the next offset and the clock's time to the active segment; tell the group
     * commit it was appended; count it as unflushed; flush now if the {@link FlushPolicy} says so.
     *
     * @throws IllegalArgumentException if the record is larger than {@code maxRecordBytes}
     */
    public long append(byte[] key, byte[] value, List<Header> headers) throws IOException {
        Record record = new Record(0, clock.millis(), key, value, headers);
        int size = sizeWithinLimit(record);
        lock.lock();
        try {
            return appendLocked(record, size);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Appends a copy of a record that another log holds at the same offset, keeping its timestamp: what a
     * follower does with the records it fetches from its leader (chapter 8), so that every replica holds the same
     * record at the same offset. Given code: it goes through the same path as {@link #append} (rolling, group
     * commit, the flush policy), with the record's own timestamp instead of the clock's.
     *
     * @return the offset, which is the record's
     * @throws IllegalArgumentException if the record's offset is not {@link #nextOffset()}, or it is larger than
     *                                  {@code maxRecordBytes}
     */
    public long appendCopy(Record record) throws IOException {
        int size = sizeWithinLimit(record);
        lock.lock();
        try {
            if (record.offset() != nextOffset()) {
                throw new IllegalArgumentException("a copy of offset " + record.offset() + " cannot go to " + dir
                    + ", whose next offset is " + nextOffset());
            }
            return appendLocked(record, size);
        } finally {
            lock.unlock();
        }
    }

    /** The record's size in the file, refusing a record larger than {@code maxRecordBytes}. */
    private int sizeWithinLimit(Record record) {
        int size = RecordFormat.sizeOf(record);
        if (size - RecordFormat.LENGTH_BYTES > config.maxRecordBytes()) {
            throw new IllegalArgumentException("a record of " + size + " bytes is larger than the log accepts ("
                + config.maxRecordBytes() + ") in " + dir);
        }
        return size;
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
     * Find the segment with the greatest base offset at or below {@code offset}; if there is none, retention
     * deleted it after your range check: the offset is out of range now. If it has nothing from there on
     * (the offset is its last + 1), go on to the next segment. Read a segment through
     * {@link #readSegment}, never {@code LogSegment.read} directly: retention may delete the segment while
     * you read it. Give it the offset you were asked for, not the segment's base offset: if the next segment
     * starts later, the offsets between are unreadable, and {@code readSegment} says so.
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
     * remove it from the log at any moment, cannot close its files under the read. {@code offset} is the
     * offset asked for. Below the segment's base offset it is either in the segment before, which found
     * nothing there when it was read but has grown and rolled since (a read at the log's end races the
     * appends), or in a gap that damage left between the two segments: the read is then refused rather than
     * silently continued after the gap.
     *
     * @throws OffsetOutOfRangeException  if retention deleted the segment before the read could enter it:
     *                                    its offsets are below the log's start now
     * @throws UnreadableOffsetsException if {@code offset} is below the segment's base offset
     */
    private List<Record> readSegment(LogSegment segment, long offset, int maxBytes) throws IOException {
        if (offset < segment.baseOffset()) {
            Map.Entry<Long, LogSegment> before = segments.floorEntry(offset);
            if (before != null && offset < before.getValue().nextOffset()) {
                // It has the offset now and, with a segment after it, is sealed: reading it again is enough.
                return readSegment(before.getValue(), offset, maxBytes);
            }
            if (offset < logStartOffset()) {
                throw new OffsetOutOfRangeException(offset, logStartOffset(), nextOffset());
            }
            Map.Entry<Long, String> gap = unreadable.floorEntry(offset);
            throw new UnreadableOffsetsException(dir, offset, segment.baseOffset() - 1,
                gap == null ? "no segment holds them" : gap.getValue());
        }
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
     * The first record, in offset order, whose timestamp is at or after {@code timestamp}: its timestamp and
     * offset, or empty if no record is that late (exercise 6.7; Kafka's {@code ListOffsets} by timestamp, and
     * what a consumer seeks to when it seeks by time).
     *
     * <p>Go through the segments oldest first and ask the first one whose {@link LogSegment#largestTimestamp()}
     * is at or after {@code timestamp} ({@link LogSegment#offsetForTimestamp}): every segment before it holds
     * only earlier records, and it holds at least one that is not — or will in a moment: while a record is being
     * appended, the segment's largest timestamp may already count it before a read can see it, and then the
     * segment answers nothing; go on to the next one. Hold each segment open while you ask, as
     * {@link #readSegment} does; if retention deleted it first, its records are gone and the next segment is
     * where the log starts now: go on there too. Do not pick the segment by its first timestamp: where the clock
     * stepped back, a later segment can begin earlier than the one before it ends.
     */
    public Optional<TimestampOffset> offsetForTimestamp(long timestamp) throws IOException {
        // BEGIN EXERCISE 6.7
        throw new ExerciseNotDone("6.7");
        // END EXERCISE 6.7
    }

    /**
     * Deletes whole old segments (retention), oldest first, never the active one: while the log's total
     * size is above {@code retentionBytes}, and while the oldest segment's newest record is at least
     * {@code retentionAge} old. Offsets are not reused afterwards: the log simply starts later.
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

    /**
     * Removes every record at and after {@code offset}, so that the next append gets {@code offset}: what a
     * follower does with the records its new leader never had (chapter 8; Kafka's {@code UnifiedLog.truncateTo}).
     * Given code. Whole segments above {@code offset} are deleted as retention deletes them; the segment that
     * holds {@code offset} is cut there ({@link LogSegment#truncateTo}, which rebuilds its indexes); truncating to
     * the log's start leaves one empty segment there. The recovery point comes down with the log, before this
     * returns, so that a restart does not take the missing offsets for damage.
     *
     * <p>Reads of the offsets being removed must not run meanwhile: a replica truncates only above its high
     * watermark, and consumers read only below it.
     *
     * @throws IllegalArgumentException if {@code offset} is below the log's start or above its end
     */
    public void truncateTo(long offset) throws IOException {
        lock.lock();
        try {
            if (offset < logStartOffset() || offset > nextOffset()) {
                throw new IllegalArgumentException("cannot truncate " + dir + " (offsets " + logStartOffset() + " to "
                    + (nextOffset() - 1) + ") to offset " + offset);
            }
            if (offset == nextOffset()) {
                return;
            }
            while (segments.size() > 1 && segments.lastKey() >= offset) {
                segments.pollLastEntry().getValue().delete(); // every record in it is at or above offset
            }
            LogSegment last = segments.lastEntry().getValue();
            if (offset > last.nextOffset()) {
                // offset is where a segment after a damaged gap began: the gap stays, the log goes on at offset
                segments.put(offset, LogSegment.open(dir, offset, config, opener));
            } else {
                last.truncateTo(offset); // the first segment is cut, never deleted: the log keeps its start
            }
            groupCommit.truncated(offset);
            unflushedMessages = 0;
            unflushedBytes = 0;
            if (checkpointedRecoveryPoint > offset) {
                recoveryPointFile.write(ByteBuffer.allocate(8).putLong(0, offset));
                checkpointedRecoveryPoint = offset;
            }
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

    /**
     * Writes the recovery point — the offset below which every record is on disk — if it moved since the
     * last write. Recovery uses it to tell a torn tail (bytes after it, never acknowledged: cut) from damage
     * to acknowledged records (bytes before it: kept aside, reported). Costs an fsync and a rename, so the
     * broker's timer calls it now and then (Kafka: every {@code log.flush.offset.checkpoint.interval.ms},
     * a minute), and {@link #close()} calls it last. Between two writes the recovery point lags the flushes,
     * and damage to records flushed after it would be taken for a torn tail and cut: the interval is the
     * window in which bit rot costs acknowledged records instead of being reported.
     */
    public void checkpointRecoveryPoint() throws IOException {
        lock.lock();
        try {
            long point = groupCommit.durableOffset() + 1;
            if (point > checkpointedRecoveryPoint) {
                recoveryPointFile.write(ByteBuffer.allocate(8).putLong(0, point));
                checkpointedRecoveryPoint = point;
            }
        } finally {
            lock.unlock();
        }
    }

    /** How often {@link #checkpointRecoveryPointIfDue()} writes at most (Kafka's default is a minute). */
    public static final Duration RECOVERY_POINT_INTERVAL = Duration.ofSeconds(5);

    /** {@link #checkpointRecoveryPoint()}, at most once per {@link #RECOVERY_POINT_INTERVAL}: for timers. */
    public void checkpointRecoveryPointIfDue() throws IOException {
        lock.lock();
        try {
            long now = clock.millis();
            if (now - recoveryPointWrittenMillis >= RECOVERY_POINT_INTERVAL.toMillis()) {
                checkpointRecoveryPoint();
                recoveryPointWrittenMillis = now;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            flushLocked();
            checkpointRecoveryPoint();
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

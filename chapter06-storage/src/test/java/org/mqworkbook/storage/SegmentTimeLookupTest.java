package org.mqworkbook.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.Seeded;

/**
 * Exercise 6.7, {@link LogSegment#offsetForTimestamp}: the first record in offset order whose timestamp is at
 * or after the one asked for, found through the time index, the offset index and a short scan. Every answer is
 * checked against a linear search over the records appended. README section "6.7 Reading by time
 * (日志分段与索引)".
 */
@Exercise("6.7")
@Tag("6.7")
@Timeout(60)
@ExtendWith(Seeded.class)
class SegmentTimeLookupTest {
    private static final String README = "README 6.7";
    private static final long BASE = 2_000;
    private static final LogConfig CONFIG = LogConfig.DEFAULT.withIndexIntervalBytes(256);

    @TempDir
    Path dir;

    private static Record record(long offset, long timestamp) {
        return Record.of(offset, timestamp, String.format("value-%05d", offset).getBytes(UTF_8));
    }

    /** The answer by brute force: the first record in {@code records} at or after {@code timestamp}. */
    private static Optional<TimestampOffset> firstAtOrAfter(List<Record> records, long timestamp) {
        return records.stream().filter(r -> r.timestamp() >= timestamp).findFirst()
            .map(r -> new TimestampOffset(r.timestamp(), r.offset()));
    }

    private List<Record> appendAll(LogSegment segment, long[] timestamps) throws IOException {
        List<Record> appended = new ArrayList<>();
        for (int i = 0; i < timestamps.length; i++) {
            Record r = record(BASE + i, timestamps[i]);
            segment.append(r);
            appended.add(r);
        }
        return appended;
    }

    @Test
    void findsTheFirstRecordAtOrAfterEveryTimeWhenTimestampsRiseAndRepeat() throws IOException {
        long[] timestamps = new long[600];
        for (int i = 0; i < timestamps.length; i++) {
            timestamps[i] = 1_700_000_000_000L + 10L * (i / 4); // four records per timestamp, 10 ms apart
        }
        try (LogSegment segment = LogSegment.open(dir, BASE, CONFIG, FileOpener.REAL)) {
            List<Record> appended = appendAll(segment, timestamps);
            assertThat(segment.timeIndex().entries()).as("the time index is sparse but not empty").isBetween(2, 599);

            for (long t = timestamps[0] - 15; t <= timestamps[timestamps.length - 1] + 15; t++) {
                assertThat(segment.offsetForTimestamp(t)).as("offsetForTimestamp(%d): the first of the records with "
                    + "that time or the next one (%s)", t, README).isEqualTo(firstAtOrAfter(appended, t));
            }
        }
    }

    @Test
    void findsTheFirstRecordInOffsetOrderWhenTheClockStepsBack(Random random) throws IOException {
        long[] timestamps = new long[1_500];
        long now = 1_700_000_000_000L;
        for (int i = 0; i < timestamps.length; i++) {
            // NTP steps the clock back now and then
            now += random.nextInt(10) == 0 ? -random.nextInt(400) : random.nextInt(30);
            timestamps[i] = now;
        }
        try (LogSegment segment = LogSegment.open(dir, BASE, CONFIG, FileOpener.REAL)) {
            List<Record> appended = appendAll(segment, timestamps);
            long lowest = appended.stream().mapToLong(Record::timestamp).min().orElseThrow();
            long highest = appended.stream().mapToLong(Record::timestamp).max().orElseThrow();
            for (int i = 0; i < 3_000; i++) {
                long t = lowest - 50 + random.nextLong(highest - lowest + 100);
                assertThat(segment.offsetForTimestamp(t)).as("offsetForTimestamp(%d) with timestamps that go back now "
                    + "and then: the first record in offset order that is not earlier, not the earliest such record "
                    + "(%s)", t, README).isEqualTo(firstAtOrAfter(appended, t));
            }
        }
    }

    @Test
    void startsFromTheIndexesInsteadOfScanningTheWholeSegment() throws IOException {
        long[] timestamps = new long[600];
        for (int i = 0; i < timestamps.length; i++) {
            timestamps[i] = 1_000 + i;
        }
        try (LogSegment segment = LogSegment.open(dir, BASE, CONFIG, FileOpener.REAL)) {
            List<Record> appended = appendAll(segment, timestamps);
            // Damage the first record on disk. A lookup that starts where the indexes say never reads it; one that
            // scans from the start of the segment finds it corrupt.
            try (FileChannel file = FileChannel.open(LogSegment.logFile(dir, BASE), StandardOpenOption.WRITE)) {
                file.write(ByteBuffer.wrap(new byte[] {0x55, 0x55, 0x55}), 6);
            }

            Optional<TimestampOffset> found;
            try {
                found = segment.offsetForTimestamp(1_500);
            } catch (StorageException e) {
                throw new AssertionError("a lookup late in the segment read its first record: it scanned from the "
                    + "start of the segment instead of from where the time index and the offset index point ("
                    + README + "); " + e.getMessage(), e);
            }
            assertThat(found).as("a lookup late in the segment reads only from the time index's entry on (%s)",
                README).isEqualTo(firstAtOrAfter(appended, 1_500));
        }
    }

    @Test
    void answersNothingWhenEveryRecordIsEarlier() throws IOException {
        try (LogSegment segment = LogSegment.open(dir, BASE, CONFIG, FileOpener.REAL)) {
            assertThat(segment.offsetForTimestamp(0)).as("an empty segment has no record at any time").isEmpty();
            appendAll(segment, new long[] {100, 200, 300});
            assertThat(segment.offsetForTimestamp(301)).as("every record is earlier than 301").isEmpty();
            assertThat(segment.offsetForTimestamp(Long.MIN_VALUE)).contains(new TimestampOffset(100, BASE));
        }
    }

    /**
     * "Reads may run concurrently with appends": while one thread appends records whose timestamp is
     * {@code 1000 + i / 3}, two others look times up. The first record at or after {@code t} is offset
     * {@code BASE + 3 (t - 1000)}; an answer must be exactly that record, or nothing if it had not been appended
     * when the lookup began.
     */
    @Test
    void answersRightWhileRecordsAreAppended(Random random) throws Exception {
        long seed = random.nextLong();
        int count = 30_000;
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong lookups = new AtomicLong();
        CountDownLatch started = new CountDownLatch(2);
        AtomicReference<Exception> thrown = new AtomicReference<>();
        try (LogSegment segment = LogSegment.open(dir, BASE, CONFIG, FileOpener.REAL)) {
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                Random choices = new Random(seed + r);
                Thread reader = new Thread(() -> {
                    started.countDown();
                    try {
                        while (writing.get() && failures.isEmpty()) {
                            long published = segment.nextOffset();
                            long t = 1_000 + choices.nextInt(count / 3 + 5);
                            long expected = BASE + 3 * (t - 1_000);
                            Optional<TimestampOffset> found = segment.offsetForTimestamp(t);
                            lookups.incrementAndGet();
                            if (found.isPresent() ? !found.get().equals(new TimestampOffset(t, expected))
                                : expected < published) {
                                failures.add("offsetForTimestamp(" + t + ") = " + found + " with offsets below "
                                    + published + " already appended; expected offset " + expected);
                            }
                        }
                    } catch (StorageException e) {
                        failures.add("a lookup read a record that was still being written: scan only up to the size "
                            + "read before the lookup, and answer only below the next offset read before it (" + README
                            + "); " + e.getMessage());
                    } catch (IOException | RuntimeException e) {
                        thrown.compareAndSet(null, e);
                        failures.add("a lookup failed: " + e);
                    }
                }, "time-lookup-" + r);
                readers.add(reader);
                reader.start();
            }
            started.await();
            for (int i = 0; i < count && failures.isEmpty(); i++) {
                segment.append(record(BASE + i, 1_000 + i / 3));
            }
            writing.set(false);
            for (Thread reader : readers) {
                reader.join();
            }
        }
        if (thrown.get() != null) {
            throw thrown.get();
        }
        assertThat(failures).as("answers while appending, over %d lookups (%s)", lookups.get(), README).isEmpty();
    }
}

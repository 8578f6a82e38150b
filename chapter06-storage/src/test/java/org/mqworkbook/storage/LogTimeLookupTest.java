package org.mqworkbook.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;
import org.mqworkbook.testkit.Seeded;

/**
 * Exercise 6.7, {@link Log#offsetForTimestamp}: across segments, after retention, and after recovery has
 * rebuilt the time indexes. Every answer is checked against a linear search over the records the log still
 * holds. README section "6.7 Reading by time (日志分段与索引)".
 */
@Exercise("6.7")
@Tag("6.7")
@Timeout(60)
@ExtendWith(Seeded.class)
class LogTimeLookupTest {
    private static final String README = "README 6.7";
    private static final LogConfig CONFIG = LogConfig.DEFAULT.withSegmentBytes(2_000).withIndexIntervalBytes(128);

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock();

    private Log open() throws IOException {
        return Log.open(dir, CONFIG, FileOpener.REAL, clock);
    }

    /** Appends {@code count} records, the clock moving 0 to 20 ms before each; returns them as read back. */
    private List<Record> appendAll(Log log, int count, Random random) throws IOException {
        for (int i = 0; i < count; i++) {
            clock.advance(Duration.ofMillis(random.nextInt(21)));
            log.append(null, ("m" + i).getBytes(UTF_8), List.of());
        }
        return readAll(log);
    }

    private static List<Record> readAll(Log log) throws IOException {
        List<Record> records = new ArrayList<>();
        for (long next = log.logStartOffset(); next < log.nextOffset(); ) {
            List<Record> batch = log.read(next, 64 * 1024);
            records.addAll(batch);
            next = batch.get(batch.size() - 1).offset() + 1;
        }
        return records;
    }

    private static Optional<TimestampOffset> firstAtOrAfter(List<Record> records, long timestamp) {
        return records.stream().filter(r -> r.timestamp() >= timestamp).findFirst()
            .map(r -> new TimestampOffset(r.timestamp(), r.offset()));
    }

    /** Checks every time from before the first record to after the last one. */
    private static void assertEveryTime(Log log, List<Record> records, String when) throws IOException {
        long first = records.get(0).timestamp();
        long last = records.get(records.size() - 1).timestamp();
        for (long t = first - 5; t <= last + 5; t++) {
            assertThat(log.offsetForTimestamp(t)).as("offsetForTimestamp(%d) %s (%s)", t, when, README)
                .isEqualTo(firstAtOrAfter(records, t));
        }
    }

    @Test
    void findsTheFirstRecordAtOrAfterEveryTimeAcrossSegments(Random random) throws IOException {
        try (Log log = open()) {
            List<Record> records = appendAll(log, 1_500, random);
            assertThat(log.segments()).as("small segments: the log rolled many times").hasSizeGreaterThan(10);

            assertEveryTime(log, records, "over " + log.segments().size() + " segments");
            assertThat(log.offsetForTimestamp(records.get(0).timestamp() - 1_000_000)).as("long before the first "
                + "record: the first record").contains(new TimestampOffset(records.get(0).timestamp(), 0));
        }
    }

    @Test
    void afterRetentionTheAnswerForAnEarlyTimeIsTheLogsNewStart(Random random) throws IOException {
        try (Log log = open()) {
            List<Record> records = appendAll(log, 1_500, random);
            long cut = log.segments().get(log.segments().size() / 2).baseOffset();
            log.deleteSegmentsBelow(cut);
            List<Record> kept = records.stream().filter(r -> r.offset() >= log.logStartOffset()).toList();
            assertThat(log.logStartOffset()).isPositive();

            TimestampOffset start = new TimestampOffset(kept.get(0).timestamp(), kept.get(0).offset());
            assertThat(log.offsetForTimestamp(records.get(0).timestamp())).as("the records of that time are deleted: "
                + "the first one still there (%s)", README).contains(start);
            assertEveryTime(log, kept, "after the older half of the segments was deleted");
        }
    }

    /** A clock the test sets, forwards or back: NTP stepping a broker's clock. */
    private static final class SteppingClock extends Clock {
        private volatile long millis = 1_700_000_000_000L;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    @Test
    void findsTheFirstRecordInOffsetOrderWhenTheClockStepsBackAcrossSegments(Random random) throws IOException {
        SteppingClock stepping = new SteppingClock();
        try (Log log = Log.open(dir, CONFIG, FileOpener.REAL, stepping)) {
            for (int i = 0; i < 1_500; i++) {
                boolean rolled = log.segments().get(log.segments().size() - 1).isEmpty();
                // now and then, right at a new segment, the clock steps back by up to 2 s
                stepping.millis += rolled && i > 0 && random.nextBoolean() ? -random.nextInt(2_000)
                    : random.nextInt(21);
                log.append(null, ("m" + i).getBytes(UTF_8), List.of());
            }
            List<Record> records = readAll(log);
            long lowest = records.stream().mapToLong(Record::timestamp).min().orElseThrow();
            long highest = records.stream().mapToLong(Record::timestamp).max().orElseThrow();
            for (long t = lowest - 5; t <= highest + 5; t += 3) {
                assertThat(log.offsetForTimestamp(t)).as("offsetForTimestamp(%d) where segments overlap in time: not "
                    + "the segment whose first record is the latest one before t, but the first segment that has a "
                    + "record at or after t (%s)", t, README).isEqualTo(firstAtOrAfter(records, t));
            }
        }
    }

    @Test
    void answersWhileRetentionDeletesTheSegmentsItReads(Random random) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        AtomicLong lookups = new AtomicLong();
        long start = clock.millis();
        try (Log log = open()) {
            for (int i = 0; i < 200; i++) { // record i has timestamp start + i
                log.append(null, ("m" + i).getBytes(UTF_8), List.of());
                clock.advance(Duration.ofMillis(1));
            }
            Random choices = new Random(random.nextLong());
            Thread reader = new Thread(() -> {
                try {
                    while (running.get()) {
                        long t = start + choices.nextInt(5_000);
                        Optional<TimestampOffset> found = log.offsetForTimestamp(t);
                        lookups.incrementAndGet();
                        if (found.isPresent() && (found.get().timestamp() < t
                            || found.get().timestamp() != start + found.get().offset())) {
                            throw new AssertionError("offsetForTimestamp(" + t + ") = " + found.get());
                        }
                    }
                } catch (IOException | RuntimeException | AssertionError e) {
                    failed.set(e);
                }
            }, "time-lookup");
            reader.start();
            for (int i = 200; i < 5_000 && failed.get() == null; i++) {
                log.append(null, ("m" + i).getBytes(UTF_8), List.of());
                clock.advance(Duration.ofMillis(1));
                if (i % 50 == 0 && log.segments().size() > 3) {
                    log.deleteSegmentsBelow(log.segments().get(log.segments().size() - 3).baseOffset());
                }
            }
            running.set(false);
            reader.join();
        }
        if (failed.get() instanceof RuntimeException bug) {
            throw bug; // an exercise not done yet, or a bug in it: as it is
        }
        assertThat(failed.get()).as("a time lookup while retention deleted segments, over %d lookups: hold each "
            + "segment with retain()/release(), and go on to the next one if retain() refuses (%s)", lookups.get(),
            README).isNull();
    }

    @Test
    void recoveryRebuildsMissingTimeIndexes(Random random) throws IOException {
        List<Record> records;
        try (Log log = open()) {
            records = appendAll(log, 800, random);
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".timeindex")).toList()) {
                Files.delete(file);
            }
        }
        try (Log log = open()) {
            assertEveryTime(log, records, "after the .timeindex files were deleted and the log reopened");
        }
    }

    @Test
    void aRecordCutByRecoveryIsNeverAnAnswer(Random random) throws IOException {
        List<Record> records;
        try (Log log = open()) {
            records = appendAll(log, 300, random);
        }
        clock.advance(Duration.ofSeconds(5));
        Path active;
        try (Log log = open()) {
            log.append(null, "late".getBytes(UTF_8), List.of()); // 5 s after the others
            active = log.segments().get(log.segments().size() - 1).logFile();
        }
        try (FileChannel file = FileChannel.open(active, StandardOpenOption.WRITE)) {
            file.truncate(file.size() - 2); // a torn last record: recovery cuts it, unflushed as far as it knows
        }
        Files.delete(dir.resolve(Log.RECOVERY_POINT_FILE));

        try (Log log = open()) {
            assertThat(log.nextOffset()).as("the torn record is gone").isEqualTo(records.size());
            assertThat(log.offsetForTimestamp(clock.millis())).as("the only record that late was cut by recovery: "
                + "the rebuilt time index knows nothing of it (%s)", README).isEmpty();
            assertEveryTime(log, records, "after recovery cut a torn record");
        }
    }

    @Test
    void aTimeIndexThatCannotBeLoadedIsReplacedAndRebuilt(Random random) throws IOException {
        List<Record> records;
        try (Log log = open()) {
            records = appendAll(log, 400, random);
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".timeindex")).toList()) {
                Files.write(file, ByteBuffer.allocate(7).array()); // not a whole entry: cannot be loaded
            }
        }
        try (Log log = open()) {
            assertEveryTime(log, records, "after every .timeindex was replaced by 7 zero bytes");
        }
    }
}

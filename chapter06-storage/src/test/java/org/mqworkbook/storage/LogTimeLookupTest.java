package org.mqworkbook.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
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

package org.mqworkbook.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;
import org.mqworkbook.testkit.storage.CrashMode;
import org.mqworkbook.testkit.storage.CrashSimulator;

/**
 * Exercise 6.4, the segmented log: rolling by size and age, reading across segments, retention by size
 * and age, a producer waiting for durability. Time is a {@link ManualClock}. What a log keeps across a
 * reopen or a power cut is in {@link LogReopenTest}: reopening runs 6.5's recovery. README section
 * "6.4 The segmented log (日志分段与索引)".
 */
@Exercise("6.4")
@Tag("6.4")
@Timeout(20)
class LogTest {
    /** 100-byte values make 137-byte records; a 1,000-byte segment holds 7 of them. */
    private static final int RECORD_BYTES = RecordFormat.LENGTH_BYTES + RecordFormat.MIN_LENGTH + 100;
    private static final LogConfig SMALL = LogConfig.DEFAULT.withSegmentBytes(1_000).withIndexIntervalBytes(256);

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock();
    private final List<Log> opened = new ArrayList<>();

    private Log open(LogConfig config) throws IOException {
        Log log = Log.open(dir, config, FileOpener.REAL, clock);
        opened.add(log);
        return log;
    }

    @AfterEach
    void close() throws IOException {
        for (Log log : opened) {
            log.close();
        }
    }

    private static long append(Log log, String value) throws IOException {
        return log.append(null, String.format("%-100s", value).getBytes(UTF_8), List.of());
    }

    private static String valueOf(Record record) {
        return new String(record.value(), UTF_8).strip();
    }

    @Test
    void givesConsecutiveOffsetsFromZero() throws IOException {
        Log log = open(LogConfig.DEFAULT);

        assertThat(List.of(append(log, "a"), append(log, "b"), append(log, "c"))).containsExactly(0L, 1L, 2L);
        assertThat(log.nextOffset()).isEqualTo(3);
        assertThat(valueOf(log.read(1, 1).get(0))).isEqualTo("b");
    }

    @Test
    void rollsToANewSegmentWhenTheActiveOneWouldOverflow() throws IOException {
        Log log = open(SMALL);

        for (int i = 0; i < 20; i++) {
            append(log, "m" + i);
        }

        List<LogSegment> segments = log.segments();
        assertThat(segments).hasSize(3);
        assertThat(segments).extracting(LogSegment::baseOffset).containsExactly(0L, 7L, 14L);
        assertThat(segments).allMatch(s -> s.size() <= 1_000, "no segment exceeds segmentBytes");
        assertThat(Files.exists(dir.resolve("00000000000000000007.log"))).isTrue();
        assertThat(RECORD_BYTES * 7).isLessThanOrEqualTo(1_000);
    }

    @Test
    void rollsWhenTheActiveSegmentIsOlderThanTheSegmentAge() throws IOException {
        Log log = open(LogConfig.DEFAULT.withSegmentAge(Duration.ofHours(1)));
        append(log, "old");

        clock.advance(Duration.ofMinutes(59));
        append(log, "still young");
        assertThat(log.segments()).hasSize(1);

        clock.advance(Duration.ofMinutes(1));
        append(log, "new");
        assertThat(log.segments()).extracting(LogSegment::baseOffset).containsExactly(0L, 2L);
    }

    @Test
    void neverRollsAnEmptySegment() throws IOException {
        Log log = open(LogConfig.DEFAULT.withSegmentAge(Duration.ofMillis(1)));
        LogSegment empty = log.segments().get(0);

        clock.advance(Duration.ofHours(5));
        append(log, "first");

        assertThat(log.segments()).as("an empty segment is never too old: the first record goes into it, "
            + "not into a new segment with the same base offset that replaces it").singleElement()
            .isSameAs(empty);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(f -> f.toString().endsWith(".log")).count()).isEqualTo(1);
        }
        assertThat(valueOf(log.read(0, 1_000).get(0))).isEqualTo("first");
    }

    @Test
    void readsFromAnyOffsetAcrossSegments() throws IOException {
        Log log = open(SMALL);
        for (int i = 0; i < 30; i++) {
            append(log, "m" + i);
        }

        for (long offset = 0; offset < 30; offset++) {
            List<Record> read = log.read(offset, 300);
            assertThat(read).as("read(%d)", offset).isNotEmpty();
            assertThat(read.get(0).offset()).isEqualTo(offset);
            assertThat(valueOf(read.get(0))).isEqualTo("m" + offset);
        }
        List<String> all = new ArrayList<>();
        for (long next = 0; next < log.nextOffset(); ) {
            List<Record> batch = log.read(next, 500);
            batch.forEach(r -> all.add(valueOf(r)));
            next = batch.get(batch.size() - 1).offset() + 1;
        }
        assertThat(all).hasSize(30).startsWith("m0", "m1").endsWith("m29");
    }

    @Test
    void readingAtTheNextOffsetReturnsNothingAndBeyondItIsAnError() throws IOException {
        Log log = open(LogConfig.DEFAULT);
        append(log, "only");

        assertThat(log.read(1, 1_000)).as("a consumer that is caught up gets nothing, not an error").isEmpty();
        assertThatThrownBy(() -> log.read(2, 1_000)).isInstanceOf(OffsetOutOfRangeException.class)
            .hasMessageContaining("offset 2").hasMessageContaining("0 to 0");
        assertThatThrownBy(() -> log.read(-1, 1_000)).isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void retentionBySizeDeletesWholeOldestSegmentsButNeverTheActiveOne() throws IOException {
        Log log = open(SMALL.withRetention(2_000, Duration.ofDays(7)));
        for (int i = 0; i < 30; i++) {
            append(log, "m" + i);
        }
        long before = log.segments().size();

        int deleted = log.deleteRetainedSegments();

        assertThat(deleted).isPositive();
        assertThat(log.segments()).hasSize((int) before - deleted);
        assertThat(log.size()).isLessThanOrEqualTo(2_000);
        assertThat(log.logStartOffset()).isEqualTo(log.segments().get(0).baseOffset()).isPositive();
        assertThat(Files.exists(dir.resolve("00000000000000000000.log"))).as("the files are gone").isFalse();
        assertThatThrownBy(() -> log.read(0, 100)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThat(log.read(log.logStartOffset(), 100)).isNotEmpty();
    }

    @Test
    void retentionNeverDeletesTheActiveSegmentEvenWhenEveryRecordIsTooOld() throws IOException {
        Log log = open(SMALL.withRetention(Long.MAX_VALUE, Duration.ofDays(1)));
        for (int i = 0; i < 10; i++) {
            append(log, "old" + i); // two segments: 0..6 and the active one, 7..9
        }
        LogSegment active = log.segments().get(log.segments().size() - 1);
        clock.advance(Duration.ofDays(2));

        int deleted = log.deleteRetainedSegments();

        assertThat(deleted).as("only the closed segment goes: the active one is where the next record lands")
            .isEqualTo(1);
        assertThat(log.segments()).singleElement().isSameAs(active);
        assertThat(log.logStartOffset()).isEqualTo(7);
        assertThat(append(log, "new")).as("the log carries on from where it was").isEqualTo(10);
        assertThat(valueOf(log.read(7, 1_000).get(0))).isEqualTo("old7");
    }

    @Test
    void retentionByAgeDeletesSegmentsWhoseNewestRecordIsTooOld() throws IOException {
        Log log = open(SMALL.withRetention(Long.MAX_VALUE, Duration.ofDays(1)));
        for (int i = 0; i < 10; i++) {
            append(log, "old" + i); // two segments: 0..6 and 7..9
        }
        clock.advance(Duration.ofDays(1));
        for (int i = 0; i < 5; i++) {
            append(log, "new" + i); // 10..13 fill the second segment, 14 starts a third
        }

        int deleted = log.deleteRetainedSegments();

        assertThat(deleted).as("only the first segment holds nothing but day-old records").isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(7);
    }

    @Test
    void aFullDiskRefusesTheAppendClearlyAndLosesNothingAccepted() throws IOException {
        CrashSimulator disk = new CrashSimulator(1, CrashMode.DROP);
        Log log = Log.open(dir, LogConfig.DEFAULT, disk::open, clock);
        append(log, "before");
        disk.setDiskFull(true);

        assertThatThrownBy(() -> append(log, "refused")).isInstanceOf(IOException.class)
            .hasMessageContaining("No space left on device").hasMessageContaining("00000000000000000000");
        assertThat(log.nextOffset()).as("the refused record took no offset").isEqualTo(1);

        disk.setDiskFull(false);
        assertThat(append(log, "after")).as("space is back: the log carries on where it was").isEqualTo(1);
        log.flush();
        assertThat(log.read(0, 1_000)).extracting(LogTest::valueOf).containsExactly("before", "after");
    }

    @Test
    void aProducerWaitingForDurabilityIsAnsweredOnceTheRecordIsFlushed() throws Exception {
        Log log = open(LogConfig.DEFAULT);
        long offset = append(log, "wait for me");
        ExecutorService waiter = Executors.newSingleThreadExecutor();
        try {
            Future<?> durable = waiter.submit(() -> {
                log.awaitDurable(offset);
                return null;
            });
            try {
                durable.get(5, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("awaitDurable(" + offset + ") did not return within 5 s: Log.append must "
                    + "tell the group commit what it appended (groupCommit.appended(offset)), or the fsync a "
                    + "waiting producer starts covers nothing and it waits for ever (README 6.4, Spec)");
            }
        } finally {
            waiter.shutdownNow();
        }
    }

    @Test
    void refusesARecordLargerThanTheLimitAndStaysUsable() throws IOException {
        Log log = open(LogConfig.DEFAULT);

        assertThatThrownBy(() -> log.append(null, new byte[LogConfig.DEFAULT.maxRecordBytes() + 1], List.of()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("larger than");
        assertThat(append(log, "fine")).isZero();
    }
}

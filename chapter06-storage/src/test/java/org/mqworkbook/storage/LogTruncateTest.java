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
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;

/**
 * {@link Log#truncateTo}, given code that cuts a log from its end (chapter 8's followers need it) and rebuilds
 * the cut segment's indexes with exercise 6.5's {@link LogSegment#recover()}. README section "6.5 Recovery".
 */
@Exercise("6.5")
@Tag("6.5")
@Timeout(20)
class LogTruncateTest {
    private static final LogConfig CONFIG = LogConfig.DEFAULT.withSegmentBytes(600).withIndexIntervalBytes(64);

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock();

    private Log open() throws IOException {
        return Log.open(dir, CONFIG, FileOpener.REAL, clock);
    }

    private void appendAll(Log log, int from, int to) throws IOException {
        for (int i = from; i < to; i++) {
            clock.advance(Duration.ofMillis(10));
            log.append(null, ("m" + i).getBytes(UTF_8), List.of());
        }
    }

    private static List<String> readAll(Log log) throws IOException {
        List<String> values = new ArrayList<>();
        for (long next = log.logStartOffset(); next < log.nextOffset(); ) {
            for (Record record : log.read(next, 4096)) {
                assertThat(record.offset()).isEqualTo(next);
                values.add(new String(record.value(), UTF_8));
                next++;
            }
        }
        return values;
    }

    private static List<String> values(int from, int to) {
        List<String> values = new ArrayList<>();
        for (int i = from; i < to; i++) {
            values.add("m" + i);
        }
        return values;
    }

    @Test
    void truncatingInsideASegmentCutsItThereAndTheNextAppendTakesTheOffset() throws IOException {
        try (Log log = open()) {
            appendAll(log, 0, 100);
            int segmentsBefore = log.segments().size();
            long cut = log.segments().get(segmentsBefore / 2).baseOffset() + 3;

            log.truncateTo(cut);

            assertThat(log.nextOffset()).isEqualTo(cut);
            assertThat(readAll(log)).isEqualTo(values(0, (int) cut));
            assertThat(log.segments()).as("the segments after the cut are deleted").hasSize(segmentsBefore / 2 + 1);
            assertThat(log.offsetForTimestamp(clock.millis() - 5)).as("the time index forgot the cut records")
                .isEmpty();
            long appended = log.append(null, "new".getBytes(UTF_8), List.of());
            assertThat(appended).isEqualTo(cut);
            assertThat(log.read(cut, 4096)).extracting(r -> new String(r.value(), UTF_8)).containsExactly("new");
            for (long offset = 0; offset < cut; offset++) {
                assertThat(log.read(offset, 1)).as("offset %d through the rebuilt index", offset)
                    .extracting(Record::offset).first().isEqualTo(offset);
            }
        }
    }

    @Test
    void truncatingAtASegmentsBaseDeletesThatSegmentAndTruncatingToTheStartLeavesAnEmptyLog() throws IOException {
        try (Log log = open()) {
            appendAll(log, 0, 100);
            long base = log.segments().get(2).baseOffset();
            log.truncateTo(base);
            assertThat(log.segments()).hasSize(2);
            assertThat(readAll(log)).isEqualTo(values(0, (int) base));

            log.truncateTo(0);
            assertThat(log.nextOffset()).isZero();
            assertThat(log.segments()).hasSize(1);
            appendAll(log, 0, 3);
            assertThat(readAll(log)).isEqualTo(values(0, 3));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no file of a deleted segment is left")
                .noneMatch(name -> name.endsWith(".deleted"));
        }
    }

    @Test
    void aTruncatedLogReopensAsItWasWithNothingReportedUnreadable() throws IOException {
        try (Log log = open()) {
            appendAll(log, 0, 80);
            log.flush();
            log.checkpointRecoveryPoint(); // the recovery point is at 80
            log.truncateTo(50);
            appendAll(log, 50, 60);
        }
        try (Log log = open()) {
            assertThat(readAll(log)).isEqualTo(values(0, 60));
            assertThat(log.recoveryReport()).as("the recovery point came down with the log: offsets 60 to 79 are not "
                + "missing records").noneMatch(line -> line.contains("unreadable"));
        }
    }

    @Test
    void refusesAnOffsetOutsideTheLog() throws IOException {
        try (Log log = open()) {
            appendAll(log, 0, 10);
            log.truncateTo(8);
            assertThatThrownBy(() -> log.truncateTo(9)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset 9");
            log.truncateTo(8);
            assertThat(log.nextOffset()).as("truncating to the end changes nothing").isEqualTo(8);
            assertThat(readAll(log)).isEqualTo(values(0, 8));
        }
    }
}

package org.mqworkbook.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;

/**
 * {@link Log#appendCopy}, given code on exercise 6.4's append path: a log that copies another record for record
 * (what chapter 8's followers do) holds the same records at the same offsets with the same timestamps. README
 * section "6.4 The segmented log".
 */
@Exercise("6.4")
@Tag("6.4")
@Timeout(20)
class LogCopyTest {
    private static final LogConfig CONFIG = LogConfig.DEFAULT.withSegmentBytes(400).withIndexIntervalBytes(64);

    @TempDir
    Path dir;

    @Test
    void aCopyHoldsTheSameRecordsAtTheSameOffsetsWithTheSameTimestamps() throws IOException {
        ManualClock leaderClock = new ManualClock();
        ManualClock followerClock = new ManualClock(ManualClock.DEFAULT_START.plusSeconds(3_600));
        try (Log leader = Log.open(dir.resolve("leader"), CONFIG, FileOpener.REAL, leaderClock);
             Log follower = Log.open(dir.resolve("follower"), CONFIG, FileOpener.REAL, followerClock)) {
            for (int i = 0; i < 60; i++) {
                leaderClock.advance(Duration.ofMillis(7));
                leader.append(("k" + i).getBytes(UTF_8), ("v" + i).getBytes(UTF_8), List.of());
            }
            List<Record> original = new ArrayList<>();
            for (long next = 0; next < leader.nextOffset(); ) {
                List<Record> batch = leader.read(next, 4096);
                original.addAll(batch);
                next = batch.get(batch.size() - 1).offset() + 1;
            }
            for (Record record : original) {
                assertThat(follower.appendCopy(record)).isEqualTo(record.offset());
            }
            List<Record> copied = new ArrayList<>();
            for (long next = 0; next < follower.nextOffset(); ) {
                List<Record> batch = follower.read(next, 4096);
                copied.addAll(batch);
                next = batch.get(batch.size() - 1).offset() + 1;
            }

            assertThat(copied).as("record for record, timestamps included (not the follower's clock)")
                .isEqualTo(original);
            assertThat(follower.segments()).as("the copy rolls segments as the original does").hasSizeGreaterThan(1);
        }
    }

    @Test
    void refusesACopyThatIsNotTheNextOffset() throws IOException {
        try (Log follower = Log.open(dir, CONFIG, FileOpener.REAL, new ManualClock())) {
            follower.appendCopy(Record.of(0, 5, "a".getBytes(UTF_8)));
            assertThatThrownBy(() -> follower.appendCopy(Record.of(2, 6, "c".getBytes(UTF_8))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset 2")
                .hasMessageContaining("next offset is 1");
            assertThatThrownBy(() -> follower.appendCopy(Record.of(0, 6, "again".getBytes(UTF_8))))
                .as("a copy already there (a duplicate fetch answer) is refused, not appended twice")
                .isInstanceOf(IllegalArgumentException.class);
            assertThat(follower.nextOffset()).isEqualTo(1);
        }
    }
}

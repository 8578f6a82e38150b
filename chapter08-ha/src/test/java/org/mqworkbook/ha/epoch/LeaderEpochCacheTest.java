package org.mqworkbook.ha.epoch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.Seeded;

/**
 * Exercise 8.1, {@link LeaderEpochCache}: Kafka's {@code LeaderEpochFileCache} semantics for assign, the end
 * offset of an epoch, and truncation at either end, every change on disk. Most tests start from the class
 * comment's example: epochs 0, 2 and 3 starting at offsets 0, 4 and 7. README section "8.1 Leader epochs
 * (主从复制)".
 */
@Exercise("8.1")
@Tag("8.1")
@Timeout(20)
@ExtendWith(Seeded.class)
class LeaderEpochCacheTest {
    private static final String README = "README 8.1";

    @TempDir
    Path dir;

    private LeaderEpochCache open() throws IOException {
        return LeaderEpochCache.open(dir, FileOpener.REAL);
    }

    /** The class comment's example: (0 → 0) (2 → 4) (3 → 7). */
    private LeaderEpochCache example() throws IOException {
        LeaderEpochCache cache = open();
        cache.assign(0, 0);
        cache.assign(2, 4);
        cache.assign(3, 7);
        return cache;
    }

    private static List<EpochEntry> entries(int... epochAndStart) {
        EpochEntry[] entries = new EpochEntry[epochAndStart.length / 2];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = new EpochEntry(epochAndStart[2 * i], epochAndStart[2 * i + 1]);
        }
        return List.of(entries);
    }

    @Test
    void assignRecordsTheFirstOffsetOfEachEpochOnly() throws IOException {
        LeaderEpochCache cache = open();
        cache.assign(0, 0);
        cache.assign(0, 1); // every record of epoch 0 is reported; only the first one counts
        cache.assign(0, 2);
        cache.assign(2, 4);
        cache.assign(2, 5);

        assertThat(cache.entries()).as("one entry per epoch, at its first offset (%s)", README)
            .isEqualTo(entries(0, 0, 2, 4));
        assertThat(cache.latestEpoch()).hasValue(2);
    }

    @Test
    void theSameEpochAtAnEarlierOffsetMovesItsStart() throws IOException {
        LeaderEpochCache cache = example();
        cache.assign(3, 6);

        assertThat(cache.entries()).as("epoch 3 now starts at 6: the log was truncated and epoch 3's first record "
            + "rewritten earlier (%s)", README).isEqualTo(entries(0, 0, 2, 4, 3, 6));
    }

    @Test
    void aLowerEpochRemovesTheEntriesItContradicts() throws IOException {
        LeaderEpochCache cache = example();
        cache.assign(2, 5);

        assertThat(cache.entries()).as("assign(2, 5) after (2 → 4) (3 → 7): epoch 3 is at or above 2 and starts at "
            + "or after 5, and epoch 2's old entry is epoch 2: both go (%s)", README).isEqualTo(entries(0, 0, 2, 5));
    }

    @Test
    void anEarlierOffsetRemovesTheEntriesThatStartAtOrAfterIt() throws IOException {
        LeaderEpochCache cache = example();
        cache.assign(4, 5);

        assertThat(cache.entries()).as("epoch 4 from offset 5: epoch 3's entry (from 7) describes records that are "
            + "gone; epoch 2's (from 4) still holds offset 4 (%s)", README).isEqualTo(entries(0, 0, 2, 4, 4, 5));
    }

    @Test
    void refusesANegativeEpochOrOffset() throws IOException {
        LeaderEpochCache cache = example();

        assertThatThrownBy(() -> cache.assign(-1, 9)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("-1");
        assertThatThrownBy(() -> cache.assign(4, -3)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("-3");
        assertThat(cache.entries()).as("nothing changed").isEqualTo(entries(0, 0, 2, 4, 3, 7));
    }

    @Test
    void endOffsetForFollowsKafkasRules() throws IOException {
        LeaderEpochCache cache = example();
        long logEnd = 10;

        assertThat(cache.endOffsetFor(2, logEnd)).as("epoch 2 ends where epoch 3 starts (%s)", README)
            .isEqualTo(new EpochEndOffset(2, 7));
        assertThat(cache.endOffsetFor(1, logEnd)).as("no epoch 1 here: the largest at or below it is 0, which ends "
            + "where epoch 2 starts").isEqualTo(new EpochEndOffset(0, 4));
        assertThat(cache.endOffsetFor(0, logEnd)).isEqualTo(new EpochEndOffset(0, 4));
        assertThat(cache.endOffsetFor(3, logEnd)).as("the latest epoch is still being written: it ends at the log end")
            .isEqualTo(new EpochEndOffset(3, 10));
        assertThat(cache.endOffsetFor(5, logEnd)).as("later than any epoch this log knows").isEqualTo(
            EpochEndOffset.UNDEFINED);
        assertThat(cache.endOffsetFor(EpochEndOffset.UNDEFINED_EPOCH, logEnd)).isEqualTo(EpochEndOffset.UNDEFINED);
        LeaderEpochCache empty = LeaderEpochCache.open(Files.createDirectories(dir.resolve("new")), FileOpener.REAL);
        assertThat(empty.endOffsetFor(0, 0)).as("an empty cache knows no epoch").isEqualTo(EpochEndOffset.UNDEFINED);
    }

    @Test
    void anEpochOlderThanTheLogsStartEndsWhereTheFirstKnownEpochStarts() throws IOException {
        LeaderEpochCache cache = example();
        cache.truncateFromStart(5); // retention: offsets below 5 are gone, and with them epoch 0

        assertThat(cache.endOffsetFor(0, 10)).as("epoch 0's records are deleted from this log: the follower may keep "
            + "everything below the first epoch this log knows (%s)", README).isEqualTo(new EpochEndOffset(0, 5));
    }

    @Test
    void truncateFromEndRemovesTheEpochsThatStartAtOrAfterTheNewEnd() throws IOException {
        LeaderEpochCache cache = example();
        cache.truncateFromEnd(8);
        assertThat(cache.entries()).as("the log now ends at 8: epoch 3 (from 7) still has offset 7")
            .isEqualTo(entries(0, 0, 2, 4, 3, 7));
        cache.truncateFromEnd(7);
        assertThat(cache.entries()).as("ends at 7: epoch 3 wrote nothing that is left (%s)", README)
            .isEqualTo(entries(0, 0, 2, 4));
        cache.truncateFromEnd(-1);
        assertThat(cache.entries()).as("a negative end changes nothing").isEqualTo(entries(0, 0, 2, 4));
        cache.truncateFromEnd(0);
        assertThat(cache.entries()).as("an empty log has no epochs").isEmpty();
    }

    @Test
    void truncateFromStartKeepsTheEpochThatCoversTheNewStart() throws IOException {
        LeaderEpochCache cache = example();
        cache.truncateFromStart(0);
        assertThat(cache.entries()).as("nothing before 0").isEqualTo(entries(0, 0, 2, 4, 3, 7));
        cache.truncateFromStart(3);
        assertThat(cache.entries()).as("offset 3 is epoch 0's: it stays, starting at 3 (%s)", README)
            .isEqualTo(entries(0, 3, 2, 4, 3, 7));
        cache.truncateFromStart(5);
        assertThat(cache.entries()).as("offset 5 is epoch 2's: epoch 0 goes, epoch 2 starts at 5")
            .isEqualTo(entries(2, 5, 3, 7));
        cache.truncateFromStart(7);
        assertThat(cache.entries()).as("exactly epoch 3's start: epoch 2 goes").isEqualTo(entries(3, 7));
        cache.truncateFromStart(20);
        assertThat(cache.entries()).as("beyond the last start: the last epoch covers it").isEqualTo(entries(3, 20));
    }

    @Test
    void everyChangeIsOnDiskWhenTheMethodReturns() throws IOException {
        LeaderEpochCache cache = example();
        assertThat(open().entries()).as("a replica restarted after the assigns reads them back (%s)", README)
            .isEqualTo(entries(0, 0, 2, 4, 3, 7));
        cache.assign(4, 9);
        assertThat(open().entries()).isEqualTo(entries(0, 0, 2, 4, 3, 7, 4, 9));
        cache.truncateFromEnd(8);
        assertThat(open().entries()).as("after truncateFromEnd").isEqualTo(entries(0, 0, 2, 4, 3, 7));
        cache.truncateFromStart(5);
        assertThat(open().entries()).as("after truncateFromStart").isEqualTo(entries(2, 5, 3, 7));
    }

    @Test
    void aFollowerCutsExactlyTheRecordsTheNewLeaderNeverHad() throws IOException {
        // KIP-101's case. The old leader A wrote offset 9 in epoch 3 and failed before anyone copied it; B became
        // leader in epoch 4 and wrote its own offset 9 onwards. A comes back as a follower.
        LeaderEpochCache follower = example(); // A: log end 10, offset 9 written in epoch 3
        LeaderEpochCache leader = LeaderEpochCache.open(Files.createDirectories(dir.resolve("b")), FileOpener.REAL);
        leader.assign(0, 0);
        leader.assign(2, 4);
        leader.assign(3, 7);
        leader.assign(4, 9); // B's log end is 12

        EpochEndOffset answer = leader.endOffsetFor(follower.latestEpoch().orElseThrow(), 12);
        assertThat(answer).as("epoch 3 ends at 9 in the leader's log (%s)", README).isEqualTo(
            new EpochEndOffset(3, 9));
        follower.truncateFromEnd(answer.endOffset()); // A cuts its log to 9 and its cache with it
        follower.assign(4, 9); // then copies B's records from 9 on

        assertThat(follower.entries()).as("the follower's history is now the leader's").isEqualTo(leader.entries());
    }

    @Test
    void randomOperationsKeepEpochsAndStartOffsetsIncreasing(Random random) throws IOException {
        LeaderEpochCache cache = open();
        long logEnd = 0;
        int epoch = 0;
        for (int step = 0; step < 2_000; step++) {
            switch (random.nextInt(6)) {
                case 0, 1, 2 -> { // a leader appends, sometimes in a new epoch
                    epoch += random.nextInt(3) == 0 ? 1 + random.nextInt(2) : 0;
                    cache.assign(epoch, logEnd);
                    logEnd += 1 + random.nextInt(5);
                }
                case 3 -> { // a follower truncates its end
                    logEnd = Math.max(0, logEnd - random.nextInt(8));
                    cache.truncateFromEnd(logEnd);
                }
                case 4 -> cache.truncateFromStart(random.nextInt((int) logEnd + 1)); // retention
                default -> { // a lower epoch than the latest arrives (a follower of a new leader rewrites history)
                    int lower = Math.max(0, epoch - random.nextInt(3));
                    long at = Math.max(0, logEnd - random.nextInt(6));
                    cache.assign(lower, at);
                    epoch = Math.max(epoch, lower);
                    logEnd = Math.max(logEnd, at + 1);
                }
            }
            List<EpochEntry> entries = cache.entries();
            for (int i = 1; i < entries.size(); i++) {
                assertThat(entries.get(i).epoch()).as("step %d: epochs strictly increase in %s (%s)", step, entries,
                    README).isGreaterThan(entries.get(i - 1).epoch());
                assertThat(entries.get(i).startOffset()).as("step %d: start offsets strictly increase in %s", step,
                    entries).isGreaterThan(entries.get(i - 1).startOffset());
                assertThat(cache.endOffsetFor(entries.get(i - 1).epoch(), logEnd)).as("step %d: %s ends where the next "
                    + "epoch starts", step, entries.get(i - 1)).isEqualTo(new EpochEndOffset(entries.get(i - 1).epoch(),
                    entries.get(i).startOffset()));
            }
        }
        assertThat(open().entries()).as("what is on disk is what is in memory").isEqualTo(cache.entries());
    }
}

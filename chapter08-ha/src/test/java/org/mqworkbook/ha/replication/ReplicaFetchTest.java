package org.mqworkbook.ha.replication;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.ha.epoch.EpochEntry;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.LogConfig;
import org.mqworkbook.storage.Record;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;

/**
 * Exercise 8.2, one fetch at a time: the leader's {@code onFetch} and the follower's {@code onFetchAnswer}, with
 * the messages between them handed over by the test. Leader L (epoch 3) has followers F and G. README section
 * "8.2 Pull replication (主从复制)".
 */
@Exercise("8.2")
@Tag("8.2")
@Timeout(20)
class ReplicaFetchTest {
    private static final String README = "README 8.2";

    /** A message a replica sent, as the test saw it. */
    private record Sent(String to, ReplicaMessage message) {
    }

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock();
    private final List<Sent> fromLeader = new ArrayList<>();
    private final List<Sent> fromF = new ArrayList<>();
    private Replica leader;
    private Replica f;

    @BeforeEach
    void openReplicas() throws IOException {
        leader = Replica.open("L", dir.resolve("L"), LogConfig.DEFAULT, FileOpener.REAL, clock,
            (to, message) -> fromLeader.add(new Sent(to, message)));
        f = Replica.open("F", dir.resolve("F"), LogConfig.DEFAULT, FileOpener.REAL, clock,
            (to, message) -> fromF.add(new Sent(to, message)));
        leader.becomeLeader(3, Set.of("F", "G"));
        f.becomeFollower(3, "L");
    }

    @AfterEach
    void close() throws IOException {
        leader.close();
        f.close();
    }

    private void appendToLeader(int count) throws IOException {
        for (int i = 0; i < count; i++) {
            leader.append(null, ("r" + leader.logEndOffset()).getBytes(UTF_8));
        }
    }

    private ReplicaMessage lastFromLeader() {
        assertThat(fromLeader).as("the leader answered").isNotEmpty();
        Sent sent = fromLeader.get(fromLeader.size() - 1);
        return sent.message();
    }

    @Test
    void theLeaderAnswersWithTheRecordsFromTheFetchOffsetAndTheHighWatermark() throws IOException {
        appendToLeader(5);

        leader.receive("F", new ReplicaMessage.Fetch(3, 2, 64 * 1024));

        ReplicaMessage answer = lastFromLeader();
        assertThat(fromLeader.get(0).to()).isEqualTo("F");
        assertThat(answer).as("records 2 to 4 (%s)", README).isInstanceOfSatisfying(ReplicaMessage.FetchAnswer.class,
            a -> {
                assertThat(a.records()).extracting(Record::offset).containsExactly(2L, 3L, 4L);
                assertThat(a.fetchOffset()).isEqualTo(2);
                assertThat(a.logEndOffset()).isEqualTo(5);
                assertThat(a.leaderEpoch()).isEqualTo(3);
                assertThat(a.highWatermark()).as("G has fetched nothing yet: nothing is on every replica").isZero();
            });
        assertThat(leader.followerEnds()).as("a fetch from 2 says F has everything below 2")
            .isEqualTo(Map.of("F", 2L, "G", 0L));
    }

    @Test
    void theHighWatermarkIsTheSmallestLogEndAmongAllReplicas() throws IOException {
        appendToLeader(5);
        leader.receive("F", new ReplicaMessage.Fetch(3, 4, 1 << 16));
        leader.receive("G", new ReplicaMessage.Fetch(3, 3, 1 << 16));
        assertThat(leader.highWatermark()).as("F has 4, G has 3, the leader 5: 3 are on every replica (%s)", README)
            .isEqualTo(3);
        leader.receive("G", new ReplicaMessage.Fetch(3, 5, 1 << 16));
        assertThat(leader.highWatermark()).as("now F is the one behind").isEqualTo(4);
        assertThat(lastFromLeader()).as("an answer at the end has no records but says the new high watermark")
            .isInstanceOfSatisfying(ReplicaMessage.FetchAnswer.class, a -> {
                assertThat(a.records()).isEmpty();
                assertThat(a.highWatermark()).isEqualTo(4);
            });
        leader.receive("G", new ReplicaMessage.Fetch(3, 1, 1 << 16)); // G restarted and lost what it had
        assertThat(leader.highWatermark()).as("committed stays committed: the high watermark never goes back")
            .isEqualTo(4);
    }

    @Test
    void theLeaderRefusesAStaleEpochAStrangerAndAnOffsetBeyondItsLog() throws IOException {
        appendToLeader(2);

        leader.receive("F", new ReplicaMessage.Fetch(2, 0, 1 << 16));
        assertThat(lastFromLeader()).as("epoch 2 is over (%s)", README).isInstanceOfSatisfying(
            ReplicaMessage.Refused.class, r -> {
                assertThat(r.error()).isEqualTo(ReplicaMessage.Error.FENCED_LEADER_EPOCH);
                assertThat(r.reason()).contains("epoch 2").contains("epoch 3");
            });
        leader.receive("F", new ReplicaMessage.Fetch(4, 0, 1 << 16));
        assertThat(lastFromLeader()).as("epoch 4 is one this leader has not heard of yet: the follower should retry, "
            + "not give up").isInstanceOfSatisfying(ReplicaMessage.Refused.class, r -> {
                assertThat(r.error()).isEqualTo(ReplicaMessage.Error.UNKNOWN_LEADER_EPOCH);
                assertThat(r.reason()).contains("epoch 4").contains("epoch 3");
            });
        leader.receive("X", new ReplicaMessage.Fetch(3, 0, 1 << 16));
        assertThat(lastFromLeader()).as("X is no replica of this partition").isInstanceOfSatisfying(
            ReplicaMessage.Refused.class, r -> {
                assertThat(r.error()).isEqualTo(ReplicaMessage.Error.UNKNOWN_REPLICA);
                assertThat(r.reason()).contains("X");
            });
        leader.receive("F", new ReplicaMessage.Fetch(3, 9, 1 << 16));
        assertThat(lastFromLeader()).as("offset 9 is outside the log, which ends at 2").isInstanceOfSatisfying(
            ReplicaMessage.Refused.class, r -> {
                assertThat(r.error()).isEqualTo(ReplicaMessage.Error.OFFSET_OUT_OF_RANGE);
                assertThat(r.reason()).contains("9");
            });
        f.receive("L", new ReplicaMessage.Fetch(3, 0, 1 << 16));
        assertThat(fromF).as("a follower answers no fetch: it refuses").singleElement().satisfies(s ->
            assertThat(s.message()).isInstanceOfSatisfying(ReplicaMessage.Refused.class, r ->
                assertThat(r.error()).isEqualTo(ReplicaMessage.Error.NOT_LEADER_OR_FOLLOWER)));
        assertThat(leader.followerEnds()).as("no refused fetch changed what the leader knows")
            .isEqualTo(Map.of("F", 0L, "G", 0L));
    }

    @Test
    void theFollowerCopiesTheRecordsAndTheirEpochsAndFetchesAgainAtOnce() throws IOException {
        appendToLeader(4);
        f.tick();
        assertThat(fromF).as("the first tick sends a fetch from the log end").singleElement().isEqualTo(
            new Sent("L", new ReplicaMessage.Fetch(3, 0, Replica.FETCH_BYTES)));
        leader.receive("F", (ReplicaMessage.Fetch) fromF.get(0).message());

        f.receive("L", lastFromLeader());

        assertThat(f.readAll(0, 1 << 16)).as("the same records at the same offsets (%s)", README)
            .isEqualTo(leader.readAll(0, 1 << 16));
        assertThat(f.epochs().entries()).as("the epochs come with the records").containsExactly(new EpochEntry(3, 0));
        assertThat(fromF).as("it got records: it fetches again from its new end at once").hasSize(2).last()
            .isEqualTo(new Sent("L", new ReplicaMessage.Fetch(3, 4, Replica.FETCH_BYTES)));
    }

    @Test
    void theFollowersHighWatermarkIsTheLeadersButNeverBeyondItsOwnLog() throws IOException {
        appendToLeader(6);
        leader.receive("G", new ReplicaMessage.Fetch(3, 6, 1 << 16));
        leader.receive("F", new ReplicaMessage.Fetch(3, 0, 1 << 16)); // hw: min(6, 0, 6) = 0 before F's copy
        leader.receive("F", new ReplicaMessage.Fetch(3, 5, 1 << 16)); // pretend F had 5: hw 5

        f.receive("L", new ReplicaMessage.FetchAnswer(3, 0, leader.readAll(0, 1 << 16).subList(0, 2), 5, 6));

        assertThat(f.logEndOffset()).isEqualTo(2);
        assertThat(f.highWatermark()).as("the leader's is 5, but this log ends at 2 (%s)", README).isEqualTo(2);
        assertThat(f.readCommitted(0, 1 << 16)).extracting(Record::offset).containsExactly(0L, 1L);
    }

    @Test
    void theFollowerIgnoresALateOrRepeatedAnswerAndOneFromAnotherEpochOrSender() throws IOException {
        appendToLeader(3);
        f.tick();
        leader.receive("F", (ReplicaMessage.Fetch) fromF.get(0).message());
        ReplicaMessage answer = lastFromLeader();
        f.receive("L", answer);
        long hw = f.highWatermark();

        try {
            f.receive("L", answer); // the network delivered it twice
        } catch (IllegalArgumentException e) {
            throw new AssertionError("a repeated answer was applied: an answer whose fetch offset is not the log end "
                + "any more is for a fetch this follower no longer has in mind (" + README + "); " + e.getMessage(), e);
        }
        assertThat(f.logEndOffset()).as("a repeated answer adds nothing: its records are here (%s)", README)
            .isEqualTo(3);
        List<Record> more = List.of(new Record(3, 0, null, new byte[0], List.of(Replica.epochHeader(3))));
        f.receive("L", new ReplicaMessage.FetchAnswer(2, 3, more, 9, 9));
        assertThat(f.logEndOffset()).as("an answer from epoch 2, when F follows L in epoch 3, is ignored").isEqualTo(3);
        f.receive("X", new ReplicaMessage.FetchAnswer(3, 3, more, 9, 9));
        assertThat(f.logEndOffset()).as("an answer from X, when F follows L, is ignored").isEqualTo(3);
        assertThat(f.highWatermark()).as("neither moved the high watermark").isEqualTo(hw);
        assertThat(f.readAll(0, 1 << 16)).isEqualTo(leader.readAll(0, 1 << 16));
    }

    @Test
    void afterAnEmptyAnswerTheNextTickFetchesAtOnceAndTheAnswerItselfDoesNot() throws IOException {
        f.tick();
        leader.receive("F", (ReplicaMessage.Fetch) fromF.get(0).message());
        f.receive("L", lastFromLeader()); // nothing to copy yet

        assertThat(fromF).as("an empty answer does not fetch again by itself: that would be a busy loop (%s)",
            README).hasSize(1);
        f.tick();
        assertThat(fromF).as("but the fetch is answered, so the next tick asks again without waiting for the "
            + "timeout").hasSize(2);
    }

    @Test
    void theFollowersHighWatermarkNeverMovesBack() throws IOException {
        appendToLeader(6);
        List<Record> all = leader.readAll(0, 1 << 16);
        f.receive("L", new ReplicaMessage.FetchAnswer(3, 0, all, 5, 6));
        assertThat(f.highWatermark()).isEqualTo(5);

        f.receive("L", new ReplicaMessage.FetchAnswer(3, 6, List.of(), 3, 6)); // an older answer, overtaken
        assertThat(f.highWatermark()).as("an answer that overtook a newer one must not take the high watermark "
            + "back (%s)", README).isEqualTo(5);
    }

    @Test
    void theLeaderSendsAboutMaxBytesButAlwaysAtLeastOneRecord() throws IOException {
        appendToLeader(50);

        leader.receive("F", new ReplicaMessage.Fetch(3, 0, 1));
        assertThat(lastFromLeader()).as("a 1-byte fetch still gets one record (%s)", README)
            .isInstanceOfSatisfying(ReplicaMessage.FetchAnswer.class, a -> assertThat(a.records()).hasSize(1));
        leader.receive("F", new ReplicaMessage.Fetch(3, 0, 200));
        assertThat(lastFromLeader()).as("200 bytes: a few records, not all fifty")
            .isInstanceOfSatisfying(ReplicaMessage.FetchAnswer.class, a -> assertThat(a.records()).hasSizeBetween(2,
                10));
    }
}

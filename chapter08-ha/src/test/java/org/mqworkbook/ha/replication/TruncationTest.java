package org.mqworkbook.ha.replication;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.ha.epoch.EpochEndOffset;
import org.mqworkbook.ha.epoch.EpochEntry;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.LogConfig;
import org.mqworkbook.storage.Record;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;

/**
 * Exercise 8.4, one message at a time: a follower F that starts following leader L asks where its latest epoch
 * ends in L's log ({@code onEpochQuery} on L) and cuts its own log there ({@code onEpochAnswer} on F), in the
 * cases KIP-101 and KIP-279 describe. The test builds each history by letting a replica lead in the epochs it
 * needs, then hands the messages over itself. README section "8.4 Truncation by leader epoch (主从复制)".
 */
@Exercise("8.4")
@Tag("8.4")
@Timeout(20)
class TruncationTest {
    private static final String README = "README 8.4";

    /** A message a replica sent. */
    private record Sent(String to, ReplicaMessage message) {
    }

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock();
    private final List<Sent> fromL = new ArrayList<>();
    private final List<Sent> fromF = new ArrayList<>();
    private Replica l;
    private Replica f;

    @BeforeEach
    void open() throws IOException {
        l = Replica.open("L", dir.resolve("L"), LogConfig.DEFAULT.withSegmentBytes(200), FileOpener.REAL, clock,
            (to, message) -> fromL.add(new Sent(to, message)));
        f = Replica.open("F", dir.resolve("F"), LogConfig.DEFAULT.withSegmentBytes(200), FileOpener.REAL, clock,
            (to, message) -> fromF.add(new Sent(to, message)));
    }

    @AfterEach
    void close() throws IOException {
        l.close();
        f.close();
    }

    /** {@code replica} leads {@code epoch} and appends {@code values}. */
    private static void lead(Replica replica, int epoch, String... values) throws IOException {
        replica.becomeLeader(epoch, Set.of("F".equals(replica.id()) ? "L" : "F"));
        for (String value : values) {
            replica.append(null, value.getBytes(UTF_8));
        }
    }

    /** Delivers every message between F and L until neither has anything to say, or F starts fetching. */
    private List<ReplicaMessage> exchangeUntilFetch() throws IOException {
        List<ReplicaMessage> queries = new ArrayList<>();
        f.tick();
        for (int round = 0; round < 20; round++) {
            if (!fromF.isEmpty() && fromF.get(0).message() instanceof ReplicaMessage.Fetch) {
                return queries; // left for the test to look at
            }
            List<Sent> toL = new ArrayList<>(fromF);
            fromF.clear();
            for (Sent sent : toL) {
                queries.add(sent.message());
                l.receive("F", sent.message());
            }
            List<Sent> toF = new ArrayList<>(fromL);
            fromL.clear();
            for (Sent sent : toF) {
                f.receive("L", sent.message());
            }
            if (toL.isEmpty() && toF.isEmpty()) {
                return queries;
            }
        }
        return queries;
    }

    private ReplicaMessage.Fetch firstFetch() {
        assertThat(fromF).as("after truncating, F fetches (%s)", README).isNotEmpty();
        assertThat(fromF.get(0).message()).as("the message F sent after its last epoch answer").isInstanceOf(
            ReplicaMessage.Fetch.class);
        return (ReplicaMessage.Fetch) fromF.get(0).message();
    }

    /** Every record of the log as "value@epoch", read segment by segment up to the log end. */
    private static List<String> values(Replica replica) throws IOException {
        List<String> values = new ArrayList<>();
        while (values.size() < replica.logEndOffset()) {
            List<String> batch = replica.readAll(values.size(), 1 << 20).stream()
                .map(r -> new String(r.value(), UTF_8) + "@" + Replica.epochOf(r)).toList();
            if (batch.isEmpty()) {
                break;
            }
            values.addAll(batch);
        }
        return values;
    }

    /** One round: what F sent reaches L, what L sent reaches F, and F's clock ticks. */
    private void deliver() throws IOException {
        for (Sent sent : new ArrayList<>(fromF)) {
            fromF.remove(sent);
            l.receive("F", sent.message());
        }
        for (Sent sent : new ArrayList<>(fromL)) {
            fromL.remove(sent);
            f.receive("L", sent.message());
        }
        f.tick();
    }

    @Test
    void aFollowerWhoseEpochsAllComeAfterTheLeadersAnswerCutsItsWholeLog() throws IOException {
        // L led epoch 1 (a0..a2, never copied); F, empty, led epoch 3 (c0, c1, never copied); L leads epoch 4.
        lead(l, 1, "a0", "a1", "a2");
        lead(f, 3, "c0", "c1");
        lead(l, 4, "d3");
        f.becomeFollower(4, "L");

        List<ReplicaMessage> queries = exchangeUntilFetch();

        assertThat(queries).containsExactly(new ReplicaMessage.EpochQuery(4, 3));
        assertThat(values(f)).as("L answers (1, 3). F's own cache answers epoch 1 with (1, 0): F has no epoch at or "
            + "below 1, and its first epoch starts at 0. So every record F has is of a later epoch that L never had: "
            + "cut at min(0, 3, log end 2) = 0. Cutting at min(3, 2) = 2 would keep c0@3, c1@3 below offsets where "
            + "L has a0@1, a1@1, and the logs would never agree (%s)", README).isEmpty();
        assertThat(firstFetch().fetchOffset()).as("F fetches from 0").isZero();
    }

    @Test
    void aFollowerWhoseLogMatchesTheLeadersKeepsItAllEvenAboveItsHighWatermark() throws IOException {
        lead(f, 1, "a0", "a1", "a2", "a3", "a4");
        lead(l, 1, "a0", "a1", "a2", "a3", "a4");
        l.becomeLeader(2, Set.of("F"));
        f.becomeFollower(2, "L");
        assertThat(f.highWatermark()).isZero();

        List<ReplicaMessage> queries = exchangeUntilFetch();

        assertThat(queries).as("F asks where its latest epoch, 1, ends (%s)", README)
            .containsExactly(new ReplicaMessage.EpochQuery(2, 1));
        assertThat(f.logEndOffset()).as("epoch 1 ends at 5 in both logs: nothing is cut, though F's high watermark "
            + "is 0 — cutting there would lose records the leader may have acknowledged (KIP-101)").isEqualTo(5);
        assertThat(firstFetch().fetchOffset()).as("and F fetches from its log end").isEqualTo(5);
        assertThat(f.truncating()).isFalse();
    }

    @Test
    void aFollowerCutsTheRecordsOfItsOwnEpochThatTheLeaderNeverHad() throws IOException {
        lead(f, 1, "a0", "a1", "a2", "x3", "x4"); // F led epoch 1; nobody copied x3, x4
        lead(l, 1, "a0", "a1", "a2");
        lead(l, 2, "b3", "b4", "b5");
        f.becomeFollower(2, "L");

        exchangeUntilFetch();

        assertThat(f.logEndOffset()).as("L's epoch 1 ends at 3: F's x3 and x4 go (%s)", README).isEqualTo(3);
        assertThat(values(f)).containsExactly("a0@1", "a1@1", "a2@1");
        assertThat(f.epochs().entries()).as("and epoch entries past the cut go with them")
            .containsExactly(new EpochEntry(1, 0));
        assertThat(firstFetch().fetchOffset()).isEqualTo(3);
    }

    @Test
    void afterAFastFailoverTheFollowerCutsWhereItsOwnCopyOfTheLeadersEpochEnds() throws IOException {
        // KIP-279: F led epoch 2 briefly; L never knew epoch 2, and leads epoch 3.
        lead(f, 1, "a0", "a1", "a2");
        lead(f, 2, "c3", "c4", "c5");
        lead(l, 1, "a0", "a1", "a2", "a3", "a4");
        lead(l, 3, "d5", "d6");
        f.becomeFollower(3, "L");

        List<ReplicaMessage> queries = exchangeUntilFetch();

        assertThat(queries).containsExactly(new ReplicaMessage.EpochQuery(3, 2));
        assertThat(values(f)).as("L answers (1, 5): epoch 1 ends at 5 there, but at 3 in F's log, where F's epoch 2 "
            + "began; F cuts at min(3, 5) = 3, not at 5, which would keep c3 and c4 (%s)", README)
            .containsExactly("a0@1", "a1@1", "a2@1");
        assertThat(firstFetch().fetchOffset()).isEqualTo(3);
    }

    @Test
    void whenTheFollowerNeverHadTheLeadersEpochItCutsAndAsksAgain() throws IOException {
        lead(f, 1, "a0", "a1", "a2", "x3");
        lead(f, 3, "c4", "c5");
        lead(l, 1, "a0", "a1", "a2");
        lead(l, 2, "b3", "b4", "b5");
        lead(l, 4, "d6");
        f.becomeFollower(4, "L");

        List<ReplicaMessage> queries = exchangeUntilFetch();

        assertThat(queries).as("L answers epoch 3 with (2, 6); F has no epoch 2: it cuts where its epoch 1 ends, at "
            + "4, and asks about epoch 1 — whose end L puts at 3 (%s)", README)
            .containsExactly(new ReplicaMessage.EpochQuery(4, 3), new ReplicaMessage.EpochQuery(4, 1));
        assertThat(values(f)).containsExactly("a0@1", "a1@1", "a2@1");
        assertThat(firstFetch().fetchOffset()).isEqualTo(3);
    }

    @Test
    void aLeaderWithNothingOfTheEpochCutsTheFollowerToThatEpochsStart() throws IOException {
        lead(f, 2, "c0", "c1");
        l.becomeLeader(5, Set.of("F")); // an empty log: epoch 5 starts at 0
        f.becomeFollower(5, "L");

        exchangeUntilFetch();

        assertThat(f.logEndOffset()).as("L has no record at all: F keeps none (%s)", README).isZero();
        assertThat(firstFetch().fetchOffset()).isZero();
    }

    @Test
    void anUndefinedAnswerFallsBackToTheHighWatermarkAndTheHighWatermarkNeverPassesTheLogEnd() throws IOException {
        lead(l, 1, "a0", "a1", "a2", "a3");
        l.becomeLeader(2, Set.of("F"));
        f.becomeFollower(2, "L");
        exchangeUntilFetch();
        deliver(); // F copies a0..a3; the answer's high watermark is 0
        deliver(); // F's next fetch moves L's high watermark to 4, and the answer tells F
        l.append(null, "b4".getBytes(UTF_8));
        l.append(null, "b5".getBytes(UTF_8));
        deliver(); // F copies b4, b5 with the high watermark still 4
        assertThat(f.logEndOffset()).isEqualTo(6);
        assertThat(f.highWatermark()).isEqualTo(4);

        f.becomeFollower(3, "L");
        fromF.clear();
        f.tick();
        assertThat(fromF).singleElement().extracting(Sent::message).isEqualTo(new ReplicaMessage.EpochQuery(3, 2));
        fromF.clear();
        f.receive("L", new ReplicaMessage.EpochAnswer(3, 2, EpochEndOffset.UNDEFINED));
        assertThat(f.logEndOffset()).as("nothing better known: Kafka's fallback, the high watermark 4, below the log "
            + "end 6 (%s)", README).isEqualTo(4);
        assertThat(f.highWatermark()).isEqualTo(4);
        assertThat(firstFetch().fetchOffset()).isEqualTo(4);
    }

    @Test
    void lateRepeatedAndForeignAnswersAreIgnored() throws IOException {
        lead(f, 1, "a0", "a1", "a2", "x3");
        f.becomeFollower(2, "L");
        f.tick();
        fromF.clear();

        f.receive("L", new ReplicaMessage.EpochAnswer(1, 1, new EpochEndOffset(1, 1)));
        f.receive("G", new ReplicaMessage.EpochAnswer(2, 1, new EpochEndOffset(1, 1)));
        f.receive("L", new ReplicaMessage.EpochAnswer(2, 0, new EpochEndOffset(0, 1)));
        assertThat(f.logEndOffset()).as("an answer from an older epoch, from a replica that is not the leader, or "
            + "about another epoch than F's latest cuts nothing (%s)", README).isEqualTo(4);
        assertThat(fromF).as("and sends nothing").isEmpty();
        assertThat(f.truncating()).isTrue();

        f.receive("L", new ReplicaMessage.EpochAnswer(2, 1, new EpochEndOffset(1, 3)));
        assertThat(f.logEndOffset()).isEqualTo(3);
        fromF.clear();
        f.receive("L", new ReplicaMessage.EpochAnswer(2, 1, new EpochEndOffset(1, 2)));
        assertThat(f.logEndOffset()).as("a repeated answer after F finished truncating cuts nothing more")
            .isEqualTo(3);
        assertThat(fromF).isEmpty();
    }

    @Test
    void theLeaderAnswersWithItsCacheAndRefusesStaleEpochsStrangersAndWhenItIsNotTheLeader() throws IOException {
        lead(l, 1, "a0", "a1");
        lead(l, 3, "b2");

        l.receive("F", new ReplicaMessage.EpochQuery(3, 2));
        assertThat(fromL).singleElement().extracting(Sent::message).as("epoch 2 is unknown here: the largest below "
            + "it is 1, which ends at 2 (%s)", README).isEqualTo(new ReplicaMessage.EpochAnswer(3, 2,
                new EpochEndOffset(1, 2)));
        fromL.clear();
        l.receive("F", new ReplicaMessage.EpochQuery(2, 1));
        l.receive("F", new ReplicaMessage.EpochQuery(4, 1));
        l.receive("X", new ReplicaMessage.EpochQuery(3, 1));
        f.receive("L", new ReplicaMessage.EpochQuery(3, 1));
        assertThat(fromL).extracting(Sent::message).as("a query in an older epoch, in a newer one, from a stranger")
            .allSatisfy(m -> assertThat(m).isInstanceOf(ReplicaMessage.Refused.class)).hasSize(3);
        assertThat(fromL).extracting(s -> ((ReplicaMessage.Refused) s.message()).error()).containsExactly(
            ReplicaMessage.Error.FENCED_LEADER_EPOCH, ReplicaMessage.Error.UNKNOWN_LEADER_EPOCH,
            ReplicaMessage.Error.UNKNOWN_REPLICA);
        assertThat(((ReplicaMessage.Refused) fromL.get(0).message()).reason()).contains("epoch 2", "epoch 3");
        assertThat(((ReplicaMessage.Refused) fromL.get(2).message()).reason()).contains("X");
        assertThat(fromF).as("a replica that is not the leader refuses").singleElement().satisfies(s ->
            assertThat(s.message()).isInstanceOfSatisfying(ReplicaMessage.Refused.class, r ->
                assertThat(r.error()).isEqualTo(ReplicaMessage.Error.NOT_LEADER_OR_FOLLOWER)));
        assertThat(l.readAll(0, 1 << 20)).extracting(Record::offset).as("nothing changed").containsExactly(0L, 1L, 2L);
    }
}

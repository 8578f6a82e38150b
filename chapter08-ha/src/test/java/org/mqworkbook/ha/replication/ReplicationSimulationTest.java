package org.mqworkbook.ha.replication;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.LogConfig;
import org.mqworkbook.storage.Record;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.Seeded;
import org.mqworkbook.testkit.sim.NetworkFaults;
import org.mqworkbook.testkit.sim.SimNetwork;
import org.mqworkbook.testkit.sim.Simulation;

/**
 * Exercise 8.2 in the deterministic simulation: a leader and two followers on a network that loses 10% of the
 * messages, delays them 1 to 20 ms (so they overtake each other) and delivers 5% twice, while a producer appends
 * 300 records. After every event: the leader's high watermark is at or below every replica's log end (what is
 * committed is on every replica), no high watermark moves back, and a follower's is never above the leader's.
 * At the end every log is the leader's, record for record. Each schedule is seeded; a failure prints the
 * simulation's seed and last events. README section "8.2 Pull replication (主从复制)".
 */
@Exercise("8.2")
@Tag("8.2")
@Timeout(120)
@ExtendWith(Seeded.class)
class ReplicationSimulationTest {
    private static final String README = "README 8.2";
    /** How many seeded schedules one run plays; {@code -Dsim.schedules=N} for a soak. */
    private static final int SCHEDULES = Integer.getInteger("sim.schedules", 25);
    /** {@code -Dsim.seed=S} plays only the schedule whose simulation seed is S: how a failure is replayed. */
    private static final Long ONE_SEED = Long.getLong("sim.seed");
    private static final int RECORDS = 300;
    private static final LogConfig CONFIG = LogConfig.DEFAULT.withSegmentBytes(4_096).withIndexIntervalBytes(256);
    private static final List<String> IDS = List.of("b1", "b2", "b3");

    @TempDir
    Path dir;

    @Test
    void threeReplicasAgreeUnderLossDelayAndDuplicates(Random random) throws IOException {
        if (ONE_SEED != null) {
            play(ONE_SEED, dir.resolve("replay"));
            return;
        }
        for (int schedule = 0; schedule < SCHEDULES; schedule++) {
            long seed = random.nextLong();
            try {
                play(seed, dir.resolve("schedule-" + schedule));
            } catch (AssertionError e) {
                throw new AssertionError("schedule " + (schedule + 1) + " of " + SCHEDULES + " failed; replay it "
                    + "alone with -Dsim.seed=" + seed + ": " + e.getMessage(), e);
            }
        }
    }

    private void play(long seed, Path scheduleDir) throws IOException {
        Simulation sim = new Simulation(seed);
        SimNetwork<ReplicaMessage> net = new SimNetwork<>(sim, NetworkFaults.lossy(0.1, Duration.ofMillis(1),
            Duration.ofMillis(20)).withDuplicates(0.05));
        Map<String, Replica> replicas = new LinkedHashMap<>();
        for (String id : IDS) {
            Replica replica = Replica.open(id, scheduleDir.resolve(id), CONFIG, FileOpener.REAL, sim.clock(),
                (to, message) -> net.send(id, to, message));
            replicas.put(id, replica);
            net.start(id, delivery -> {
                try {
                    replica.receive(delivery.from(), delivery.message());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        Replica leader = replicas.get("b1");
        try {
            leader.becomeLeader(1, Set.of("b2", "b3"));
            replicas.get("b2").becomeFollower(1, "b1");
            replicas.get("b3").becomeFollower(1, "b1");
            for (Replica replica : replicas.values()) {
                repeat(sim, Duration.ofMillis(5), replica.id() + " ticks", replica::tick);
            }
            int[] produced = {0};
            repeat(sim, Duration.ofMillis(2), "produce", () -> {
                if (produced[0] < RECORDS) {
                    try {
                        leader.append(null, ("record-" + produced[0]++).getBytes(UTF_8));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });

            Map<String, Long> lastHighWatermark = new LinkedHashMap<>();
            while (!done(replicas) && sim.nowMillis() < 60_000) {
                assertThat(sim.step()).as("events keep coming: %s", sim.describe()).isTrue();
                long lowestEnd = replicas.values().stream().mapToLong(Replica::logEndOffset).min().orElseThrow();
                assertThat(leader.highWatermark()).as("the leader's high watermark is on every replica (%s); %s",
                    README, sim.describe()).isLessThanOrEqualTo(lowestEnd);
                for (Replica replica : replicas.values()) {
                    long previous = lastHighWatermark.getOrDefault(replica.id(), 0L);
                    assertThat(replica.highWatermark()).as("%s's high watermark never moves back; %s", replica.id(),
                        sim.describe()).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(replica.logEndOffset())
                        .isLessThanOrEqualTo(leader.highWatermark());
                    lastHighWatermark.put(replica.id(), replica.highWatermark());
                }
            }
            assertThat(done(replicas)).as("every replica has all %d records and knows they are committed within 60 "
                + "simulated seconds (%s); %s; %s", RECORDS, README, replicas.values(), sim.describe()).isTrue();
            List<Record> original = everything(leader, false);
            assertThat(original).hasSize(RECORDS);
            for (Replica replica : replicas.values()) {
                assertThat(everything(replica, false)).as("%s holds the leader's log; %s", replica.id(),
                    sim.describe()).isEqualTo(original);
                assertThat(everything(replica, true)).as("a consumer of %s reads every record", replica.id())
                    .isEqualTo(original);
            }
        } finally {
            for (Replica replica : replicas.values()) {
                replica.close();
            }
        }
    }

    /** Every record of the replica's log, or only the committed ones, read segment by segment. */
    private static List<Record> everything(Replica replica, boolean committedOnly) throws IOException {
        List<Record> records = new ArrayList<>();
        while (true) {
            long next = records.size();
            List<Record> batch = committedOnly ? replica.readCommitted(next, 1 << 20) : replica.readAll(next, 1 << 20);
            if (batch.isEmpty()) {
                return records;
            }
            records.addAll(batch);
        }
    }

    private static boolean done(Map<String, Replica> replicas) {
        return replicas.values().stream().allMatch(r -> r.logEndOffset() == RECORDS && r.highWatermark() == RECORDS);
    }

    /** Runs {@code action} every {@code period}, for as long as the simulation runs. */
    private static void repeat(Simulation sim, Duration period, String what, Runnable action) {
        sim.schedule(period, what, () -> {
            action.run();
            repeat(sim, period, what, action);
        });
    }
}

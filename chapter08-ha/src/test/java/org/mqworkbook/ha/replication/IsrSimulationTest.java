package org.mqworkbook.ha.replication;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.LogConfig;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.Seeded;
import org.mqworkbook.testkit.sim.NetworkFaults;
import org.mqworkbook.testkit.sim.SimNetwork;
import org.mqworkbook.testkit.sim.Simulation;

/**
 * Exercise 8.3 in the simulation: one follower's broker dies while records are produced with {@code acks=all}.
 * With every replica counting (8.2) the partition stops committing; with the in-sync replica set it goes on once
 * the dead follower has been out for {@code replica.lag.time.max.ms}, refuses {@code acks=all} when the ISR is
 * smaller than {@code min.insync.replicas}, and takes the follower back once it has caught up. After every event
 * the high watermark is on every in-sync replica. README section "8.3 The in-sync replicas (主从复制)".
 */
@Exercise("8.3")
@Tag("8.3")
@Timeout(60)
@ExtendWith(Seeded.class)
class IsrSimulationTest {
    private static final String README = "README 8.3";
    private static final Duration MAX_LAG = Duration.ofMillis(500);
    private static final LogConfig CONFIG = LogConfig.DEFAULT.withSegmentBytes(8_192);

    @TempDir
    Path dir;

    /** Three replicas in a simulation; b1 leads. */
    private final class Cluster {
        final Simulation sim;
        final SimNetwork<ReplicaMessage> net;
        final Map<String, Replica> replicas = new LinkedHashMap<>();

        Cluster(long seed, boolean withIsr, int minInsync) throws IOException {
            sim = new Simulation(seed);
            net = new SimNetwork<>(sim, NetworkFaults.lossy(0.05, Duration.ofMillis(1), Duration.ofMillis(10)));
            for (String id : List.of("b1", "b2", "b3")) {
                Replica replica = Replica.open(id, dir.resolve(seed + "-" + withIsr).resolve(id), CONFIG,
                    FileOpener.REAL, sim.clock(), (to, message) -> net.send(id, to, message));
                replicas.put(id, replica);
                net.start(id, handler(replica));
                repeat(Duration.ofMillis(5), id + " ticks", replica::tick);
            }
            if (withIsr) {
                leader().becomeLeader(1, Set.of("b2", "b3"), MAX_LAG, minInsync);
            } else {
                leader().becomeLeader(1, Set.of("b2", "b3"));
            }
            replicas.get("b2").becomeFollower(1, "b1");
            replicas.get("b3").becomeFollower(1, "b1");
        }

        Consumer<SimNetwork.Delivery<ReplicaMessage>> handler(Replica replica) {
            return delivery -> {
                try {
                    replica.receive(delivery.from(), delivery.message());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
        }

        Replica leader() {
            return replicas.get("b1");
        }

        void repeat(Duration period, String what, Runnable action) {
            sim.schedule(period, what, () -> {
                action.run();
                repeat(period, what, action);
            });
        }

        long produce(int i) throws IOException {
            return leader().append(null, ("record-" + i).getBytes(UTF_8), Replica.Acks.ALL);
        }

        /** Runs until {@code offset} is acknowledged with acks=all, checking the invariant after every event. */
        boolean runUntilAcknowledged(long offset, Duration limit) {
            long until = sim.nowMillis() + limit.toMillis();
            while (!leader().acknowledged(offset, Replica.Acks.ALL) && sim.nowMillis() < until) {
                sim.step();
                for (String member : leader().inSyncReplicas()) {
                    assertThat(leader().highWatermark()).as("the high watermark is on in-sync replica %s (%s); %s",
                        member, README, sim.describe()).isLessThanOrEqualTo(replicas.get(member).logEndOffset());
                }
            }
            return leader().acknowledged(offset, Replica.Acks.ALL);
        }

        void close() throws IOException {
            for (Replica replica : replicas.values()) {
                replica.close();
            }
        }
    }

    @Test
    void aDeadFollowerLeavesTheIsrAndThePartitionGoesOnThenItComesBack(Random random) throws IOException {
        for (int schedule = 0; schedule < 10; schedule++) {
            long seed = random.nextLong();
            Cluster cluster = new Cluster(seed, true, 2);
            try {
                long first = cluster.produce(0);
                assertThat(cluster.runUntilAcknowledged(first, Duration.ofSeconds(5))).as("all three alive: "
                    + "acknowledged; %s", cluster.sim.describe()).isTrue();

                cluster.net.crash("b3");
                long whileDown = cluster.produce(1);
                assertThat(cluster.runUntilAcknowledged(whileDown, Duration.ofSeconds(5))).as("b3 is down: after "
                    + "%s without catching up it leaves the ISR, and the write is acknowledged by the two left "
                    + "(%s); %s", MAX_LAG, README, cluster.sim.describe()).isTrue();
                assertThat(cluster.leader().inSyncReplicas()).containsExactly("b1", "b2");

                cluster.net.crash("b2");
                cluster.sim.runFor(MAX_LAG.multipliedBy(3));
                assertThat(cluster.leader().inSyncReplicas()).as("b2 is gone too").containsExactly("b1");
                assertThatThrownBy(() -> cluster.produce(2)).as("one replica in sync, min.insync.replicas = 2: "
                    + "refused, nothing appended (%s)", README).isInstanceOf(Replica.NotEnoughReplicasException.class);

                cluster.net.start("b2", cluster.handler(cluster.replicas.get("b2")));
                cluster.net.start("b3", cluster.handler(cluster.replicas.get("b3")));
                boolean back = cluster.sim.runUntil(() -> cluster.leader().inSyncReplicas().size() == 3,
                    Duration.ofSeconds(10));
                assertThat(back).as("restarted, they catch up and rejoin the ISR (%s); %s", README,
                    cluster.sim.describe()).isTrue();
                long afterwards = cluster.produce(3);
                assertThat(cluster.runUntilAcknowledged(afterwards, Duration.ofSeconds(5))).isTrue();
            } catch (AssertionError e) {
                throw new AssertionError("schedule " + (schedule + 1) + " (simulation seed " + seed + "): "
                    + e.getMessage(), e);
            } finally {
                cluster.close();
            }
        }
    }

    @Test
    void withoutTheIsrADeadFollowerStopsEveryAcksAllWrite(Random random) throws IOException {
        Cluster cluster = new Cluster(random.nextLong(), true, 1);
        Cluster everyReplica = new Cluster(random.nextLong(), false, 1);
        try {
            cluster.net.crash("b3");
            everyReplica.net.crash("b3");
            long withIsr = cluster.produce(0);
            long without = everyReplica.produce(0);

            assertThat(cluster.runUntilAcknowledged(withIsr, Duration.ofSeconds(5))).as("with the ISR (%s)", README)
                .isTrue();
            assertThat(everyReplica.runUntilAcknowledged(without, Duration.ofSeconds(5))).as("8.2's rule, every "
                + "replica counts: b3 never fetches, so nothing is ever committed").isFalse();
        } finally {
            cluster.close();
            everyReplica.close();
        }
    }
}

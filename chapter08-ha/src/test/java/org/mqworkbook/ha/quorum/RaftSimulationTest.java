package org.mqworkbook.ha.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mqworkbook.marker.ExerciseNotDone;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.Seeded;
import org.mqworkbook.testkit.sim.NetworkFaults;
import org.mqworkbook.testkit.sim.SimNetwork;
import org.mqworkbook.testkit.sim.Simulation;

/**
 * Exercise 8.5 in the deterministic simulation: five controllers on a network that loses 5% of the messages,
 * delays them 1 to 30 ms and delivers 2% twice, while for 3 simulated seconds nodes crash (keeping what they
 * saved, {@link RaftStorage}) and restart, and the network splits into two sides and heals. A client proposes
 * a command to whoever leads, every few milliseconds. After every event, Raft's safety properties:
 * <ul>
 *   <li>election safety: at most one leader per term, ever;
 *   <li>state machine safety: no two nodes apply different entries at the same index;
 *   <li>leader completeness: a node that becomes leader holds every entry anyone has applied.
 * </ul>
 * Then the faults stop: every node is up and the network whole, and within 10 simulated seconds a leader
 * commits a new command and every node applies it (liveness). Each schedule is seeded; {@code -Dsim.seed=S}
 * replays one, {@code -Dsim.schedules=N} plays N. README section "8.5 A Raft quorum for the metadata".
 */
@Exercise("8.5")
@Tag("8.5")
@Timeout(300)
@ExtendWith(Seeded.class)
class RaftSimulationTest {
    private static final int SCHEDULES = Integer.getInteger("sim.schedules", 1_000);
    private static final Long ONE_SEED = Long.getLong("sim.seed");
    private static final List<String> IDS = List.of("c1", "c2", "c3", "c4", "c5");
    private static final Duration FAULTS = Duration.ofSeconds(3);
    private static final Duration SETTLE = Duration.ofSeconds(10);

    @Test
    void fiveControllersStaySafeThroughCrashesAndPartitionsAndRecoverAfterThem(Random random) {
        int schedules = ONE_SEED != null ? 1 : SCHEDULES;
        for (int schedule = 0; schedule < schedules; schedule++) {
            long seed = ONE_SEED != null ? ONE_SEED : random.nextLong();
            String failure;
            try {
                failure = new Quorum(seed).play();
            } catch (ExerciseNotDone notDone) {
                throw notDone;
            } catch (RuntimeException e) {
                throw new AssertionError("schedule " + (schedule + 1) + " of " + schedules + " threw " + e
                    + " (simulation seed " + seed + "; replay this schedule alone with -Dsim.seed=" + seed
                    + "; -Dseed replays the whole run of schedules)", e);
            }
            assertThat(failure).as("schedule %d of %d (simulation seed %d; replay this schedule alone with "
                + "-Dsim.seed=%d; -Dseed replays the whole run of schedules)", schedule + 1, schedules, seed, seed)
                .isNull();
        }
    }

    /** One schedule: five nodes, the faults, the client and the checks. */
    private static final class Quorum {
        private final Simulation sim;
        private final SimNetwork<RaftMessage> net;
        private final Map<String, RaftStorage> disks = new LinkedHashMap<>();
        private final Map<String, RaftNode> live = new LinkedHashMap<>();
        /** Term → the node that led it. */
        private final Map<Long, String> leaders = new HashMap<>();
        /** Index → the entry the first node to apply it applied. */
        private final Map<Long, LogEntry> applied = new HashMap<>();
        private final List<String> failures = new ArrayList<>();
        private int proposed;
        private int crashes;

        Quorum(long seed) {
            sim = new Simulation(seed);
            net = new SimNetwork<>(sim, NetworkFaults.lossy(0.05, Duration.ofMillis(1), Duration.ofMillis(30))
                .withDuplicates(0.02));
            for (String id : IDS) {
                disks.put(id, new RaftStorage());
                start(id);
            }
        }

        String play() {
            Random random = sim.random();
            scheduleFaults(random);
            repeat(Duration.ofMillis(7), "propose", this::propose);
            long faultsEnd = sim.nowMillis() + FAULTS.toMillis();
            while (failures.isEmpty() && sim.nowMillis() < faultsEnd) {
                step();
            }
            if (!failures.isEmpty()) {
                return describe();
            }
            sim.note("faults stop: heal, restart every crashed node");
            net.heal();
            IDS.stream().filter(id -> !live.containsKey(id)).forEach(this::start);
            net.faults(NetworkFaults.NONE);
            long deadline = sim.nowMillis() + SETTLE.toMillis();
            long marker = -1;
            while (failures.isEmpty() && sim.nowMillis() < deadline) {
                step();
                RaftNode leader = currentLeader();
                if (marker < 0 && leader != null) {
                    marker = leader.propose("after the faults");
                    sim.note(leader.id() + " proposes the marker at " + marker);
                }
                long at = marker;
                if (marker > 0 && live.values().stream().allMatch(n -> n.lastApplied() >= at)) {
                    if (applied.get(marker).command().equals("after the faults")) {
                        return null;
                    }
                    marker = -1; // a new leader dropped it before it was committed: propose it again
                }
            }
            if (failures.isEmpty()) {
                failures.add("no leader committed a command on every node within " + SETTLE + " after the faults "
                    + "stopped (liveness)");
            }
            return describe();
        }

        private void start(String id) {
            RaftNode node = new RaftNode(id, new TreeSet<>(IDS), disks.get(id), sim.clock(), sim.random(),
                (to, message) -> net.send(id, to, message), (index, entry) -> onApply(id, index, entry));
            live.put(id, node);
            net.start(id, delivery -> node.receive(delivery.from(), delivery.message()));
            repeatWhileUp(node, Duration.ofMillis(10));
        }

        private void onApply(String id, long index, LogEntry entry) {
            LogEntry first = applied.putIfAbsent(index, entry);
            if (first != null && !first.equals(entry)) {
                failures.add(id + " applied " + entry + " at index " + index + ", where another node applied "
                    + first + " (state machine safety)");
            }
        }

        private void step() {
            if (!sim.step()) {
                failures.add("the simulation ran out of events");
                return;
            }
            for (RaftNode node : live.values()) {
                if (node.role() != RaftNode.Role.LEADER) {
                    continue;
                }
                String before = leaders.putIfAbsent(node.term(), node.id());
                if (before == null) {
                    checkComplete(node);
                } else if (!before.equals(node.id())) {
                    failures.add(node.id() + " and " + before + " both lead term " + node.term()
                        + " (election safety)");
                }
            }
        }

        /** A new leader holds every applied entry: otherwise it could overwrite a committed one. */
        private void checkComplete(RaftNode leader) {
            RaftStorage log = leader.storage();
            for (Map.Entry<Long, LogEntry> entry : applied.entrySet()) {
                long index = entry.getKey();
                if (index > log.lastIndex() || !log.entry(index).equals(entry.getValue())) {
                    failures.add(leader.id() + " was elected in term " + leader.term() + " without committed entry "
                        + entry.getValue() + " at " + index + " (leader completeness)");
                    return;
                }
            }
        }

        private RaftNode currentLeader() {
            return live.values().stream().filter(n -> n.role() == RaftNode.Role.LEADER)
                .max((a, b) -> Long.compare(a.term(), b.term())).orElse(null);
        }

        private void propose() {
            RaftNode leader = currentLeader();
            if (leader != null) {
                leader.propose("command-" + proposed++);
            }
        }

        private void scheduleFaults(Random random) {
            long at = 0;
            while (at < FAULTS.toMillis()) {
                at += 20 + random.nextInt(400);
                int kind = random.nextInt(3);
                String victim = IDS.get(random.nextInt(IDS.size()));
                Runnable fault = switch (kind) {
                    case 0 -> () -> crash(victim);
                    case 1 -> () -> restartAll();
                    default -> () -> partition(random);
                };
                sim.schedule(Duration.ofMillis(at), "fault", () -> {
                    if (sim.nowMillis() < FAULTS.toMillis()) {
                        fault.run();
                    }
                });
            }
        }

        private void crash(String id) {
            if (live.remove(id) != null) {
                net.crash(id);
                crashes++;
                sim.note("crash " + id);
            }
        }

        private void restartAll() {
            for (String id : IDS) {
                if (!live.containsKey(id)) {
                    sim.note("restart " + id);
                    start(id);
                }
            }
            if (sim.random().nextBoolean()) {
                net.heal();
                sim.note("heal");
            }
        }

        private void partition(Random random) {
            Set<String> side = new TreeSet<>();
            for (String id : IDS) {
                if (random.nextBoolean()) {
                    side.add(id);
                }
            }
            net.partition(side);
            sim.note("partition " + side + " | the rest");
        }

        private void repeat(Duration period, String what, Runnable action) {
            sim.schedule(period, what, () -> {
                action.run();
                repeat(period, what, action);
            });
        }

        private void repeatWhileUp(RaftNode node, Duration period) {
            sim.schedule(period, node.id() + " ticks", () -> {
                if (live.get(node.id()) == node) {
                    node.tick();
                    repeatWhileUp(node, period);
                }
            });
        }

        private String describe() {
            return String.join("; ", failures) + "; " + proposed + " proposed, " + applied.size() + " committed, "
                + crashes + " crashes, " + leaders.size() + " terms with a leader; nodes " + live.values() + "; "
                + sim.describe();
        }
    }
}

package org.mqworkbook.ha.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mqworkbook.ha.quorum.RaftMessage;
import org.mqworkbook.ha.quorum.RaftStorage;
import org.mqworkbook.marker.ExerciseNotDone;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.Seeded;
import org.mqworkbook.testkit.sim.NetworkFaults;
import org.mqworkbook.testkit.sim.SimNetwork;
import org.mqworkbook.testkit.sim.Simulation;

/**
 * Exercise 8.6 in the deterministic simulation: three controllers on the Raft quorum of 8.5 and three brokers
 * with three partitions, on a network that loses, delays, reorders and duplicates, while controllers and
 * brokers crash and restart and the network splits and heals. The brokers run {@link BrokerLifecycle} and a
 * stand-in for replication: a follower pings its leader, and a leader asks the controller with {@code
 * AlterPartition} for an ISR of the followers that pinged it lately, as 8.3's leader would.
 *
 * <p>After every event, on every controller's committed metadata: a partition that has a leader has an active
 * one, and only active brokers in its ISR (so a fenced broker neither leads nor counts towards {@code
 * acks=all}); and no two brokers have ever led one partition in the same leader epoch. After the faults stop:
 * within {@link #SETTLE} of simulated time, every broker is unfenced, every partition is led with all three
 * replicas in sync, and every broker's view is the committed one (liveness). {@code -Dsim.seed=S} replays one
 * schedule, {@code -Dsim.schedules=N} plays N. README section "8.6 The controller on the quorum".
 */
@Exercise("8.6")
@Tag("8.6")
@Timeout(300)
@ExtendWith(Seeded.class)
class ControllerSimulationTest {
    private static final int SCHEDULES = Integer.getInteger("sim.schedules", 1_000);
    private static final Long ONE_SEED = Long.getLong("sim.seed");
    private static final List<String> CONTROLLERS = List.of("c1", "c2", "c3");
    private static final List<String> BROKERS = List.of("b1", "b2", "b3");
    private static final Map<String, List<String>> PARTITIONS = Map.of("orders-0", List.of("b1", "b2", "b3"),
        "orders-1", List.of("b2", "b3", "b1"), "orders-2", List.of("b3", "b1", "b2"));
    private static final Duration FAULTS = Duration.ofSeconds(3);
    private static final Duration SETTLE = Duration.ofSeconds(10);
    /** A follower that has not pinged its leader for this long is out of its ISR (8.3's replica.lag.time.max). */
    private static final Duration MAX_LAG = Duration.ofMillis(300);

    /** A follower's sign of life to the leader of {@code partition} in {@code leaderEpoch}: a fetch, in 8.2. */
    record Ping(String partition, int leaderEpoch) {
    }

    @Test
    void threeControllersKeepThePartitionsLedByActiveBrokersThroughCrashesAndPartitions(Random random) {
        int schedules = ONE_SEED != null ? 1 : SCHEDULES;
        for (int schedule = 0; schedule < schedules; schedule++) {
            long seed = ONE_SEED != null ? ONE_SEED : random.nextLong();
            String failure;
            try {
                failure = new Cluster(seed).play();
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

    /** A broker: its lifecycle and the stand-in for replication. */
    private static final class Broker {
        final String id;
        final BrokerLifecycle lifecycle;
        /** Leader: partition → follower → when it last pinged in the leader's epoch. */
        final Map<String, Map<String, Long>> pings = new HashMap<>();
        /** Leader: partition → when it sent an AlterPartition it has had no answer to. */
        final Map<String, Long> altering = new HashMap<>();

        Broker(String id, BrokerLifecycle lifecycle) {
            this.id = id;
            this.lifecycle = lifecycle;
        }

        /** The partitions this broker leads and may act for now. */
        List<PartitionState> leading() {
            if (!lifecycle.mayLead()) {
                return List.of();
            }
            return lifecycle.partitions().stream().filter(p -> id.equals(p.leader())).toList();
        }

        @Override
        public String toString() {
            return lifecycle.toString();
        }
    }

    /** One schedule. */
    private static final class Cluster {
        private final Simulation sim;
        private final SimNetwork<Object> net;
        private final Map<String, RaftStorage> disks = new TreeMap<>();
        private final Map<String, QuorumController> controllers = new TreeMap<>();
        private final Map<String, Broker> brokers = new TreeMap<>();
        /** (partition, leader epoch) → the broker committed as its leader, over every controller and all time. */
        private final Map<String, String> leaders = new HashMap<>();
        private final List<String> failures = new ArrayList<>();
        private boolean created;
        private int crashes;

        Cluster(long seed) {
            sim = new Simulation(seed);
            net = new SimNetwork<>(sim, NetworkFaults.lossy(0.05, Duration.ofMillis(1), Duration.ofMillis(20))
                .withDuplicates(0.02));
            for (String id : CONTROLLERS) {
                disks.put(id, new RaftStorage());
                startController(id);
            }
            BROKERS.forEach(this::startBroker);
        }

        String play() {
            Random random = sim.random();
            scheduleFaults(random);
            long faultsEnd = sim.nowMillis() + FAULTS.toMillis();
            while (failures.isEmpty() && sim.nowMillis() < faultsEnd) {
                step();
            }
            if (!failures.isEmpty()) {
                return describe();
            }
            sim.note("faults stop: heal, restart everything that is down");
            net.heal();
            net.faults(NetworkFaults.NONE);
            CONTROLLERS.stream().filter(id -> !controllers.containsKey(id)).forEach(this::startController);
            BROKERS.stream().filter(id -> !brokers.containsKey(id)).forEach(this::startBroker);
            long deadline = sim.nowMillis() + SETTLE.toMillis();
            while (failures.isEmpty() && sim.nowMillis() < deadline) {
                step();
                if (settled()) {
                    return null;
                }
            }
            if (failures.isEmpty()) {
                failures.add("the faults stopped " + SETTLE + " ago, and still not every partition is led with all "
                    + "three replicas in sync, every broker unfenced and seeing the committed metadata (liveness)");
            }
            return describe();
        }

        private void startController(String id) {
            QuorumController controller = new QuorumController(id, new TreeSet<>(CONTROLLERS), disks.get(id),
                sim.clock(), sim.random(), (to, message) -> net.send(id, to, message),
                (to, message) -> net.send(id, to, message), QuorumController.SESSION_TIMEOUT, false);
            controllers.put(id, controller);
            net.start(id, delivery -> {
                if (delivery.message() instanceof RaftMessage message) {
                    controller.receive(delivery.from(), message);
                } else if (delivery.message() instanceof ControllerMessage message) {
                    controller.receive(delivery.from(), message);
                }
            });
            every(Duration.ofMillis(10), id + " ticks", () -> controllers.get(id) == controller, controller::tick);
        }

        private void startBroker(String id) {
            Broker broker = new Broker(id, new BrokerLifecycle(id, CONTROLLERS, sim.clock(),
                (to, message) -> net.send(id, to, message), QuorumController.SESSION_TIMEOUT));
            brokers.put(id, broker);
            net.start(id, delivery -> onBrokerMessage(broker, delivery.from(), delivery.message()));
            every(Duration.ofMillis(10), id + " ticks", () -> brokers.get(id) == broker, broker.lifecycle::tick);
            every(Duration.ofMillis(50), id + " replicates", () -> brokers.get(id) == broker, () -> replicate(broker));
        }

        private void onBrokerMessage(Broker broker, String from, Object message) {
            if (message instanceof Ping ping) {
                for (PartitionState led : broker.leading()) {
                    if (led.partition().equals(ping.partition()) && led.leaderEpoch() == ping.leaderEpoch()) {
                        broker.pings.computeIfAbsent(led.partition(), p -> new HashMap<>()).put(from, sim.nowMillis());
                    }
                }
                return;
            }
            ControllerMessage answer = (ControllerMessage) message;
            broker.lifecycle.receive(from, answer);
            if (answer instanceof ControllerMessage.AlterPartitionAnswer accepted) {
                broker.altering.remove(accepted.state().partition());
                PartitionState state = accepted.state();
                if (!broker.id.equals(state.leader())) {
                    failures.add(broker.id + " had an ISR change accepted for " + state + ", which it does not lead");
                }
            } else if (answer instanceof ControllerMessage.Refused refused
                && refused.request() instanceof ControllerMessage.AlterPartition alter) {
                broker.altering.remove(alter.partition());
            }
        }

        /** A follower pings its leader; a leader asks for the ISR of the followers that pinged it lately. */
        private void replicate(Broker broker) {
            long now = sim.nowMillis();
            for (PartitionState partition : broker.lifecycle.partitions()) {
                if (partition.leader() != null && !partition.leader().equals(broker.id)) {
                    net.send(broker.id, partition.leader(), new Ping(partition.partition(), partition.leaderEpoch()));
                }
            }
            for (PartitionState led : broker.leading()) {
                Map<String, Long> heard = broker.pings.getOrDefault(led.partition(), Map.of());
                Set<String> isr = new TreeSet<>(Set.of(broker.id));
                heard.forEach((follower, at) -> {
                    if (now - at <= MAX_LAG.toMillis() && led.replicas().contains(follower)) {
                        isr.add(follower);
                    }
                });
                Long since = broker.altering.get(led.partition());
                boolean waiting = since != null && now - since < 300;
                if (!waiting && !isr.equals(new TreeSet<>(led.isr()))) {
                    broker.altering.put(led.partition(), now);
                    broker.lifecycle.sendToController(new ControllerMessage.AlterPartition(
                        broker.lifecycle.brokerEpoch(), led.partition(), led.leaderEpoch(), led.partitionEpoch(),
                        new ArrayList<>(isr)));
                }
            }
        }

        private void step() {
            if (!sim.step()) {
                failures.add("the simulation ran out of events");
                return;
            }
            if (!created) {
                createPartitions();
            }
            for (QuorumController controller : controllers.values()) {
                check(controller);
            }
        }

        /** Once a controller is active and every broker is active, it creates the partitions. */
        private void createPartitions() {
            for (QuorumController controller : controllers.values()) {
                if (controller.isActive() && BROKERS.stream().allMatch(b -> controller.committed().isActive(b))) {
                    new TreeMap<>(PARTITIONS).forEach(controller::createPartition);
                    created = true;
                    sim.note(controller.id() + " creates " + PARTITIONS.keySet());
                    return;
                }
            }
        }

        private void check(QuorumController controller) {
            ClusterMetadata metadata = controller.committed();
            for (PartitionState partition : metadata.partitions()) {
                if (partition.hasLeader()) {
                    for (String member : partition.isr()) {
                        if (!metadata.isActive(member)) {
                            failures.add(controller.id() + "'s committed " + partition + " has " + member + " in its "
                                + "ISR, or leading, while " + member + " is " + (metadata.broker(member) == null
                                ? "not registered" : "fenced") + ": a broker the controller lost must not lead or "
                                + "count as in sync");
                            return;
                        }
                    }
                }
                String key = partition.partition() + " in leader epoch " + partition.leaderEpoch();
                String before = leaders.putIfAbsent(key, String.valueOf(partition.leader()));
                if (before != null && !before.equals(String.valueOf(partition.leader()))) {
                    failures.add(key + " was led by " + before + " and by " + partition.leader() + " (on "
                        + controller.id() + "): a new leader needs a new leader epoch");
                    return;
                }
            }
        }

        private boolean settled() {
            QuorumController active = controllers.values().stream().filter(QuorumController::isActive).findFirst()
                .orElse(null);
            if (active == null || !created) {
                return false;
            }
            ClusterMetadata metadata = active.committed();
            if (!BROKERS.stream().allMatch(metadata::isActive)) {
                return false;
            }
            for (PartitionState partition : metadata.partitions()) {
                if (!partition.hasLeader() || partition.isr().size() != BROKERS.size()) {
                    return false;
                }
            }
            for (Broker broker : brokers.values()) {
                if (!broker.lifecycle.partitions().equals(metadata.partitionsOf(broker.id))
                    || !broker.lifecycle.mayLead()) {
                    return false;
                }
            }
            return true;
        }

        private void scheduleFaults(Random random) {
            long at = 0;
            while (at < FAULTS.toMillis()) {
                at += 50 + random.nextInt(400);
                int kind = random.nextInt(4);
                List<String> everyone = new ArrayList<>(CONTROLLERS);
                everyone.addAll(BROKERS);
                String victim = everyone.get(random.nextInt(everyone.size()));
                Runnable fault = switch (kind) {
                    case 0, 1 -> () -> crash(victim);
                    case 2 -> this::restartAll;
                    default -> () -> partition(random, everyone);
                };
                sim.schedule(Duration.ofMillis(at), "fault", () -> {
                    if (sim.nowMillis() < FAULTS.toMillis()) {
                        fault.run();
                    }
                });
            }
        }

        private void crash(String id) {
            boolean wasUp = controllers.remove(id) != null | brokers.remove(id) != null;
            if (wasUp) {
                net.crash(id);
                crashes++;
                sim.note("crash " + id);
            }
        }

        private void restartAll() {
            for (String id : CONTROLLERS) {
                if (!controllers.containsKey(id)) {
                    sim.note("restart " + id);
                    startController(id);
                }
            }
            for (String id : BROKERS) {
                if (!brokers.containsKey(id)) {
                    sim.note("restart " + id);
                    startBroker(id);
                }
            }
            if (sim.random().nextBoolean()) {
                net.heal();
                sim.note("heal");
            }
        }

        private void partition(Random random, List<String> everyone) {
            Set<String> side = new TreeSet<>();
            for (String id : everyone) {
                if (random.nextBoolean()) {
                    side.add(id);
                }
            }
            net.partition(side);
            sim.note("partition " + side + " | the rest");
        }

        /** Runs {@code action} every {@code period} while {@code alive} holds (the same incarnation is up). */
        private void every(Duration period, String what, java.util.function.BooleanSupplier alive, Runnable action) {
            sim.schedule(period, what, () -> {
                if (alive.getAsBoolean()) {
                    action.run();
                    every(period, what, alive, action);
                }
            });
        }

        private String describe() {
            return String.join("; ", failures) + "; " + crashes + " crashes; controllers " + controllers.values()
                + "; brokers " + brokers.values() + "; " + sim.describe();
        }
    }
}

package org.mqworkbook.ha.replication;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mqworkbook.ha.epoch.EpochEntry;
import org.mqworkbook.storage.FlushPolicy;
import org.mqworkbook.storage.LogConfig;
import org.mqworkbook.storage.Record;
import org.mqworkbook.testkit.sim.NetworkFaults;
import org.mqworkbook.testkit.sim.SimNetwork;
import org.mqworkbook.testkit.sim.Simulation;
import org.mqworkbook.testkit.storage.CrashReport;
import org.mqworkbook.testkit.storage.CrashSimulator;

/**
 * Three replicas of one partition in the deterministic simulation, each on a disk that loses what it did not
 * force when its broker crashes (chapter 6's {@link CrashSimulator}), with a producer writing with
 * {@code acks=all} and a stand-in for the controller of exercise 8.6. The controller here is an oracle: it
 * reads the leader's ISR after every event (Kafka's leader reports each change with {@code AlterPartition};
 * here the report is instant), removes a crashed broker from the ISR at once and fences its old incarnation
 * (KRaft fences a broker that restarts; its broker epoch tells the leader which fetches are stale), and when
 * the leader crashes elects a live member of that ISR in a new epoch. It only crashes a broker when another
 * member of the ISR stays up: the promise is that an acknowledged write survives the loss of any single
 * in-sync replica, not of all of them. The failure museum turns on {@link Election#UNCLEAN}: then it crashes
 * any broker while another stays up, and when no in-sync replica is left it elects one that is not in sync.
 *
 * <p>What each schedule checks: the leader's high watermark is on every in-sync replica after every event; a
 * newly elected leader has every acknowledged record; once the faults stop, the three logs converge within a
 * bounded simulated time, identical record for record and epoch for epoch, and hold every acknowledged record
 * at its offset.
 *
 * <p>Thread-safety: the simulation's one thread, as everything in it.
 */
final class FailoverCluster implements AutoCloseable {
    static final List<String> BROKERS = List.of("b1", "b2", "b3");
    static final Duration MAX_LAG = Duration.ofMillis(300);
    static final int MIN_INSYNC = 2;
    /** Small segments, so that truncation crosses them; an fsync every 8 records, so that a crash keeps some. */
    static final LogConfig CONFIG = LogConfig.DEFAULT.withSegmentBytes(2_048).withIndexIntervalBytes(256)
        .withFlushPolicy(FlushPolicy.everyMessages(8));
    /** How long faults are injected; then every broker restarts and the cluster must converge. */
    static final Duration FAULT_TIME = Duration.ofSeconds(2);
    static final Duration CONVERGENCE_LIMIT = Duration.ofSeconds(20);

    /** Where a follower cuts its log when it starts following a new leader. */
    enum Truncation {
        /** Exercise 8.4: where its latest epoch ends in the leader's log. */
        LEADER_EPOCH,
        /** The failure museum: first at its own high watermark, as brokers did before KIP-101. */
        HIGH_WATERMARK
    }

    /** Whom the controller may elect when the leader crashes: Kafka's {@code unclean.leader.election.enable}. */
    enum Election {
        /** Only a live in-sync replica; a broker is not crashed if that would leave none (the default). */
        CLEAN,
        /** The failure museum: any live replica when no in-sync one is left, whatever it lacks. */
        UNCLEAN
    }

    /** A produce the leader took and has not acknowledged yet. */
    private record Pending(Replica leader, int epoch, long offset, String value) {
    }

    final Simulation sim;
    final SimNetwork<ReplicaMessage> net;
    private final Random random;
    private final Path dir;
    private final Truncation truncation;
    private final Election election;
    private final String readme;
    /** The brokers that are up, and their replica objects (a restart makes a new one). */
    private final Map<String, Replica> live = new TreeMap<>();
    private final Map<String, CrashSimulator> disks = new TreeMap<>();
    /** Each broker → its latest incarnation (its broker epoch), as the controller would hand them out. */
    private final Map<String, Long> brokerEpochs = new TreeMap<>();
    private final List<Pending> pending = new ArrayList<>();
    /** Offset → value of every record acknowledged with acks=all. */
    private final SortedMap<Long, String> acknowledged = new TreeMap<>();
    private final List<String> failures = new ArrayList<>();
    private String leader;
    private int epoch;
    /** The controller's record of the ISR. */
    private Set<String> isr = new TreeSet<>(BROKERS);
    private boolean faulting = true;
    private int produced;
    private int crashes;
    private int elections;

    FailoverCluster(long seed, Path dir, Truncation truncation, String readme) throws IOException {
        this(seed, dir, truncation, Election.CLEAN, readme);
    }

    FailoverCluster(long seed, Path dir, Truncation truncation, Election election, String readme)
        throws IOException {
        this.election = election;
        this.sim = new Simulation(seed);
        this.random = sim.random();
        this.dir = dir;
        this.truncation = truncation;
        this.readme = readme;
        this.net = new SimNetwork<>(sim, NetworkFaults.lossy(0.05, Duration.ofMillis(1), Duration.ofMillis(8))
            .withDuplicates(0.02));
        for (String id : BROKERS) {
            start(id);
        }
        leader = "b1";
        epoch = 1;
        live.get("b1").becomeLeader(epoch, followersOf("b1"), isr, MAX_LAG, MIN_INSYNC);
        live.get("b2").becomeFollower(epoch, "b1");
        live.get("b3").becomeFollower(epoch, "b1");
        for (String id : BROKERS) {
            repeat(Duration.ofMillis(5), id + " ticks", () -> {
                Replica replica = live.get(id);
                if (replica != null) {
                    replica.tick();
                }
            });
        }
        repeat(Duration.ofMillis(3), "produce", this::produce);
        scheduleFault();
    }

    private static Set<String> followersOf(String id) {
        Set<String> followers = new TreeSet<>(BROKERS);
        followers.remove(id);
        return followers;
    }

    /** Opens {@code id}'s replica on a fresh crash-simulating disk over its directory, and connects it. */
    private void start(String id) throws IOException {
        CrashSimulator disk = new CrashSimulator(random.nextLong());
        long brokerEpoch = brokerEpochs.merge(id, 1L, Long::sum);
        Replica replica = Replica.open(id, brokerEpoch, dir.resolve(id), CONFIG, disk::open, sim.clock(),
            (to, message) -> net.send(id, to, message));
        disks.put(id, disk);
        live.put(id, replica);
        net.start(id, delivery -> {
            try {
                replica.receive(delivery.from(), delivery.message());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private void produce() {
        Replica current = leader == null ? null : live.get(leader);
        if (!faulting || current == null) {
            return;
        }
        String value = "v" + produced;
        try {
            long offset = current.append(null, value.getBytes(UTF_8), Replica.Acks.ALL);
            pending.add(new Pending(current, epoch, offset, value));
            produced++;
        } catch (Replica.NotEnoughReplicasException refused) {
            // fewer than min.insync.replicas in sync: the producer would retry later
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void scheduleFault() {
        // Half the faults come close together, so that a second one lands before the first is repaired.
        long gap = random.nextBoolean() ? 1 + random.nextInt(30) : 100 + random.nextInt(400);
        sim.schedule(Duration.ofMillis(gap), "fault", () -> {
            if (!faulting) {
                return;
            }
            List<String> down = BROKERS.stream().filter(id -> !live.containsKey(id)).toList();
            if (!down.isEmpty() && random.nextInt(3) > 0) {
                restart(down.get(random.nextInt(down.size())));
            } else {
                List<String> up = new ArrayList<>(live.keySet());
                crash(up.get(random.nextInt(up.size())));
            }
            scheduleFault();
        });
    }

    /**
     * Crashes {@code victim} if another in-sync replica stays up (or, unclean, if any other broker does); its
     * disk keeps what the crash leaves.
     */
    private void crash(String victim) {
        Set<String> othersInSync = new TreeSet<>(isr);
        othersInSync.retainAll(live.keySet());
        othersInSync.remove(victim);
        if (othersInSync.isEmpty() && (election == Election.CLEAN || live.size() < 2)) {
            return;
        }
        try {
            CrashReport report = disks.get(victim).crash();
            sim.note("crash " + victim + (victim.equals(leader) ? " (the leader)" : "") + ", disk seed "
                + report.seed());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        live.remove(victim);
        net.crash(victim);
        crashes++;
        isr.remove(victim);
        if (victim.equals(leader) && othersInSync.isEmpty()) {
            sim.note("no in-sync replica is left: unclean election from " + live.keySet());
            elect(new TreeSet<>(live.keySet()));
        } else if (victim.equals(leader)) {
            elect(othersInSync);
        } else if (leader != null && live.containsKey(leader)) {
            live.get(leader).fence(victim, brokerEpochs.get(victim) + 1); // the epoch its restart will have
        }
    }

    private void restart(String id) {
        try {
            start(id);
            sim.note("restart " + id + ": " + live.get(id));
            if (leader != null) {
                follow(live.get(id));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The controller elects one of {@code candidates} in the next epoch: live in-sync replicas, or, unclean, any
     * live one, which then is the whole ISR.
     */
    private void elect(Set<String> candidates) {
        List<String> choice = new ArrayList<>(candidates);
        String chosen = choice.get(random.nextInt(choice.size()));
        if (!isr.contains(chosen)) {
            isr = new TreeSet<>(Set.of(chosen));
        }
        epoch++;
        elections++;
        leader = chosen;
        Replica newLeader = live.get(chosen);
        sim.note("elect " + chosen + " in epoch " + epoch + " from ISR " + isr + ": " + newLeader);
        for (Map.Entry<Long, String> record : acknowledged.entrySet()) {
            String found = valueAt(newLeader, record.getKey());
            if (!record.getValue().equals(found)) {
                failures.add("acknowledged record " + record.getValue() + " at offset " + record.getKey() + " is "
                    + (found == null ? "missing" : "replaced by " + found) + " on the new leader " + chosen
                    + " (epoch " + epoch + "): an acks=all write was lost (" + readme + ")");
                break;
            }
        }
        newLeader.becomeLeader(epoch, followersOf(chosen), isr, MAX_LAG, MIN_INSYNC);
        for (Replica replica : live.values()) {
            if (!replica.id().equals(chosen)) {
                follow(replica);
            }
        }
    }

    private void follow(Replica replica) {
        try {
            if (truncation == Truncation.HIGH_WATERMARK) {
                replica.truncateTo(Math.min(replica.highWatermark(), replica.logEndOffset()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        replica.becomeFollower(epoch, leader);
    }

    /** One event, then the controller's and the producer's view of it, and the invariants. */
    private void step() {
        if (!sim.step()) {
            failures.add("the simulation ran out of events");
            return;
        }
        Replica current = leader == null ? null : live.get(leader);
        if (current != null && current.role() == Replica.Role.LEADER) {
            isr = new TreeSet<>(current.inSyncReplicas());
            for (String member : isr) {
                Replica replica = live.get(member);
                if (replica != null && current.highWatermark() > replica.logEndOffset()) {
                    failures.add("the leader's high watermark " + current.highWatermark() + " is beyond in-sync "
                        + "replica " + member + "'s log end " + replica.logEndOffset() + " (" + readme + ")");
                }
            }
        }
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending produce = it.next();
            if (produce.leader() != current || produce.epoch() != epoch) {
                it.remove(); // its leader is gone: the producer never heard, and may not count on it
            } else if (produce.leader().acknowledged(produce.offset(), Replica.Acks.ALL)) {
                it.remove();
                String earlier = acknowledged.put(produce.offset(), produce.value());
                if (earlier != null) {
                    failures.add("offset " + produce.offset() + " was acknowledged twice, as " + earlier + " and as "
                        + produce.value() + ": the first acknowledged write was lost (" + readme + ")");
                }
            }
        }
    }

    /**
     * Plays the schedule: faults for {@link #FAULT_TIME}, then every broker back up, until the replicas agree.
     *
     * @return the first thing that went wrong, with the simulation's seed and last events, or null
     */
    String play() throws IOException {
        long faultsEnd = sim.nowMillis() + FAULT_TIME.toMillis();
        while (sim.nowMillis() < faultsEnd && failures.isEmpty()) {
            step();
        }
        faulting = false;
        for (String id : BROKERS) {
            if (!live.containsKey(id)) {
                restart(id);
            }
        }
        long limit = sim.nowMillis() + CONVERGENCE_LIMIT.toMillis();
        while (!converged() && sim.nowMillis() < limit && failures.isEmpty()) {
            step();
        }
        if (failures.isEmpty() && !converged()) {
            failures.add("the faults stopped, but the replicas did not converge within " + CONVERGENCE_LIMIT
                + " of simulated time: " + live.values());
        }
        if (failures.isEmpty()) {
            checkLogs();
        }
        return failures.isEmpty() ? null : failures.get(0) + "; " + summary() + "; " + sim.describe();
    }

    /** Every broker up and in sync, no follower truncating, every log as long as the leader's and committed. */
    private boolean converged() {
        Replica current = leader == null ? null : live.get(leader);
        if (current == null || live.size() != BROKERS.size() || current.inSyncReplicas().size() != BROKERS.size()) {
            return false;
        }
        for (Replica replica : live.values()) {
            if (replica.truncating() || replica.logEndOffset() != current.logEndOffset()
                || replica.highWatermark() != current.logEndOffset()) {
                return false;
            }
        }
        return true;
    }

    private void checkLogs() throws IOException {
        Replica current = live.get(leader);
        List<Record> leaders = everything(current);
        for (Replica replica : live.values()) {
            List<Record> records = everything(replica);
            if (!records.equals(leaders)) {
                failures.add(replica.id() + "'s log is not the leader " + leader + "'s (" + records.size() + " and "
                    + leaders.size() + " records; " + firstDifference(records, leaders) + ") (" + readme + ")");
                return;
            }
            if (!epochsWithRecords(replica).equals(epochsWithRecords(current))) {
                failures.add(replica.id() + "'s epochs " + replica.epochs().entries() + " are not the leader's "
                    + current.epochs().entries() + " (" + readme + ")");
                return;
            }
        }
        for (Map.Entry<Long, String> record : acknowledged.entrySet()) {
            String found = valueAt(current, record.getKey());
            if (!record.getValue().equals(found)) {
                failures.add("acknowledged record " + record.getValue() + " at offset " + record.getKey() + " is "
                    + (found == null ? "missing" : "replaced by " + found) + " at the end (" + readme + ")");
                return;
            }
        }
    }

    /**
     * The epoch cache's entries that start below the log end. A leader records its epoch when it is elected, so
     * its cache may end in an epoch with no records yet, which no follower can have copied.
     */
    private static List<EpochEntry> epochsWithRecords(Replica replica) {
        return replica.epochs().entries().stream().filter(entry -> entry.startOffset() < replica.logEndOffset())
            .toList();
    }

    private static String firstDifference(List<Record> a, List<Record> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!a.get(i).equals(b.get(i))) {
                return "first difference at offset " + a.get(i).offset() + ": " + text(a.get(i)) + " against "
                    + text(b.get(i));
            }
        }
        return "one is a prefix of the other";
    }

    private static String text(Record record) {
        return new String(record.value(), UTF_8) + " in epoch " + Replica.epochOf(record);
    }

    private static String valueAt(Replica replica, long offset) {
        try {
            List<Record> records = replica.readAll(offset, 1);
            return records.isEmpty() || records.get(0).offset() != offset ? null
                : new String(records.get(0).value(), UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Record> everything(Replica replica) throws IOException {
        List<Record> records = new ArrayList<>();
        long next = 0;
        while (next < replica.logEndOffset()) {
            List<Record> batch = replica.readAll(next, 1 << 20);
            if (batch.isEmpty()) {
                break;
            }
            records.addAll(batch);
            next = batch.get(batch.size() - 1).offset() + 1;
        }
        return records;
    }

    /** What the schedule did, for failure messages and for a soak's summary. */
    String summary() {
        return produced + " produced, " + acknowledged.size() + " acknowledged, " + crashes + " crashes, "
            + elections + " elections, leader " + leader + " in epoch " + epoch;
    }

    int acknowledgedCount() {
        return acknowledged.size();
    }

    int crashes() {
        return crashes;
    }

    int elections() {
        return elections;
    }

    /** Runs {@code action} every {@code period}, for as long as the simulation runs. */
    private void repeat(Duration period, String what, Runnable action) {
        sim.schedule(period, what, () -> {
            action.run();
            repeat(period, what, action);
        });
    }

    @Override
    public void close() throws IOException {
        for (Replica replica : live.values()) {
            replica.close();
        }
    }
}

package org.mqworkbook.dispatch.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.mqworkbook.dispatch.partition.PartitionAssignor;
import org.mqworkbook.dispatch.partition.RebalanceProtocol;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.testkit.ManualClock;
import org.mqworkbook.testkit.history.DeliveryHistory;
import org.mqworkbook.testkit.history.Guarantee;
import org.mqworkbook.testkit.history.HistoryReport;
import org.mqworkbook.testkit.history.Ordering;
import org.mqworkbook.testkit.history.OwnershipHistory;

/**
 * One seeded schedule of a consumer group, for the property tests of exercises 7.2 (eager) and 7.8
 * (cooperative): a topic of three partitions, 600 keyed messages, members that join, leave, crash, pause
 * (a long GC) and dawdle before rejoining, and a clock that moves on between steps. Two histories judge
 * the run: the {@link DeliveryHistory} (no message lost, each key in order, duplicates only after an
 * injected failure) and the {@link OwnershipHistory} (no partition held by two members at the same
 * time, no record processed by a member that did not hold its partition, no committed offset moving
 * backwards). Test-thread only.
 *
 * <p>The topic is three in-memory lists of records; each step of the schedule is one member acting
 * alone, the way a single-threaded simulation (FoundationDB's, Jepsen's generators) makes every
 * interleaving reproducible from the seed.
 *
 * <p>A member follows the client's rules, which are what make "at the same time" checkable. It holds a
 * partition from the answer that gave it until it gives the partition up — at its rejoin with the eager
 * protocol, after the answer that leaves the partition out with the cooperative one — or leaves or
 * crashes; and, its own safety rule, only until {@code min(session timeout, rebalance timeout)} after the
 * last heartbeat the group answered {@code OK}, since after that the coordinator may have removed it.
 * Past that lease it does not process until a heartbeat says it is still in the group.
 */
public final class GroupSchedule {
    /**
     * What the schedule needs of a group coordinator: {@link GroupCoordinator}'s methods, so that the
     * failure museum can run the same schedules against a coordinator built the wrong way.
     */
    public interface Coordinator {
        CompletableFuture<JoinResult> join(String memberId, Set<String> topics);

        void leave(String memberId);

        HeartbeatResult heartbeat(String memberId, int generation);

        int expireMembers();

        /** @throws IllegalGenerationException when the commit is refused */
        void commit(String memberId, int generation, TopicPartition partition, long offset);

        OptionalLong committed(TopicPartition partition);

        List<String> members();

        boolean rebalancing();
    }

    /** The schedule's topic, which a coordinator given to the public constructor must serve. */
    public static final String TOPIC = "orders";
    private static final Set<String> TOPICS = Set.of(TOPIC);
    /** How many partitions the schedule's topic has. */
    public static final int PARTITIONS = 3;
    private static final int KEYS = 12;
    private static final int MESSAGES = 600;
    /** The session timeout the schedule's members live by. */
    public static final Duration SESSION = Duration.ofSeconds(10);
    /** The rebalance timeout the schedule's members live by. */
    public static final Duration REBALANCE = Duration.ofSeconds(6);
    private static final Duration LEASE = SESSION.compareTo(REBALANCE) < 0 ? SESSION : REBALANCE;

    private record Message(String key, String id) {
    }

    private final Random random;
    private final boolean cooperative;
    private final ManualClock clock;
    private final DeliveryHistory history = new DeliveryHistory();
    private final OwnershipHistory ownership = new OwnershipHistory();
    private final List<List<Message>> topic = new ArrayList<>();
    private final Coordinator group;
    /** How many times a member gave a partition up and kept others (cooperative) or gave up all (eager). */
    private int partialHandOvers;

    GroupSchedule(Random random, PartitionAssignor assignor) {
        this.random = random;
        this.cooperative = assignor.protocol() == RebalanceProtocol.COOPERATIVE;
        this.clock = new ManualClock();
        GroupCoordinator coordinator =
            new GroupCoordinator("billing", assignor, Map.of(TOPIC, PARTITIONS), SESSION, REBALANCE, clock);
        this.group = new Coordinator() {
            @Override
            public CompletableFuture<JoinResult> join(String memberId, Set<String> topics) {
                return coordinator.join(memberId, topics);
            }

            @Override
            public void leave(String memberId) {
                coordinator.leave(memberId);
            }

            @Override
            public HeartbeatResult heartbeat(String memberId, int generation) {
                return coordinator.heartbeat(memberId, generation);
            }

            @Override
            public int expireMembers() {
                return coordinator.expireMembers();
            }

            @Override
            public void commit(String memberId, int generation, TopicPartition partition, long offset) {
                coordinator.commit(memberId, generation, partition, offset);
            }

            @Override
            public OptionalLong committed(TopicPartition partition) {
                return coordinator.committed(partition);
            }

            @Override
            public List<String> members() {
                return coordinator.members();
            }

            @Override
            public boolean rebalancing() {
                return coordinator.rebalancing();
            }
        };
    }

    /**
     * A schedule against another coordinator (the museum's), eager, on {@code clock} — which that
     * coordinator must read for its sessions.
     */
    public GroupSchedule(Random random, Coordinator coordinator, ManualClock clock) {
        this.random = random;
        this.cooperative = false;
        this.clock = clock;
        this.group = coordinator;
    }

    /** One consumer: what it believes it owns and how far it has read each partition. */
    private final class Consumer {
        final String id;
        int generation;
        /** The partitions it owns (as far as it knows) → the next offset it reads there. */
        final Map<TopicPartition, Long> positions = new TreeMap<>();
        /** The partitions it holds now (recorded in the ownership history): owned, and within its lease. */
        final Set<TopicPartition> held = new HashSet<>();
        /** Its join waiting at the barrier, or null. */
        CompletableFuture<JoinResult> joining;
        /** It processes only before this instant, unless a heartbeat renews it. */
        Instant leaseEnd = Instant.MIN;
        /** A pause (a long GC): it does nothing before this instant. */
        Instant pausedUntil = Instant.MIN;
        /** Told to rejoin, it finishes its batch first: processes on, without renewing its lease. */
        boolean dawdling;
        /** The group removed it and it has not joined again yet. */
        boolean removed;

        Consumer(String id) {
            this.id = id;
            join();
        }

        /**
         * Joins or rejoins. Eager: it gives up everything first. Cooperative: it keeps what it holds, and
         * may go on processing it while it waits.
         */
        void join() {
            removed = false;
            if (!cooperative) {
                releaseAll();
                positions.clear();
            }
            joining = group.join(id, TOPICS);
        }

        /** Forgets everything: it was removed from the group. */
        void forget() {
            releaseAll();
            positions.clear();
        }

        void releaseAll() {
            held.forEach(p -> ownership.released(id, p.toString()));
            held.clear();
        }

        void release(TopicPartition partition) {
            if (held.remove(partition)) {
                ownership.released(id, partition.toString());
            }
        }

        void holdAll(String why) {
            for (TopicPartition partition : positions.keySet()) {
                if (held.add(partition)) {
                    ownership.acquired(id, partition.toString(), why);
                }
            }
        }

        /** The client's own rule: past its lease it stops processing, whatever it believes it owns. */
        void checkLease() {
            if (!held.isEmpty() && !clock.instant().isBefore(leaseEnd)) {
                releaseAll();
            }
        }

        /** One turn: pick up a join's answer, or heartbeat (and rejoin if told), then process and commit. */
        void act(boolean faults) {
            if (clock.instant().isBefore(pausedUntil)) {
                return;
            }
            if (joining != null) {
                if (!joining.isDone()) {
                    if (cooperative) {
                        checkLease();
                        process(1 + random.nextInt(3)); // goes on with what it holds; cannot commit yet
                    }
                    return; // waiting at the barrier
                }
                JoinResult answer = joining.join();
                joining = null;
                generation = answer.generation();
                if (adopt(answer)) {
                    return; // it gave partitions up: rejoin at once for the second round
                }
                // No lease yet: the answer may have waited at the barrier longer than a lease lasts. The
                // heartbeat below starts one.
            }
            Instant sent = clock.instant();
            HeartbeatResult beat = group.heartbeat(id, generation);
            if (beat == HeartbeatResult.UNKNOWN_MEMBER) {
                forget(); // removed while slow or paused (tick() recorded it): join as a new member
                join();
                return;
            }
            if (beat == HeartbeatResult.OK) {
                dawdling = false;
                leaseEnd = sent.plus(LEASE);
                holdAll("generation " + generation);
            } else if (faults && !dawdling && random.nextInt(4) == 0) {
                dawdling = true; // REBALANCE_NEEDED, but it finishes what it is doing first
                history.failure(id + " is slow to rejoin");
            } else if (!dawdling || random.nextInt(3) == 0) {
                // The hand-over: commit what was processed, then rejoin.
                commit();
                join();
                return;
            }
            checkLease();
            process(1 + random.nextInt(5));
            if (random.nextInt(4) != 0) {
                commit();
            }
        }

        /**
         * Takes a join's answer. Eager: the answer is everything it owns now. Cooperative: it keeps what
         * the answer keeps, adds what it gains, and gives up what the answer leaves out — committing it
         * first, which the coordinator still accepts — and then must rejoin.
         *
         * @return whether it gave partitions up and has rejoined
         */
        boolean adopt(JoinResult answer) {
            List<TopicPartition> revoked = new ArrayList<>();
            for (TopicPartition partition : positions.keySet()) {
                if (!answer.partitions().contains(partition)) {
                    revoked.add(partition);
                }
            }
            for (TopicPartition partition : revoked) {
                if (!commit(partition, positions.get(partition))) {
                    // Refused: the group removed it while it was away (the answer is an old one). Everything it
                    // believes it owns is lost, as Kafka's consumer treats ILLEGAL_GENERATION: start afresh.
                    forget();
                    join();
                    return true;
                }
                release(partition);
                positions.remove(partition);
            }
            for (TopicPartition partition : answer.partitions()) {
                positions.putIfAbsent(partition, group.committed(partition).orElse(0));
            }
            if (!revoked.isEmpty()) {
                assertThat(cooperative).as("an eager member gives up everything before it rejoins, so its answer "
                    + "cannot leave out anything it still owns").isTrue();
                if (!positions.isEmpty()) {
                    partialHandOvers++;
                }
                join();
                return true;
            }
            return false;
        }

        /** Processes up to {@code limit} records of each partition it holds; returns how many. */
        int process(int limit) {
            int processed = 0;
            for (TopicPartition partition : List.copyOf(held)) {
                List<Message> log = topic.get(partition.partition());
                long position = positions.get(partition);
                for (int i = 0; i < limit && position < log.size(); i++, position++, processed++) {
                    ownership.worked(id, partition.toString(), position);
                    history.consumed(id, log.get((int) position).id());
                }
                positions.put(partition, position);
            }
            return processed;
        }

        /**
         * Commits the next offset to read of every partition: after processing, so at least once.
         *
         * @return whether every commit was accepted
         */
        boolean commit() {
            for (Map.Entry<TopicPartition, Long> entry : positions.entrySet()) {
                if (!commit(entry.getKey(), entry.getValue())) {
                    return false;
                }
            }
            return true;
        }

        boolean commit(TopicPartition partition, long offset) {
            try {
                group.commit(id, generation, partition, offset);
                ownership.committed(partition.toString(), offset);
                return true;
            } catch (IllegalGenerationException refused) {
                return false; // waiting at the barrier, or removed meanwhile: the work is redone if need be
            }
        }

        void crash() {
            releaseAll();
            history.failure(id + " crashed");
        }
    }

    private void produce() {
        for (int p = 0; p < PARTITIONS; p++) {
            topic.add(new ArrayList<>());
        }
        for (int i = 0; i < MESSAGES; i++) {
            String key = "k" + (i % KEYS);
            String id = "m" + i;
            history.sent(key, id);
            topic.get(Math.floorMod(key.hashCode(), PARTITIONS)).add(new Message(key, id));
            history.acknowledged(id); // in the list: the "broker" has it
        }
    }

    /**
     * The coordinator's timer, and every member's own lease check, at the clock's current time. A live
     * member the group removed (silent for a session, or not rejoined within the rebalance timeout) is a
     * failure: what it processed since its last commit will be processed again.
     */
    private void tick(List<Consumer> live) {
        if (group.expireMembers() > 0) {
            List<String> members = group.members();
            for (Consumer consumer : live) {
                if (!members.contains(consumer.id) && !consumer.removed) {
                    consumer.removed = true;
                    history.failure(consumer.id + " was removed from the group");
                }
            }
        }
        live.forEach(Consumer::checkLease);
    }

    /** Plays the schedule, then checks both histories; returns how many partial hand-overs happened. */
    public int runAndCheck() {
        produce();
        List<Consumer> live = new ArrayList<>();
        int next = 0;
        live.add(new Consumer("c" + next++));

        for (int step = 0; step < 500; step++) {
            clock.advance(Duration.ofMillis(random.nextInt(1_500)));
            tick(live);
            int action = random.nextInt(20);
            if (action == 0 && live.size() < 4) {
                live.add(new Consumer("c" + next++));
            } else if (action == 1 && live.size() > 1) {
                // A graceful leave commits first, as Kafka's consumer does in onPartitionsRevoked and close().
                Consumer leaving = live.remove(random.nextInt(live.size()));
                leaving.checkLease();
                boolean committed = !leaving.held.isEmpty() && leaving.joining == null && leaving.commit();
                if (!committed && !leaving.positions.isEmpty()) {
                    // Its lease ran out (a dawdler), it waits at the barrier (cooperative: it went on processing,
                    // and a waiting member cannot commit), or the group removed it: its last work is redone.
                    history.failure(leaving.id + " leaves without committing");
                }
                leaving.releaseAll();
                group.leave(leaving.id);
            } else if (action == 2 && live.size() > 1) {
                live.remove(random.nextInt(live.size())).crash(); // never heard from again
            } else if (action == 3) {
                Consumer paused = live.get(random.nextInt(live.size()));
                paused.pausedUntil = clock.instant().plus(Duration.ofMillis(random.nextInt(20_000)));
                history.failure(paused.id + " pauses until " + paused.pausedUntil);
            } else {
                live.get(random.nextInt(live.size())).act(true);
            }
        }
        // Drain: no more faults; the survivors keep acting until the group is stable and everything is read.
        for (int round = 0; round < 1_000 && !drained(); round++) {
            clock.advance(Duration.ofMillis(500));
            tick(live);
            for (Consumer consumer : live) {
                consumer.dawdling = false;
                consumer.act(false); // every REBALANCE_NEEDED rejoins at once
                if (consumer.joining == null && !consumer.held.isEmpty()) {
                    consumer.process(50);
                    consumer.commit();
                }
            }
        }

        ownership.assertOk();
        HistoryReport report = history.check(Guarantee.AT_LEAST_ONCE, Ordering.PER_KEY);
        report.assertOk();
        assertThat(report.consumed()).as("every one of the %d messages was processed", MESSAGES)
            .isGreaterThanOrEqualTo(MESSAGES);
        assertThat(ownership.acquisitions()).as("the schedule moved partitions between members")
            .isGreaterThan(PARTITIONS);
        return partialHandOvers;
    }

    private boolean drained() {
        if (group.rebalancing()) {
            return false;
        }
        for (int p = 0; p < PARTITIONS; p++) {
            if (group.committed(new TopicPartition(TOPIC, p)).orElse(0) < topic.get(p).size()) {
                return false;
            }
        }
        return true;
    }
}

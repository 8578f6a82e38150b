package org.mqworkbook.dispatch.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mqworkbook.dispatch.partition.RangeAssignor;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;
import org.mqworkbook.testkit.Seeded;
import org.mqworkbook.testkit.history.DeliveryHistory;
import org.mqworkbook.testkit.history.Guarantee;
import org.mqworkbook.testkit.history.HistoryReport;
import org.mqworkbook.testkit.history.Ordering;
import org.mqworkbook.testkit.history.OwnershipHistory;

/**
 * Exercise 7.2 end to end, as a property over seeded schedules: a group of consumers reads a topic of
 * three partitions while members join, leave, crash, pause (a long GC) and dawdle before rejoining, and
 * the clock moves on between steps. Two histories judge each schedule: the {@link DeliveryHistory} (no
 * message lost, each key in order, duplicates only after an injected failure) and the
 * {@link OwnershipHistory} (no partition held by two members at the same time, no record processed by a
 * member that did not hold its partition, no committed offset moving backwards). README section "7.2
 * Consumer groups".
 *
 * <p>The topic is three in-memory lists of records; each step of the schedule is one member acting
 * alone, the way a single-threaded simulation (FoundationDB's, Jepsen's generators) makes every
 * interleaving reproducible from the seed.
 *
 * <p>A member follows the client's rules, which are what make "at the same time" checkable: it holds its
 * partitions from the answer that gave them until it rejoins, leaves or crashes, and — its own safety
 * rule — until {@code min(session timeout, rebalance timeout)} after the last heartbeat the group
 * answered {@code OK}, since after that the coordinator may have removed it. Past that lease it does not
 * process until a heartbeat says it is still in the group.
 */
@Exercise("7.2")
@Tag("7.2")
@Timeout(30)
@ExtendWith(Seeded.class)
class ConsumerGroupScenarioTest {
    private static final String TOPIC = "orders";
    private static final Set<String> TOPICS = Set.of(TOPIC);
    private static final int PARTITIONS = 3;
    private static final int KEYS = 12;
    private static final int MESSAGES = 600;
    private static final Duration SESSION = Duration.ofSeconds(10);
    private static final Duration REBALANCE = Duration.ofSeconds(6);
    private static final Duration LEASE = SESSION.compareTo(REBALANCE) < 0 ? SESSION : REBALANCE;

    private record Message(String key, String id) {
    }

    private final ManualClock clock = new ManualClock();
    private final DeliveryHistory history = new DeliveryHistory();
    private final OwnershipHistory ownership = new OwnershipHistory();
    private final List<List<Message>> topic = new ArrayList<>();
    private final GroupCoordinator group = new GroupCoordinator("billing", new RangeAssignor(),
        Map.of(TOPIC, PARTITIONS), SESSION, REBALANCE, clock);

    /** One consumer: what it believes it owns and how far it has read each partition. Test-thread only. */
    private final class Consumer {
        final String id;
        int generation;
        /** The partitions of its last answer → the next offset it reads there. */
        final Map<TopicPartition, Long> positions = new HashMap<>();
        /** Its join waiting at the barrier, or null. */
        CompletableFuture<JoinResult> joining;
        /** Whether it holds its partitions now (recorded in the ownership history). */
        boolean holding;
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

        void join() {
            removed = false;
            release();
            positions.clear();
            joining = group.join(id, TOPICS);
        }

        void release() {
            if (holding) {
                positions.keySet().forEach(p -> ownership.released(id, p.toString()));
                holding = false;
            }
        }

        void hold(String why) {
            if (!holding) {
                positions.keySet().forEach(p -> ownership.acquired(id, p.toString(), why));
                holding = true;
            }
        }

        /** The client's own rule: past its lease it stops processing, whatever it believes it owns. */
        void checkLease() {
            if (holding && !clock.instant().isBefore(leaseEnd)) {
                release();
            }
        }

        /** One turn: pick up a join's answer, or heartbeat (and rejoin if told), then process and commit. */
        void act(Random random, boolean faults) {
            if (clock.instant().isBefore(pausedUntil)) {
                return;
            }
            if (joining != null) {
                if (!joining.isDone()) {
                    return; // waiting at the barrier
                }
                JoinResult answer = joining.join();
                joining = null;
                generation = answer.generation();
                for (TopicPartition partition : answer.partitions()) {
                    positions.put(partition, group.committed(partition).orElse(0));
                }
                // No lease yet: the answer may have waited at the barrier longer than a lease lasts. The
                // heartbeat below starts one.
            }
            Instant sent = clock.instant();
            HeartbeatResult beat = group.heartbeat(id, generation);
            if (beat == HeartbeatResult.UNKNOWN_MEMBER) {
                join(); // removed while slow or paused (tick() recorded it): join as a new member
                return;
            }
            if (beat == HeartbeatResult.OK) {
                dawdling = false;
                leaseEnd = sent.plus(LEASE);
                hold("generation " + generation);
            } else if (faults && !dawdling && random.nextInt(4) == 0) {
                dawdling = true; // REBALANCE_NEEDED, but it finishes what it is doing first
                history.failure(id + " is slow to rejoin");
            } else if (!dawdling || random.nextInt(3) == 0) {
                // The hand-over: commit what was processed, then rejoin (and so give the partitions up).
                commit();
                join();
                return;
            }
            checkLease();
            if (holding) {
                process(1 + random.nextInt(5));
                if (random.nextInt(4) != 0) {
                    commit();
                }
            }
        }

        /** Processes up to {@code limit} records of each partition; returns how many it processed. */
        int process(int limit) {
            int processed = 0;
            for (Map.Entry<TopicPartition, Long> entry : positions.entrySet()) {
                List<Message> log = topic.get(entry.getKey().partition());
                long position = entry.getValue();
                for (int i = 0; i < limit && position < log.size(); i++, position++, processed++) {
                    ownership.worked(id, entry.getKey().toString(), position);
                    history.consumed(id, log.get((int) position).id());
                }
                entry.setValue(position);
            }
            return processed;
        }

        /** Commits the next offset to read of every partition: after processing, so at least once. */
        void commit() {
            for (Map.Entry<TopicPartition, Long> entry : positions.entrySet()) {
                try {
                    group.commit(id, generation, entry.getKey(), entry.getValue());
                    ownership.committed(entry.getKey().toString(), entry.getValue());
                } catch (IllegalGenerationException refused) {
                    return; // removed meanwhile: the next owner redoes the work since the last commit
                }
            }
        }

        void crash() {
            release();
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

    @RepeatedTest(20)
    void noPartitionIsProcessedByTwoMembersAtOnceAndNothingIsLost(Random random) {
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
                if (leaving.holding && leaving.joining == null) {
                    leaving.commit();
                }
                leaving.release();
                group.leave(leaving.id);
            } else if (action == 2 && live.size() > 1) {
                live.remove(random.nextInt(live.size())).crash(); // never heard from again
            } else if (action == 3) {
                Consumer paused = live.get(random.nextInt(live.size()));
                paused.pausedUntil = clock.instant().plus(Duration.ofMillis(random.nextInt(20_000)));
                history.failure(paused.id + " pauses until " + paused.pausedUntil);
            } else {
                live.get(random.nextInt(live.size())).act(random, true);
            }
        }
        // Drain: no more faults; the survivors keep acting until the group is stable and everything is read.
        for (int round = 0; round < 1_000 && !drained(live); round++) {
            clock.advance(Duration.ofMillis(500));
            tick(live);
            for (Consumer consumer : live) {
                consumer.dawdling = false;
                consumer.act(random, false); // every REBALANCE_NEEDED rejoins at once
                if (consumer.holding) {
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
    }

    private boolean drained(List<Consumer> live) {
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

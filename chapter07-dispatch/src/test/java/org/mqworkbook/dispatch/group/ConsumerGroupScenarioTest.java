package org.mqworkbook.dispatch.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
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

/**
 * Exercise 7.2 end to end: a group of consumers reads a topic of three partitions while members join,
 * leave and crash at random (seeded). Each member polls its partitions from the committed offsets,
 * processes, then commits, so a crash costs only redone work: no message is lost, each key stays in
 * order, and duplicates follow only failures. README section "7.2 Consumer groups".
 *
 * <p>The topic is three in-memory lists of records; each step of the scenario is one member acting
 * alone, the way a single-threaded simulation (FoundationDB's, Jepsen's generators) makes every
 * interleaving reproducible from the seed.
 */
@Exercise("7.2")
@Tag("7.2")
@Timeout(30)
@ExtendWith(Seeded.class)
class ConsumerGroupScenarioTest {
    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 3;
    private static final int KEYS = 12;
    private static final int MESSAGES = 600;
    private static final Duration SESSION = Duration.ofSeconds(10);

    private record Message(String key, String id) {
    }

    private final ManualClock clock = new ManualClock();
    private final DeliveryHistory history = new DeliveryHistory();
    private final List<List<Message>> topic = new ArrayList<>();
    private final GroupCoordinator group = new GroupCoordinator("billing", new RangeAssignor(),
        Map.of(TOPIC, PARTITIONS), SESSION, clock);

    /** One consumer: what it believes it owns and how far it has read each partition. Test-thread only. */
    private final class Consumer {
        final String id;
        int generation;
        final Map<TopicPartition, Long> positions = new HashMap<>();

        Consumer(String id) {
            this.id = id;
            adopt(group.join(id, Set.of(TOPIC)).generation(), group.assignmentOf(id).partitions());
        }

        /** Starts every partition it now owns from the group's committed offset, as Kafka's consumer does. */
        void adopt(int newGeneration, List<TopicPartition> owned) {
            generation = newGeneration;
            positions.clear();
            for (TopicPartition partition : owned) {
                positions.put(partition, group.committed(partition).orElse(0));
            }
        }

        /** Heartbeats and, after a rebalance, fetches the new assignment. */
        void sync() {
            HeartbeatResult result = group.heartbeat(id, generation);
            assertThat(result).as("%s is alive, so the group must still know it", id)
                .isNotEqualTo(HeartbeatResult.UNKNOWN_MEMBER);
            if (result == HeartbeatResult.REBALANCE_NEEDED) {
                Assignment assignment = group.assignmentOf(id);
                adopt(assignment.generation(), assignment.partitions());
            }
        }

        /** Processes up to {@code limit} records of each partition; returns how many it processed. */
        int process(int limit) {
            int processed = 0;
            for (Map.Entry<TopicPartition, Long> entry : positions.entrySet()) {
                List<Message> log = topic.get(entry.getKey().partition());
                long position = entry.getValue();
                for (int i = 0; i < limit && position < log.size(); i++, position++, processed++) {
                    history.consumed(id, log.get((int) position).id());
                }
                entry.setValue(position);
            }
            return processed;
        }

        /** Commits the next offset to read of every owned partition: after processing, so at least once. */
        void commit() {
            for (Map.Entry<TopicPartition, Long> entry : positions.entrySet()) {
                group.commit(id, generation, entry.getKey(), entry.getValue());
            }
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

    @Test
    void membersThatJoinLeaveAndCrashLoseNothingAndKeepEachKeyInOrder(Random random) {
        produce();
        List<Consumer> live = new ArrayList<>();
        int next = 0;
        live.add(new Consumer("c" + next++));

        for (int step = 0; step < 400; step++) {
            int action = random.nextInt(10);
            if (action == 0 && live.size() < 4) {
                live.add(new Consumer("c" + next++));
            } else if (action == 1 && live.size() > 1) {
                // A graceful leave commits first, as Kafka's consumer does in onPartitionsRevoked and close().
                Consumer leaving = live.remove(random.nextInt(live.size()));
                leaving.sync();
                leaving.commit();
                group.leave(leaving.id);
            } else if (action == 2 && live.size() > 1) {
                // A crash between processing and committing: the work since the last commit is redone.
                Consumer crashed = live.remove(random.nextInt(live.size()));
                crashed.sync();
                crashed.process(1 + random.nextInt(5));
                history.failure(crashed.id + " crashed before committing");
                clock.advance(SESSION.plusSeconds(1));
                for (Consumer consumer : live) {
                    consumer.sync(); // the survivors heartbeat in time
                }
                assertThat(group.expireMembers()).as("only the crashed member's session expires").isEqualTo(1);
            } else {
                Consumer consumer = live.get(random.nextInt(live.size()));
                consumer.sync();
                consumer.process(1 + random.nextInt(5));
                consumer.commit();
            }
        }
        // Drain: the survivors read to the end.
        for (boolean progress = true; progress; ) {
            progress = false;
            for (Consumer consumer : live) {
                consumer.sync();
                progress |= consumer.process(50) > 0;
                consumer.commit();
            }
        }

        HistoryReport report = history.check(Guarantee.AT_LEAST_ONCE, Ordering.PER_KEY);
        report.assertOk();
        assertThat(report.consumed()).as("every one of the %d messages was processed", MESSAGES)
            .isGreaterThanOrEqualTo(MESSAGES);
        if (report.failures().isEmpty()) {
            assertThat(report.duplicated()).as("without a crash nothing is processed twice").isEmpty();
        }
    }
}

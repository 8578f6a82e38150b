package org.mqworkbook.dispatch.broker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.dispatch.group.HeartbeatResult;
import org.mqworkbook.dispatch.group.JoinResult;
import org.mqworkbook.dispatch.partition.PartitionAssignor;
import org.mqworkbook.dispatch.partition.RangeAssignor;
import org.mqworkbook.dispatch.partition.StickyAssignor;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.routing.TagFilter;
import org.mqworkbook.dispatch.topic.FetchResult;
import org.mqworkbook.dispatch.topic.Topic;
import org.mqworkbook.storage.LogConfig;
import org.mqworkbook.storage.Record;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;
import org.mqworkbook.testkit.Seeded;
import org.mqworkbook.testkit.history.DeliveryHistory;
import org.mqworkbook.testkit.history.Guarantee;
import org.mqworkbook.testkit.history.HistoryReport;
import org.mqworkbook.testkit.history.Ordering;

/**
 * Exercise 7.6 end to end: the consumer-group scenario of exercise 7.2, now on real partition logs
 * through the {@link TopicBroker}. A producer appends keyed messages to a topic of four partitions while
 * the members of a group join, leave, crash, and the broker itself restarts from its directory, all at
 * random (seeded). Each member fetches its partitions from the group's committed offsets, processes, then
 * commits, so a crash costs only redone work: no message is lost, each key stays in order, and duplicates
 * follow only crashes. A restart loses nothing and repeats nothing, because records and committed offsets
 * are on disk and every member committed what it processed. Two groups reading one topic each get every
 * message: publish/subscribe across groups, queueing within one. README section "7.6 Topics on logs".
 *
 * <p>Each step is one actor acting alone, as in the 7.2 scenario, so every interleaving replays from
 * the seed. Segments are small, so every partition rolls over several times during the run.
 */
@Exercise("7.6")
@Tag("7.6")
@Timeout(30)
@ExtendWith(Seeded.class)
class PartitionedGroupScenarioTest {
    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 4;
    private static final int KEYS = 16;
    private static final int MESSAGES = 400;
    private static final Duration SESSION = Duration.ofSeconds(10);
    private static final int FETCH_BYTES = 1 << 16;
    private static final TagFilter ALL = TagFilter.parse(TagFilter.ALL);

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock();
    private TopicBroker broker;
    private TopicBroker.BrokerConfig config;
    private int produced;
    private int restarts;

    /** One consumer of one group: what it believes it owns and how far it has read. Test-thread only. */
    private final class Consumer {
        final String group;
        final String id;
        final DeliveryHistory history;
        int generation;
        final Map<TopicPartition, Long> positions = new TreeMap<>();
        /** Its join waiting at the group's barrier, or null. */
        CompletableFuture<JoinResult> joining;

        Consumer(String group, String id, DeliveryHistory history) throws IOException {
            this.group = group;
            this.id = id;
            this.history = history;
            join();
        }

        /**
         * Joins (or rejoins) the group, giving up what it owns; {@link #sync} picks up the answer once every
         * member has rejoined.
         */
        void join() throws IOException {
            positions.clear();
            joining = broker.join(group, id, Set.of(TOPIC));
        }

        /** Starts every partition it now owns from the group's committed offset, as Kafka's consumer does. */
        void adopt(int newGeneration, List<TopicPartition> owned) throws IOException {
            generation = newGeneration;
            positions.clear();
            for (TopicPartition partition : owned) {
                positions.put(partition, broker.committed(group, partition).orElse(0));
            }
        }

        /**
         * Adopts the answer of its join once the barrier has let it through; otherwise heartbeats and, when
         * the group rebalances, commits what it processed and rejoins.
         */
        void sync() throws IOException {
            if (joining != null) {
                if (!joining.isDone()) {
                    return; // waiting for the others to rejoin
                }
                JoinResult joined = joining.join();
                joining = null;
                adopt(joined.generation(), joined.partitions());
            }
            HeartbeatResult result = broker.heartbeat(group, id, generation);
            assertThat(result).as("%s of group %s is alive, so the group must still know it", id, group)
                .isNotEqualTo(HeartbeatResult.UNKNOWN_MEMBER);
            if (result == HeartbeatResult.REBALANCE_NEEDED) {
                commit();
                join();
            }
        }

        /** Fetches and processes up to {@code limit} records of each owned partition; returns how many. */
        int process(int limit) throws IOException {
            int processed = 0;
            for (Map.Entry<TopicPartition, Long> entry : positions.entrySet()) {
                long position = entry.getValue();
                FetchResult fetched = broker.fetch(TOPIC, entry.getKey().partition(), position, FETCH_BYTES, ALL);
                for (Record record : fetched.records().subList(0, Math.min(limit, fetched.records().size()))) {
                    assertThat(record.offset()).as("a fetch from offset %d of %s returns the records from there "
                        + "on, without a gap", position, entry.getKey()).isEqualTo(position);
                    history.consumed(id, new String(record.value(), UTF_8));
                    position = record.offset() + 1;
                    processed++;
                }
                entry.setValue(position);
            }
            return processed;
        }

        /** Commits the next offset to read of every owned partition: after processing, so at least once. */
        void commit() throws IOException {
            for (Map.Entry<TopicPartition, Long> entry : positions.entrySet()) {
                broker.commit(group, id, generation, entry.getKey(), entry.getValue());
            }
        }
    }

    private void start(Supplier<PartitionAssignor> assignor) throws IOException {
        // About 30 records per segment: each partition's log rolls several times during a run.
        config = TopicBroker.BrokerConfig.defaults(assignor).withSessionTimeout(SESSION)
            .withLog(LogConfig.DEFAULT.withSegmentBytes(1024));
        broker = TopicBroker.open(dir, config, clock);
        broker.createTopic(TOPIC, PARTITIONS);
    }

    @AfterEach
    void closeBroker() throws IOException {
        if (broker != null) {
            broker.close();
        }
    }

    /** Produces up to {@code count} more messages (keys k0..k15 in turn), each acknowledged once durable. */
    private void produce(int count, List<DeliveryHistory> histories) throws IOException, InterruptedException {
        for (int i = 0; i < count && produced < MESSAGES; i++, produced++) {
            String key = "k" + (produced % KEYS);
            String id = "m" + produced;
            histories.forEach(h -> h.sent(key, id));
            broker.produce(TOPIC, key.getBytes(UTF_8), id.getBytes(UTF_8), null);
            histories.forEach(h -> h.acknowledged(id)); // produce returned: the record is on disk
        }
    }

    /**
     * Closes the broker and opens it again from its directory. Its records and the groups' committed
     * offsets are on disk; membership is not, so every live consumer joins again.
     */
    private void restart(List<Consumer> live) throws IOException {
        for (Consumer consumer : live) {
            consumer.sync();
        }
        for (Consumer consumer : live) {
            for (Map.Entry<TopicPartition, Long> entry : consumer.positions.entrySet()) {
                assertThat(broker.committed(consumer.group, entry.getKey()).orElse(0))
                    .as("%s processes, then commits, in one step: what it processed of %s is committed",
                        consumer.id, entry.getKey()).isEqualTo(entry.getValue());
            }
        }
        broker.close();
        broker = TopicBroker.open(dir, config, clock);
        restarts++;
        assertThat(broker.partitionCounts()).as("the restarted broker finds topic %s in its directory", TOPIC)
            .isEqualTo(Map.of(TOPIC, PARTITIONS));
        for (Consumer consumer : live) {
            assertThat(broker.heartbeat(consumer.group, consumer.id, consumer.generation))
                .as("membership is not durable: after the restart %s must rejoin", consumer.id)
                .isEqualTo(HeartbeatResult.UNKNOWN_MEMBER);
            consumer.join();
        }
    }

    /**
     * Lets every live consumer read to the end of every partition, committing as it goes, until a round
     * in which nobody read anything and nobody waited at the barrier.
     */
    private static void drain(List<Consumer> live) throws IOException {
        for (boolean settled = false; !settled; ) {
            settled = true;
            for (Consumer consumer : live) {
                consumer.sync();
                settled &= consumer.process(50) == 0 && consumer.joining == null;
                consumer.commit();
            }
        }
    }

    private void assertCaughtUp(String group) throws IOException {
        Topic topic = broker.topic(TOPIC).orElseThrow();
        for (int p = 0; p < PARTITIONS; p++) {
            TopicPartition partition = new TopicPartition(TOPIC, p);
            assertThat(broker.committed(group, partition).orElse(0))
                .as("after the drain group %s has committed the end of %s", group, partition)
                .isEqualTo(topic.endOffset(p));
        }
    }

    @Test
    void membersThatJoinLeaveAndCrashAcrossBrokerRestartsLoseNothingAndKeepEachKeyInOrder(Random random)
        throws IOException, InterruptedException {
        start(StickyAssignor::new);
        DeliveryHistory history = new DeliveryHistory();
        List<DeliveryHistory> histories = List.of(history);
        List<Consumer> live = new ArrayList<>();
        int next = 0;
        live.add(new Consumer("billing", "c" + next++, history));

        for (int step = 0; step < 500; step++) {
            int action = random.nextInt(20);
            if (action == 0 && live.size() < 4) {
                live.add(new Consumer("billing", "c" + next++, history));
            } else if (action == 1 && live.size() > 1) {
                // A graceful leave commits first, as Kafka's consumer does in onPartitionsRevoked and close().
                Consumer leaving = live.remove(random.nextInt(live.size()));
                leaving.sync();
                leaving.commit();
                broker.leave("billing", leaving.id);
            } else if (action == 2 && live.size() > 1) {
                // A crash between processing and committing: the work since the last commit is redone.
                Consumer crashed = live.remove(random.nextInt(live.size()));
                crashed.sync();
                crashed.process(1 + random.nextInt(5));
                history.failure(crashed.id + " crashed before committing");
                // Its session runs out — after the rebalance in progress, if it had rejoined before crashing
                // (a member waiting at the barrier is not expired; its session starts with the answer).
                for (int round = 0; round < 3 && broker.owners("billing").containsKey(crashed.id); round++) {
                    clock.advance(SESSION.plusSeconds(1));
                    for (Consumer consumer : live) {
                        consumer.sync(); // the survivors heartbeat in time
                    }
                    broker.expireMembers();
                }
                assertThat(broker.owners("billing")).as("the crashed member's session expired")
                    .doesNotContainKey(crashed.id);
                assertThat(broker.owners("billing")).as("and only its").hasSize(live.size());
            } else if (action == 3) {
                // Not a failure of delivery: everything processed was committed, and both are on disk.
                restart(live);
            } else if (action < 10) {
                produce(1 + random.nextInt(5), histories);
            } else {
                Consumer consumer = live.get(random.nextInt(live.size()));
                consumer.sync();
                consumer.process(1 + random.nextInt(5));
                consumer.commit();
            }
        }
        produce(MESSAGES, histories);
        drain(live);

        HistoryReport report = history.check(Guarantee.AT_LEAST_ONCE, Ordering.PER_KEY);
        report.assertOk();
        assertThat(report.acknowledged()).as("every one of the %d messages was acknowledged", MESSAGES)
            .isEqualTo(MESSAGES);
        assertThat(report.consumed()).as("every one of the %d messages was processed", MESSAGES)
            .isGreaterThanOrEqualTo(MESSAGES);
        if (report.failures().isEmpty()) {
            assertThat(report.duplicated()).as("without a crash nothing is processed twice, even across %d broker "
                + "restarts: the committed offsets survived them", restarts).isEmpty();
        }
        assertCaughtUp("billing");
        Topic topic = broker.topic(TOPIC).orElseThrow();
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(topic.log(p).segments().size()).as("partition %d's log rolled to new segments during the "
                + "run, so fetches crossed segment boundaries", p).isGreaterThan(1);
        }
    }

    @Test
    void aBrokerRestartWithEverythingCommittedLosesAndRepeatsNothing(Random random)
        throws IOException, InterruptedException {
        start(RangeAssignor::new);
        DeliveryHistory history = new DeliveryHistory();
        List<DeliveryHistory> histories = List.of(history);
        List<Consumer> live = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            live.add(new Consumer("billing", "c" + c, history));
        }

        while (produced < MESSAGES) {
            produce(1 + random.nextInt(40), histories);
            Consumer consumer = live.get(random.nextInt(live.size()));
            consumer.sync();
            consumer.process(1 + random.nextInt(20));
            consumer.commit();
            restart(live);
        }
        drain(live);

        HistoryReport report = history.check(Guarantee.EXACTLY_ONCE, Ordering.PER_KEY);
        report.assertOk();
        assertThat(report.consumed()).as("each of the %d messages processed exactly once across %d restarts",
            MESSAGES, restarts).isEqualTo(MESSAGES);
        assertCaughtUp("billing");
    }

    @Test
    void twoGroupsReadingOneTopicEachGetEveryMessage(Random random) throws IOException, InterruptedException {
        start(RangeAssignor::new);
        DeliveryHistory billing = new DeliveryHistory();
        DeliveryHistory audit = new DeliveryHistory();
        List<DeliveryHistory> histories = List.of(billing, audit);
        List<Consumer> live = new ArrayList<>();
        live.add(new Consumer("billing", "b0", billing));
        live.add(new Consumer("billing", "b1", billing));
        live.add(new Consumer("audit", "a2", audit));
        int next = 3;

        for (int step = 0; step < 300; step++) {
            int action = random.nextInt(10);
            if (action == 0 && live.size() < 5) {
                boolean toAudit = random.nextBoolean();
                live.add(new Consumer(toAudit ? "audit" : "billing", (toAudit ? "a" : "b") + next++,
                    toAudit ? audit : billing));
            } else if (action == 1) {
                restart(live);
            } else if (action < 5) {
                produce(1 + random.nextInt(5), histories);
            } else {
                Consumer consumer = live.get(random.nextInt(live.size()));
                consumer.sync();
                consumer.process(1 + random.nextInt(5));
                consumer.commit();
            }
        }
        produce(MESSAGES, histories);
        drain(live);

        for (Map.Entry<String, DeliveryHistory> group : Map.of("billing", billing, "audit", audit).entrySet()) {
            HistoryReport report = group.getValue().check(Guarantee.EXACTLY_ONCE, Ordering.PER_KEY);
            report.assertOk();
            assertThat(report.consumed()).as("group %s gets every one of the %d messages, whatever the other group "
                + "has read: each group has its own committed offsets", group.getKey(), MESSAGES)
                .isEqualTo(MESSAGES);
            assertCaughtUp(group.getKey());
        }
    }
}

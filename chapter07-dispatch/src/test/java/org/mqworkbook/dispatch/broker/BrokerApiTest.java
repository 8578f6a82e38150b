package org.mqworkbook.dispatch.broker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.dispatch.group.HeartbeatResult;
import org.mqworkbook.dispatch.group.IllegalGenerationException;
import org.mqworkbook.dispatch.group.JoinResult;
import org.mqworkbook.dispatch.partition.RangeAssignor;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.topic.PartitionOffset;
import org.mqworkbook.storage.Record;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;

/**
 * The broker as the server sees it, without a socket: every request is a call on {@link BrokerApi} and
 * every answer a future — a produce's once its record is durable, a long poll's once a record arrives or
 * its wait is over, a failure's with the broker's own exception, never a throw. Through exercise 7.6's
 * topics, so red on the skeleton. README section "Serving topics and groups".
 */
@Exercise("7.6")
@Tag("7.6")
@Timeout(30)
class BrokerApiTest {
    private static final String TOPIC = "orders";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    @TempDir
    Path dir;
    private TopicBroker broker;
    private BrokerApi api;

    @BeforeEach
    void open() throws Exception {
        broker = TopicBroker.open(dir, TopicBroker.BrokerConfig.defaults(RangeAssignor::new), new ManualClock());
        api = new BrokerApi(broker);
        assertThat(api.createTopic(TOPIC, 2).get(5, TimeUnit.SECONDS)).isEqualTo(2);
    }

    @AfterEach
    void close() throws IOException {
        api.close();
        broker.close();
    }

    private static <T> T answer(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    /** The exception a future failed with, unwrapped. */
    private static Throwable failure(CompletableFuture<?> future) throws Exception {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        return fail("expected the future to fail, but it completed with " + future.get());
    }

    private static String text(Record record) {
        return new String(record.value(), UTF_8);
    }

    @Test
    void aProduceCompletesWithWhereItsRecordWentOnceAnFsyncCoversIt() throws Exception {
        PartitionOffset first = answer(api.produce(TOPIC, "k".getBytes(UTF_8), "one".getBytes(UTF_8), null));
        PartitionOffset second = answer(api.produce(TOPIC, "k".getBytes(UTF_8), "two".getBytes(UTF_8), null));

        assertThat(second.partition()).as("one key, one partition").isEqualTo(first.partition());
        assertThat(second.offset()).isEqualTo(first.offset() + 1);
        assertThat(broker.topic(TOPIC).orElseThrow().log(first.partition().partition()).groupCommitSyncs())
            .as("a produce is answered once its record is on disk, so at least one fsync ran").isPositive();
        assertThat(answer(api.fetch(TOPIC, first.partition().partition(), 0, 1 << 16, "*")).records())
            .extracting(BrokerApiTest::text).containsExactly("one", "two");
    }

    @Test
    void aRefusedRequestFailsItsFutureWithTheBrokersExceptionAndNeverThrows() throws Exception {
        assertThat(failure(api.produce("nope", null, "x".getBytes(UTF_8), null)))
            .isInstanceOf(UnknownTopicException.class).hasMessageContaining("nope");
        assertThat(failure(api.produce(TOPIC, null, "x".getBytes(UTF_8), "not a tag!")))
            .isInstanceOf(IllegalArgumentException.class);
        assertThat(failure(api.fetch(TOPIC, 7, 0, 100, "*"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(failure(api.poll(List.of(), 100, 0, "*")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one partition");
        assertThat(failure(api.poll(List.of(new PartitionOffset(P0, 0)), 100, BrokerApi.MAX_POLL_WAIT_MILLIS + 1,
            "*"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("may wait");
        assertThat(failure(api.poll(List.of(new PartitionOffset(P0, 0), new PartitionOffset(P0, 5)), 100, 0, "*")))
            .as("one partition twice would be fetched twice").isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("twice");
        List<PartitionOffset> tooMany = new ArrayList<>();
        for (int i = 0; i <= BrokerApi.MAX_POLL_PARTITIONS; i++) {
            tooMany.add(new PartitionOffset(new TopicPartition("t" + i, 0), 0));
        }
        assertThat(failure(api.poll(tooMany, 100, 0, "*"))).as("a poll's cost is bounded")
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most");
    }

    @Test
    void aPollWithNothingNewParksUntilARecordArrivesInAnyOfItsPartitions() throws Exception {
        CompletableFuture<List<BrokerApi.Polled>> poll = api.poll(
            List.of(new PartitionOffset(P0, 0), new PartitionOffset(P1, 0)), 1 << 16, 20_000, "*");
        assertThat(poll).as("nothing to read yet: the poll waits").isNotDone();
        assertThat(api.parkedPolls()).isEqualTo(1);

        PartitionOffset appended = answer(api.produce(TOPIC, null, "hello".getBytes(UTF_8), null));

        List<BrokerApi.Polled> results = answer(poll);
        BrokerApi.Polled delivered = results.stream().filter(r -> r.partition().equals(appended.partition()))
            .findFirst().orElseThrow();
        assertThat(delivered.fetched().records()).extracting(BrokerApiTest::text).containsExactly("hello");
        assertThat(delivered.fetched().nextOffset()).isEqualTo(appended.offset() + 1);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(api.parkedPolls()).isZero());
    }

    @Test
    void aParkedPollIsAnsweredEmptyHandedWhenItsWaitIsOver() throws Exception {
        long asked = System.nanoTime();
        List<BrokerApi.Polled> results = answer(api.poll(List.of(new PartitionOffset(P0, 0)), 1 << 16, 50, "*"));

        assertThat(Duration.ofNanos(System.nanoTime() - asked)).as("it waited its 50 ms before answering")
            .isGreaterThanOrEqualTo(Duration.ofMillis(50));
        assertThat(results).hasSize(1);
        assertThat(results.get(0).fetched().records()).isEmpty();
        assertThat(results.get(0).fetched().nextOffset()).as("nothing read: fetch from the same offset next")
            .isZero();
        assertThat(api.parkedPolls()).isZero();
    }

    @Test
    void closingAnswersParkedPollsAndRefusesWhatComesAfter() throws Exception {
        CompletableFuture<List<BrokerApi.Polled>> poll = api.poll(List.of(new PartitionOffset(P0, 0)), 100, 20_000,
            "*");
        assertThat(poll).isNotDone();

        api.close();

        assertThat(failure(poll)).isInstanceOf(ShuttingDownException.class);
        assertThat(failure(api.produce(TOPIC, null, "late".getBytes(UTF_8), null)))
            .isInstanceOf(ShuttingDownException.class);
        assertThat(failure(api.describe("billing"))).isInstanceOf(ShuttingDownException.class);
    }

    @Test
    void groupsJoinCommitAndAreFencedThroughTheApi() throws Exception {
        for (int i = 0; i < 8; i++) {
            answer(api.produce(TOPIC, null, ("r" + i).getBytes(UTF_8), null)); // round-robin: 4 per partition
        }
        JoinResult joined = answer(api.join("billing", "m1", List.of(TOPIC)));
        assertThat(joined.partitions()).containsExactlyInAnyOrder(P0, P1);
        assertThat(answer(api.describe("billing")).owners()).containsOnlyKeys("m1");

        answer(api.commit("billing", "m1", joined.generation(), new PartitionOffset(P0, 3)));
        assertThat(answer(api.committed("billing", P0))).isEqualTo(OptionalLong.of(3));

        CompletableFuture<JoinResult> second = api.join("billing", "m2", List.of(TOPIC));
        assertThat(second).as("m2 waits at the barrier until m1 has rejoined").isNotDone();
        assertThat(answer(api.heartbeat("billing", "m1", joined.generation())))
            .isEqualTo(HeartbeatResult.REBALANCE_NEEDED);
        answer(api.commit("billing", "m1", joined.generation(), new PartitionOffset(P0, 3))); // m1 hands over
        JoinResult rejoined = answer(api.join("billing", "m1", List.of(TOPIC)));
        assertThat(answer(second).generation()).as("m1's rejoin completed the rebalance for both")
            .isEqualTo(rejoined.generation()).isGreaterThan(joined.generation());
        assertThat(failure(api.commit("billing", "m1", joined.generation(), new PartitionOffset(P0, 4))))
            .as("a commit from the generation before the rebalance is fenced")
            .isInstanceOf(IllegalGenerationException.class);
        assertThat(answer(api.committed("billing", P0))).isEqualTo(OptionalLong.of(3));
        assertThat(answer(api.describe("billing")).lags()).as("committed, log end and lag per partition")
            .containsExactly(new PartitionLag(P0, OptionalLong.of(3), 4),
                new PartitionLag(P1, OptionalLong.empty(), 4));
        assertThat(answer(api.describe("billing")).lags().get(0).lag()).isEqualTo(OptionalLong.of(1));
        assertThat(answer(api.describe("billing")).lags().get(1).lag()).as("never committed: unknown").isEmpty();
    }

    @Test
    void closingWhileProducersAppendAnswersEveryProduceOneWayOrTheOther() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<List<CompletableFuture<PartitionOffset>>>> sent = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                sent.add(pool.submit(() -> {
                    List<CompletableFuture<PartitionOffset>> futures = new ArrayList<>();
                    for (int i = 0; i < 2_000; i++) {
                        futures.add(api.produce(TOPIC, null, "x".getBytes(UTF_8), null));
                    }
                    return futures;
                }));
            }
            api.close(); // while the producers append

            for (Future<List<CompletableFuture<PartitionOffset>>> producer : sent) {
                for (CompletableFuture<PartitionOffset> future : producer.get(20, TimeUnit.SECONDS)) {
                    try {
                        future.get(10, TimeUnit.SECONDS);
                    } catch (ExecutionException refused) {
                        assertThat(refused.getCause()).isInstanceOf(ShuttingDownException.class);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void growingATopicRebalancesItsGroupsOntoTheNewPartitions() throws Exception {
        JoinResult joined = answer(api.join("billing", "m1", List.of(TOPIC)));
        assertThat(joined.partitions()).hasSize(2);

        assertThat(answer(api.addPartitions(TOPIC, 5))).isEqualTo(5);

        assertThat(answer(api.heartbeat("billing", "m1", joined.generation()))).as("the group rebalances")
            .isEqualTo(HeartbeatResult.REBALANCE_NEEDED);
        JoinResult now = answer(api.join("billing", "m1", List.of(TOPIC)));
        assertThat(now.generation()).as("a new generation").isGreaterThan(joined.generation());
        assertThat(now.partitions()).as("the member reads the new partitions too").hasSize(5);
        assertThat(answer(api.produce(TOPIC, null, "x".getBytes(UTF_8), null)).partition().partition())
            .isBetween(0, 4);
        assertThat(failure(api.addPartitions(TOPIC, 3))).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("never removed");
        assertThat(failure(api.addPartitions("nope", 3))).isInstanceOf(UnknownTopicException.class);
    }

    /**
     * The thread-safety claim: producers on several threads and long polls completing on the poll threads
     * overlap. Every produce is answered with its own offset, and a consumer that follows the polls' next
     * offsets reads every record once, in offset order per partition.
     */
    @Test
    void producersAndLongPollsOnManyThreadsOverlapWithoutLosingOrRepeatingARecord() throws Exception {
        int producers = 4;
        int perProducer = 300;
        ExecutorService pool = Executors.newFixedThreadPool(producers);
        try {
            List<Future<List<PartitionOffset>>> sent = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int producer = p;
                sent.add(pool.submit(() -> {
                    List<CompletableFuture<PartitionOffset>> pending = new ArrayList<>();
                    for (int i = 0; i < perProducer; i++) {
                        pending.add(api.produce(TOPIC, null, (producer + "-" + i).getBytes(UTF_8), null));
                    }
                    List<PartitionOffset> offsets = new ArrayList<>();
                    for (CompletableFuture<PartitionOffset> future : pending) {
                        offsets.add(future.get(20, TimeUnit.SECONDS));
                    }
                    return offsets;
                }));
            }
            Map<TopicPartition, Long> next = new HashMap<>(Map.of(P0, 0L, P1, 0L));
            List<String> consumed = new ArrayList<>();
            while (consumed.size() < producers * perProducer) {
                List<PartitionOffset> positions = List.of(new PartitionOffset(P0, next.get(P0)),
                    new PartitionOffset(P1, next.get(P1)));
                // A wait far longer than the deadline on the answer: a poll that is not woken by the next append
                // (a lost wake-up) fails here instead of timing out quietly and being retried.
                List<BrokerApi.Polled> polledNow;
                try {
                    polledNow = api.poll(positions, 1 << 16, 25_000, "*").get(5, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    throw new AssertionError("a parked poll at " + positions + " was not woken although producers "
                        + "are appending (consumed " + consumed.size() + ")", e);
                }
                for (BrokerApi.Polled polled : polledNow) {
                    long expected = next.get(polled.partition());
                    for (Record record : polled.fetched().records()) {
                        assertThat(record.offset()).as("records of %s in offset order, none skipped",
                            polled.partition()).isEqualTo(expected++);
                        consumed.add(text(record));
                    }
                    next.put(polled.partition(), polled.fetched().nextOffset());
                }
            }
            List<PartitionOffset> acknowledged = new ArrayList<>();
            for (Future<List<PartitionOffset>> producer : sent) {
                acknowledged.addAll(producer.get(20, TimeUnit.SECONDS));
            }
            assertThat(acknowledged).as("every produce answered with its own offset").doesNotHaveDuplicates()
                .hasSize(producers * perProducer);
            assertThat(consumed).as("every record read once").doesNotHaveDuplicates()
                .hasSize(producers * perProducer);
        } finally {
            pool.shutdownNow();
        }
    }
}

package org.mqworkbook.dispatch.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.dispatch.broker.TopicBroker;
import org.mqworkbook.dispatch.client.DispatchClient;
import org.mqworkbook.dispatch.client.DispatchException;
import org.mqworkbook.dispatch.partition.RangeAssignor;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.protocol.ErrorKind;
import org.mqworkbook.dispatch.protocol.Message;
import org.mqworkbook.dispatch.topic.PartitionOffset;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;

/**
 * The long poll ({@link Message.Poll}) over a real socket: an idle consumer's poll parks in the broker
 * and is answered by the first record appended to any of its partitions, or empty when its wait is
 * over; a poll over many partitions shares one byte budget. Through exercise 7.6's fetch, so red on the
 * skeleton. README section "Serving topics and groups".
 */
@Exercise("7.6")
@Tag("7.6")
@Timeout(30)
class LongPollTest {
    private static final String TOPIC = "orders";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
    private static final TopicPartition P2 = new TopicPartition(TOPIC, 2);

    @TempDir
    Path dir;
    private TopicBroker broker;
    private DispatchServer server;
    private DispatchClient client;

    @BeforeEach
    void start() throws IOException {
        broker = TopicBroker.open(dir, TopicBroker.BrokerConfig.defaults(RangeAssignor::new), new ManualClock());
        server = DispatchServer.onLoopback(broker, 0).start();
        client = DispatchClient.connect("127.0.0.1", server.port(), Duration.ofSeconds(20));
        client.createTopic(TOPIC, 3);
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        server.close();
        broker.close();
    }

    private static List<PartitionOffset> fromStart(TopicPartition... partitions) {
        List<PartitionOffset> positions = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            positions.add(new PartitionOffset(partition, 0));
        }
        return positions;
    }

    private CompletableFuture<Message> poll(int maxWaitMillis, List<PartitionOffset> positions) {
        return client.send(id -> new Message.Poll(id, "*", 1 << 16, maxWaitMillis, positions));
    }

    @Test
    void anIdlePollParksUntilARecordArrivesInAnyOfItsPartitions() throws Exception {
        CompletableFuture<Message> parked = poll(20_000, fromStart(P0, P1, P2));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(server.parkedPolls())
            .as("with nothing to read, the poll waits in the broker instead of answering empty").isEqualTo(1));
        assertThat(parked).as("a parked poll is not answered yet").isNotDone();

        client.produce(TOPIC, null, "first".getBytes(UTF_8), null); // round-robin: some partition of the three

        Message.Polled answer = (Message.Polled) parked.get(10, TimeUnit.SECONDS);
        List<String> values = new ArrayList<>();
        for (Message.Polled.Result result : answer.results()) {
            result.records().forEach(r -> values.add(new String(r.value(), UTF_8)));
        }
        assertThat(values).as("the record that woke the poll is in its answer, long before its 20 s wait")
            .containsExactly("first");
        assertThat(answer.results()).extracting(Message.Polled.Result::partition)
            .as("one result per partition asked for, in the same order").containsExactly(P0, P1, P2);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(server.parkedPolls())
            .as("a woken poll leaves every partition it waited on").isZero());
    }

    @Test
    void aPollWhoseWaitRunsOutIsAnsweredWithNothingAndTheSamePositions() throws Exception {
        Message.Polled answer = (Message.Polled) poll(200, fromStart(P0, P1)).get(10, TimeUnit.SECONDS);

        assertThat(answer.results()).as("nothing arrived within 200 ms").allSatisfy(result -> {
            assertThat(result.records()).isEmpty();
            assertThat(result.nextOffset()).as("read from where it was").isZero();
        });
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(server.parkedPolls()).isZero());
    }

    @Test
    void aPollIsAnsweredAtOnceWhenOnePartitionAlreadyHasRecords() throws Exception {
        broker.topic(TOPIC).orElseThrow().append(1, null, "waiting".getBytes(UTF_8), List.of());

        Message.Polled answer = (Message.Polled) poll(20_000, fromStart(P0, P1, P2)).get(10, TimeUnit.SECONDS);

        assertThat(answer.results().get(1).records()).as("partition 1 had a record: no reason to wait")
            .hasSize(1);
        assertThat(answer.results().get(1).nextOffset()).isEqualTo(1);
        assertThat(answer.results().get(0).records()).isEmpty();
    }

    @Test
    void manyPartitionsShareOneByteBudgetSoTheAnswerStaysBounded() throws Exception {
        client.createTopic("big", 8);
        byte[] value = new byte[200 * 1024];
        List<PartitionOffset> positions = new ArrayList<>();
        for (int p = 0; p < 8; p++) {
            for (int i = 0; i < 3; i++) {
                broker.topic("big").orElseThrow().append(p, null, value, List.of());
            }
            positions.add(new PartitionOffset(new TopicPartition("big", p), 0));
        }

        Message.Polled answer = (Message.Polled) client.send(id -> new Message.Poll(id, "*", 1 << 20, 0, positions))
            .get(10, TimeUnit.SECONDS);

        long bytes = answer.results().stream().flatMap(r -> r.records().stream()).mapToLong(r -> r.value().length)
            .sum();
        int maxFetch = broker.config().maxFetchBytes();
        assertThat(bytes).as("8 partitions of 600 KiB each, but one answer carries about maxFetchBytes (%d) plus "
            + "at most one record", maxFetch).isLessThanOrEqualTo(maxFetch + value.length);
        assertThat(answer.results().get(7).records()).as("the last partitions wait for the next poll").isEmpty();
        assertThat(answer.results().get(7).nextOffset()).isZero();
    }

    @Test
    void aPollThatWaitsTooLongOrNamesNothingIsRefusedByName() {
        assertThatThrownBy(() -> client.poll(fromStart(P0), 1024, "*", Duration.ofMinutes(5)))
            .isInstanceOf(DispatchException.class).hasMessageContaining("300000")
            .satisfies(e -> assertThat(((DispatchException) e).kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT));
        assertThatThrownBy(() -> client.poll(List.of(), 1024, "*", Duration.ZERO))
            .isInstanceOf(DispatchException.class).hasMessageContaining("at least one partition");
        assertThatThrownBy(() -> client.poll(List.of(new PartitionOffset(new TopicPartition("nope", 0), 0)),
            1024, "*", Duration.ZERO)).isInstanceOf(DispatchException.class).hasMessageContaining("nope");
    }
}

package org.mqworkbook.dispatch.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.dispatch.broker.TopicBroker;
import org.mqworkbook.dispatch.client.ConsumedRecord;
import org.mqworkbook.dispatch.client.DispatchClient;
import org.mqworkbook.dispatch.client.DispatchException;
import org.mqworkbook.dispatch.client.GroupConsumer;
import org.mqworkbook.dispatch.partition.RangeAssignor;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.protocol.ErrorKind;
import org.mqworkbook.dispatch.topic.Topic;
import org.mqworkbook.storage.TimestampOffset;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;

/**
 * Reading by time over the wire: {@code ListOffsets} answers from chapter 6's time index (exercise 6.7, given
 * here), and a consumer seeks with it — {@link GroupConsumer#startFromTime} and {@link GroupConsumer#seekToTime}.
 * The broker's clock is a {@link ManualClock}, so every record's timestamp is known. The records are stored and
 * consumed through the topics of exercise 7.6. README section "Reading by time".
 */
@Exercise("7.6")
@Tag("7.6")
@Timeout(30)
class SeekByTimeTest {
    private static final String TOPIC = "orders";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-07T14:00:00Z"));
    private TopicBroker broker;
    private DispatchServer server;
    private DispatchClient client;

    @BeforeEach
    void start() throws IOException {
        open();
        client.createTopic(TOPIC, 1);
    }

    private void open() throws IOException {
        broker = TopicBroker.open(dir, TopicBroker.BrokerConfig.defaults(RangeAssignor::new), clock);
        server = DispatchServer.onLoopback(broker, 0).start();
        client = DispatchClient.connect("127.0.0.1", server.port(), Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        server.close();
        broker.close();
    }

    /** Ten records a minute apart, 14:00 to 14:09: record {@code i} is offset {@code i}, written at 14:0i. */
    private void produceTenMinutes() {
        for (int i = 0; i < 10; i++) {
            client.produce(TOPIC, null, ("minute-" + i).getBytes(UTF_8), null);
            clock.advance(Duration.ofMinutes(1));
        }
    }

    private static long at(String time) {
        return Instant.parse("2026-12-07T" + time + "Z").toEpochMilli();
    }

    private static List<String> values(List<ConsumedRecord> records) {
        List<String> values = new ArrayList<>();
        records.forEach(r -> values.add(new String(r.record().value(), UTF_8)));
        return values;
    }

    @Test
    void listOffsetsFindsTheFirstRecordAtOrAfterATime() {
        produceTenMinutes();

        assertThat(client.offsetForTime(P0, at("14:03:00"))).as("exactly a record's time: that record")
            .contains(new TimestampOffset(at("14:03:00"), 3));
        assertThat(client.offsetForTime(P0, at("14:03:30"))).as("between two records: the later one, with its own "
            + "timestamp").contains(new TimestampOffset(at("14:04:00"), 4));
        assertThat(client.offsetForTime(P0, at("13:00:00"))).as("before every record: the first")
            .contains(new TimestampOffset(at("14:00:00"), 0));
        assertThat(client.offsetForTime(P0, at("14:09:01"))).as("after every record: none, as Kafka answers")
            .isEmpty();
        assertThat(client.offsetForTime(P0, Topic.LATEST)).as("-1: the log end offset")
            .contains(new TimestampOffset(-1, 10));
        assertThat(client.offsetForTime(P0, Topic.EARLIEST)).as("-2: the log start offset")
            .contains(new TimestampOffset(-1, 0));
    }

    @Test
    void refusesATimeThatIsNoTimeAndAPartitionOrTopicThatIsNotThere() {
        assertThatThrownBy(() -> client.offsetForTime(P0, -5)).isInstanceOfSatisfying(DispatchException.class,
            e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT)).hasMessageContaining("-5");
        assertThatThrownBy(() -> client.offsetForTime(new TopicPartition(TOPIC, 3), at("14:00:00")))
            .isInstanceOf(DispatchException.class).hasMessageContaining("partitions 0 to 0");
        assertThatThrownBy(() -> client.offsetForTime(new TopicPartition("nope", 0), at("14:00:00")))
            .isInstanceOfSatisfying(DispatchException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNKNOWN_TOPIC));
        assertThat(client.offsetForTime(P0, at("14:00:00"))).as("the connection still serves").isEmpty();
    }

    @Test
    void aConsumerStartsFromATimeInsteadOfTheCommittedOffsetAndCommitsFromThere() {
        produceTenMinutes();
        try (GroupConsumer consumer = new GroupConsumer(client, "replay", "m1", List.of(TOPIC), "*", 1 << 20)
            .maxWait(Duration.ZERO).startFromTime(Instant.parse("2026-12-07T14:06:30Z"))) {
            assertThat(values(consumer.poll())).as("the first poll starts at the first record at or after 14:06:30")
                .containsExactly("minute-7", "minute-8", "minute-9");
            consumer.commit();
            assertThat(client.committed("replay", P0)).as("the group's position is where the consumer got to")
                .hasValue(10);

            assertThat(consumer.seekToTime(Instant.parse("2026-12-07T14:02:00Z"))).as("seek back to 14:02")
                .isEqualTo(Map.of(P0, 2L));
            assertThat(values(consumer.poll())).as("replayed from 14:02 on").hasSize(8).startsWith("minute-2");
            assertThat(consumer.seekToTime(Instant.parse("2026-12-07T15:00:00Z"))).as("later than every record: "
                + "the end of the partition").isEqualTo(Map.of(P0, 10L));
        }
    }

    @Test
    void theTimeIndexAnswersAfterARestart() throws IOException {
        produceTenMinutes();
        stop();
        open();

        assertThat(client.offsetForTime(P0, at("14:05:10"))).as("the time index survives a restart")
            .contains(new TimestampOffset(at("14:06:00"), 6));
    }
}

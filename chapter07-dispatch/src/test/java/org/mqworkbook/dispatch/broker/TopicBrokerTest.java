package org.mqworkbook.dispatch.broker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.dispatch.group.HeartbeatResult;
import org.mqworkbook.dispatch.group.JoinResult;
import org.mqworkbook.dispatch.partition.RangeAssignor;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.routing.TagFilter;
import org.mqworkbook.dispatch.topic.FetchResult;
import org.mqworkbook.dispatch.topic.PartitionOffset;
import org.mqworkbook.dispatch.topic.Topic;
import org.mqworkbook.storage.LogConfig;
import org.mqworkbook.storage.Record;
import org.mqworkbook.storage.UnreadableOffsetsException;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;

/**
 * Exercise 7.6 through the broker: topics created and found again on disk, produce and fetch with a
 * RocketMQ-style tag filter, and consumer groups whose committed offsets survive a restart. README
 * section "7.6 Topics on logs".
 */
@Exercise("7.6")
@Tag("7.6")
@Timeout(20)
class TopicBrokerTest {
    private static final int MAX_BYTES = 1 << 20;
    private static final TagFilter ALL = TagFilter.parse("*");

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock();
    private final TopicBroker.BrokerConfig config = TopicBroker.BrokerConfig.defaults(RangeAssignor::new)
        .withSessionTimeout(Duration.ofSeconds(10));
    private TopicBroker broker;

    private TopicBroker open(TopicBroker.BrokerConfig brokerConfig) throws IOException {
        broker = TopicBroker.open(dir, brokerConfig, clock);
        return broker;
    }

    private TopicBroker reopen() throws IOException {
        broker.close();
        return open(config);
    }

    @AfterEach
    void close() throws IOException {
        if (broker != null) {
            broker.close();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    private static List<String> values(FetchResult result) {
        return result.records().stream().map(r -> new String(r.value(), UTF_8)).toList();
    }

    @Test
    void createTopicIsIdempotentWithTheSameCountAndRefusedWithAnother() throws IOException {
        open(config);
        Topic orders = broker.createTopic("orders", 3);

        assertThat(broker.createTopic("orders", 3)).as("creating an existing topic with the same count returns it")
            .isSameAs(orders);
        assertThatThrownBy(() -> broker.createTopic("orders", 5))
            .as("orders exists with 3 partitions: creating it with 5 must be refused, not resize it")
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("orders")
            .hasMessageContaining("3")
            .hasMessageContaining("5");
        assertThat(broker.partitionCounts()).as("the broker still has one topic of 3 partitions")
            .isEqualTo(Map.of("orders", 3));
        assertThat(broker.topic("orders")).as("topic(name) finds it").containsSame(orders);
        assertThat(broker.topic("payments")).as("topic(name) of an unknown topic").isEmpty();
    }

    @Test
    void produceAndFetchOnAnUnknownTopicAreRefusedNamingIt() throws IOException {
        open(config);
        broker.createTopic("orders", 1);

        assertThatThrownBy(() -> broker.produce("ordres", bytes("k"), bytes("v"), null))
            .as("a produce to a topic that was never created is refused, naming the topic")
            .isInstanceOfSatisfying(UnknownTopicException.class,
                e -> assertThat(e.topic()).as("the unknown topic").isEqualTo("ordres"))
            .hasMessageContaining("ordres");
        assertThatThrownBy(() -> broker.fetch("ordres", 0, 0, MAX_BYTES, ALL))
            .as("a fetch from a topic that was never created is refused, naming the topic")
            .isInstanceOf(UnknownTopicException.class)
            .hasMessageContaining("ordres");
        assertThat(broker.partitionCounts()).as("a produce never creates a topic by accident")
            .isEqualTo(Map.of("orders", 1));
    }

    @Test
    void aProducedRecordIsReadableByFetchAtItsPosition() throws IOException, InterruptedException {
        open(config);
        broker.createTopic("orders", 3);

        PartitionOffset first = broker.produce("orders", bytes("customer-1"), bytes("order-1"), "TagA");
        PartitionOffset second = broker.produce("orders", bytes("customer-1"), bytes("order-2"), null);

        assertThat(second.partition()).as("the same key goes to the same partition").isEqualTo(first.partition());
        assertThat(second.offset()).as("and gets the next offset there").isEqualTo(first.offset() + 1);
        FetchResult fetched = broker.fetch("orders", first.partition().partition(), first.offset(), MAX_BYTES, ALL);
        assertThat(values(fetched)).as("a fetch at the produced position returns the record and what follows")
            .containsExactly("order-1", "order-2");
        Record record = fetched.records().get(0);
        assertThat(new String(record.key(), UTF_8)).as("the record keeps its key").isEqualTo("customer-1");
        assertThat(TopicBroker.tagOf(record)).as("the tag travels in the '%s' header", TopicBroker.TAG_HEADER)
            .isEqualTo("TagA");
        assertThat(TopicBroker.tagOf(fetched.records().get(1))).as("a record produced without a tag has none")
            .isNull();
        assertThat(fetched.nextOffset()).as("the next fetch starts after the last record returned")
            .isEqualTo(second.offset() + 1);
        assertThat(fetched.lag()).as("the consumer has read everything: no lag").isZero();
    }

    @Test
    void aTagFilterDeliversOnlyItsTagsAndMovesPastTheOthers() throws IOException, InterruptedException {
        open(config);
        broker.createTopic("events", 1);
        String[][] produced = {{"a1", "TagA"}, {"none1", null}, {"b1", "TagB"}, {"c1", "TagC"}, {"a2", "TagA"},
            {"none2", null}};
        for (String[] message : produced) {
            broker.produce("events", null, bytes(message[0]), message[1]);
        }
        TagFilter aOrB = TagFilter.parse("TagA || TagB");

        FetchResult filtered = broker.fetch("events", 0, 0, MAX_BYTES, aOrB);
        assertThat(values(filtered)).as("'TagA || TagB' delivers only the records tagged TagA or TagB, in order; "
            + "untagged records and TagC are not for this subscription").containsExactly("a1", "b1", "a2");
        assertThat(filtered.nextOffset()).as("nextOffset moves past the filtered records too (offsets 0 to 5 were "
            + "read), or the consumer would read them again and again").isEqualTo(6);
        assertThat(filtered.endOffset()).as("the partition's end offset").isEqualTo(6);
        assertThat(filtered.lag()).as("lag = endOffset - nextOffset").isZero();

        FetchResult again = broker.fetch("events", 0, filtered.nextOffset(), MAX_BYTES, aOrB);
        assertThat(again.records()).as("a fetch from nextOffset never returns a record again").isEmpty();
        assertThat(again.nextOffset()).as("with nothing new, nextOffset stays where the fetch started")
            .isEqualTo(6);

        assertThat(values(broker.fetch("events", 0, 0, MAX_BYTES, ALL))).as("'*' delivers every record, "
            + "untagged ones included").containsExactly("a1", "none1", "b1", "c1", "a2", "none2");

        broker.produce("events", null, bytes("c2"), "TagC");
        FetchResult onlyOthers = broker.fetch("events", 0, 6, MAX_BYTES, aOrB);
        assertThat(onlyOthers.records()).as("the only new record is tagged TagC: nothing is delivered").isEmpty();
        assertThat(onlyOthers.nextOffset()).as("but nextOffset moves past it, so that committing it skips it")
            .isEqualTo(7);

        FetchResult partial = broker.fetch("events", 0, 0, 1, ALL);
        assertThat(values(partial)).as("a fetch of 1 byte still returns one record").containsExactly("a1");
        assertThat(partial.nextOffset()).as("after reading offset 0 the next fetch starts at 1").isEqualTo(1);
        assertThat(partial.endOffset()).as("the partition holds 7 records").isEqualTo(7);
        assertThat(partial.lag()).as("lag = endOffset - nextOffset = 7 - 1").isEqualTo(6);
    }

    @Test
    void maxBytesBoundsAFetchButItAlwaysReturnsAtLeastOneRecord() throws IOException, InterruptedException {
        TopicBroker.BrokerConfig capped = new TopicBroker.BrokerConfig(LogConfig.DEFAULT, RangeAssignor::new,
            Duration.ofSeconds(10), 4_000, 10, 10);
        open(capped);
        broker.createTopic("big", 1);
        for (int i = 0; i < 20; i++) {
            broker.produce("big", null, bytes(String.valueOf((char) ('a' + i)).repeat(1_000)), null);
        }

        FetchResult one = broker.fetch("big", 0, 0, 1, ALL);
        assertThat(one.records()).as("a record larger than maxBytes is still returned, alone: otherwise the "
            + "consumer could never get past it").hasSize(1);

        FetchResult some = broker.fetch("big", 0, 0, 2_500, ALL);
        assertThat(some.records()).as("records of about 1 KB with maxBytes 2500: two fit, a third would not")
            .hasSize(2);
        assertThat(some.nextOffset()).as("nextOffset follows the last record returned")
            .isEqualTo(some.records().size());

        FetchResult cappedByBroker = broker.fetch("big", 0, 0, Integer.MAX_VALUE, ALL);
        assertThat(cappedByBroker.records()).as("the broker caps every fetch at maxFetchBytes (4000 here), "
            + "whatever the consumer asks for: three records of about 1 KB").hasSize(3);
        assertThat(cappedByBroker.lag()).as("what was not returned is lag")
            .isEqualTo(20 - cappedByBroker.records().size());
    }

    @Test
    void aReopenedBrokerFindsItsTopicsRecordsAndCommittedOffsets() throws IOException, InterruptedException {
        open(config);
        broker.createTopic("orders", 3);
        broker.createTopic("payments", 1);
        for (int i = 0; i < 9; i++) {
            broker.produce("orders", null, bytes("o" + i), null);
        }
        broker.produce("payments", bytes("p"), bytes("p0"), null);
        JoinResult joined = broker.join("billing", "m1", Set.of("orders")).join(); // alone: answered at once
        assertThat(joined.partitions()).as("alone in billing, m1 owns the 3 partitions of orders").hasSize(3);
        broker.commit("billing", "m1", joined.generation(), new TopicPartition("orders", 0), 2);
        broker.commit("billing", "m1", joined.generation(), new TopicPartition("orders", 2), 3);

        reopen();

        assertThat(broker.partitionCounts()).as("a reopened broker finds every topic in its directory, "
            + "with its partition count").isEqualTo(Map.of("orders", 3, "payments", 1));
        long total = 0;
        for (int p = 0; p < 3; p++) {
            total += broker.fetch("orders", p, 0, MAX_BYTES, ALL).records().size();
        }
        assertThat(total).as("and every acknowledged record of orders").isEqualTo(9);
        assertThat(values(broker.fetch("payments", 0, 0, MAX_BYTES, ALL))).as("and of payments")
            .containsExactly("p0");
        assertThat(broker.committed("billing", new TopicPartition("orders", 0)))
            .as("group billing's committed offsets survive the restart").isEqualTo(OptionalLong.of(2));
        assertThat(broker.committed("billing", new TopicPartition("orders", 2)))
            .as("group billing's committed offsets survive the restart").isEqualTo(OptionalLong.of(3));
        assertThat(broker.committed("billing", new TopicPartition("orders", 1)))
            .as("a partition the group never committed has no offset").isEmpty();
        assertThat(broker.heartbeat("billing", "m1", joined.generation()))
            .as("membership lives in memory: after a restart m1 is unknown and must rejoin")
            .isEqualTo(HeartbeatResult.UNKNOWN_MEMBER);
        JoinResult rejoined = broker.join("billing", "m1", Set.of("orders")).join();
        assertThat(rejoined.partitions()).as("m1 rejoins and owns orders again").hasSize(3);
        broker.commit("billing", "m1", rejoined.generation(), new TopicPartition("orders", 0), 3);
        assertThat(broker.committed("billing", new TopicPartition("orders", 0))).as("and commits again")
            .isEqualTo(OptionalLong.of(3));
    }

    @Test
    void damageInThePartitionsOnlySegmentIsReportedAndTheRecordsAfterItAreServed() throws Exception {
        open(config);
        broker.createTopic("t3", 1);
        for (int i = 0; i < 500; i++) {
            broker.produce("t3", null, bytes("r" + i), null);
        }
        broker.close(); // the server is stopped; everything acknowledged was flushed long before
        broker = null;
        Path segment = dir.resolve("topics").resolve("t3-0").resolve("00000000000000000000.log");
        try (FileChannel file = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.wrap(new byte[16]), Files.size(segment) / 2); // 16 bytes zeroed mid-segment
        }

        open(config);
        List<String> served = new ArrayList<>();
        long next = 0;
        long unreadableFrom = -1;
        long unreadableTo = -1;
        while (true) {
            try {
                FetchResult fetched = broker.fetch("t3", 0, next, MAX_BYTES, ALL);
                if (fetched.records().isEmpty()) {
                    break;
                }
                served.addAll(values(fetched));
                next = fetched.nextOffset();
            } catch (UnreadableOffsetsException gap) {
                assertThat(unreadableFrom).as("one damaged place, one gap").isEqualTo(-1);
                unreadableFrom = gap.firstOffset();
                unreadableTo = gap.lastOffset();
                next = gap.lastOffset() + 1;
            }
        }
        assertThat(unreadableFrom).as("the damaged offsets are reported, not silently skipped").isPositive();
        assertThat(served).as("every record but the damaged ones: %d to %d", unreadableFrom, unreadableTo)
            .hasSize(500 - (int) (unreadableTo - unreadableFrom + 1)).endsWith("r499");
        assertThat(broker.produce("t3", null, bytes("r500"), null).offset()).as("offsets are never reused")
            .isEqualTo(500);
    }

    @Test
    void joiningForAnUnknownTopicIsRefusedNamingIt() throws IOException {
        open(config);
        broker.createTopic("orders", 2);

        assertThatThrownBy(() -> broker.join("billing", "m1", Set.of("orders", "ordres")))
            .as("a member cannot subscribe to a topic that does not exist")
            .isInstanceOf(UnknownTopicException.class)
            .hasMessageContaining("ordres");
        assertThat(broker.owners("billing")).as("the refused member did not join").isEmpty();
    }

    @Test
    void aJoinWithAnOverlongOrEmptyIdIsRefusedWithoutCreatingItsGroup() throws IOException {
        open(config);
        broker.createTopic("orders", 1);

        assertThatThrownBy(() -> broker.join("fresh", "m".repeat(250), null, Set.of("orders")))
            .as("a member id longer than 249 characters").isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("250 characters");
        assertThatThrownBy(() -> broker.join("fresh", "m1", "", Set.of("orders")))
            .as("an empty instance id").isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("instance id");
        assertThat(Files.exists(dir.resolve("groups").resolve("fresh")))
            .as("a refused join must not create the group (nor use up one of maxGroups)").isFalse();
    }

    @Test
    void aCommitBeyondTheLogEndIsRefused() throws IOException, InterruptedException {
        open(config);
        broker.createTopic("orders", 1);
        broker.produce("orders", null, bytes("a"), null);
        broker.produce("orders", null, bytes("b"), null);
        JoinResult joined = broker.join("billing", "m1", Set.of("orders")).join();
        TopicPartition p0 = new TopicPartition("orders", 0);

        broker.commit("billing", "m1", joined.generation(), p0, 2);
        assertThat(broker.committed("billing", p0)).as("committing the end offset (everything read) is fine")
            .isEqualTo(OptionalLong.of(2));
        for (long beyond : new long[] {3, Long.MAX_VALUE, -1}) {
            assertThatThrownBy(() -> broker.commit("billing", "m1", joined.generation(), p0, beyond))
                .as("orders-0 ends at offset 2: committing %d would skip records that do not exist yet", beyond)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(beyond));
        }
        assertThat(broker.committed("billing", p0)).as("a refused commit changes nothing")
            .isEqualTo(OptionalLong.of(2));
    }

    @Test
    void anIllegalTagIsRefusedAtProduceAndNothingIsStored() throws IOException, InterruptedException {
        open(config);
        broker.createTopic("events", 1);
        for (String tag : List.of("", "Tag A", "TagA||TagB", "*", "x".repeat(256))) {
            assertThatThrownBy(() -> broker.produce("events", null, bytes("v"), tag))
                .as("'%s' is not a tag a subscription could name: the produce is refused", tag)
                .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(broker.fetch("events", 0, 0, MAX_BYTES, ALL).records())
            .as("a refused produce stores nothing").isEmpty();
        broker.produce("events", null, bytes("v"), "Tag_A-1.x");
        assertThat(broker.fetch("events", 0, 0, MAX_BYTES, TagFilter.parse("Tag_A-1.x")).records())
            .as("a legal tag is stored and matched").hasSize(1);
    }

    @Test
    void ownersShowsEachMembersPartitions() throws IOException {
        open(config);
        broker.createTopic("orders", 4);

        broker.join("billing", "a", Set.of("orders"));
        assertThat(broker.owners("billing")).as("alone, a owns every partition")
            .isEqualTo(Map.of("a", partitions(0, 1, 2, 3)));
        broker.join("billing", "b", Set.of("orders"));
        assertThat(broker.owners("billing")).as("while b waits for a to rejoin, a still owns everything")
            .isEqualTo(Map.of("a", partitions(0, 1, 2, 3), "b", List.of()));
        broker.join("billing", "a", Set.of("orders"));
        assertThat(broker.owners("billing")).as("the range assignor splits 4 partitions between a and b")
            .isEqualTo(Map.of("a", partitions(0, 1), "b", partitions(2, 3)));
        broker.leave("billing", "a");
        broker.join("billing", "b", Set.of("orders"));
        assertThat(broker.owners("billing")).as("after a leaves and b rejoins, b owns everything")
            .isEqualTo(Map.of("b", partitions(0, 1, 2, 3)));
        assertThat(broker.owners("audit")).as("another group has its own, empty, membership").isEmpty();
    }

    @Test
    void aFullGroupRefusesANewMemberButLetsItsMembersRejoin() throws IOException {
        open(new TopicBroker.BrokerConfig(LogConfig.DEFAULT, RangeAssignor::new, Duration.ofSeconds(10), 1 << 20,
            10, 10, 2));
        broker.createTopic("orders", 4);
        broker.join("billing", "a", Set.of("orders"));
        broker.join("billing", "b", Set.of("orders"));

        assertThatThrownBy(() -> broker.join("billing", "c", Set.of("orders")))
            .as("every join rebalances the whole group: a limit on members bounds memory and that work")
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("billing")
            .hasMessageContaining("2 members").hasMessageContaining("c");
        assertThat(broker.owners("billing")).as("the refused join changed nothing").containsOnlyKeys("a", "b");
        assertThat(broker.join("billing", "a", Set.of("orders")).join().partitions())
            .as("a member already in the group may rejoin (and so completes b's rebalance)").isNotEmpty();
    }

    private static List<TopicPartition> partitions(int... numbers) {
        return Arrays.stream(numbers).mapToObj(p -> new TopicPartition("orders", p)).toList();
    }
}

package org.mqworkbook.dispatch.topic;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.dispatch.partition.Murmur2Partitioner;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.Header;
import org.mqworkbook.storage.LogConfig;
import org.mqworkbook.storage.OffsetOutOfRangeException;
import org.mqworkbook.storage.Record;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;

/**
 * Exercise 7.6, a topic on chapter 6 logs: one log per partition in a directory {@code name-p}, keys
 * placed by the murmur2 partitioner of exercise 7.1, reads by partition and offset, and a partition count
 * that is checked against the disk when the topic is reopened. README section "7.6 Topics on logs".
 */
@Exercise("7.6")
@Tag("7.6")
@Timeout(20)
class TopicTest {
    private static final int MAX_BYTES = 1 << 20;

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock();

    private Topic open(String name, int partitions) throws IOException {
        return Topic.open(dir, name, partitions, LogConfig.DEFAULT, clock);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, UTF_8);
    }

    private static List<String> values(List<Record> records) {
        return records.stream().map(r -> text(r.value())).toList();
    }

    private static List<Long> offsets(List<Record> records) {
        return records.stream().map(Record::offset).toList();
    }

    /** Every file and directory under {@code root} with the size of the files: what "unchanged" compares. */
    private static Map<String, Long> tree(Path root) throws IOException {
        Map<String, Long> tree = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.toList()) {
                tree.put(root.relativize(path).toString(), Files.isDirectory(path) ? -1L : Files.size(path));
            }
        }
        return tree;
    }

    private static void deleteRecursively(Path path) throws IOException {
        try (Stream<Path> paths = Files.walk(path)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void creatingATopicMakesOneDirectoryPerPartitionNamedAsKafkaNamesThem() throws IOException {
        try (Topic topic = open("orders", 3)) {
            assertThat(topic.name()).as("the topic's name").isEqualTo("orders");
            assertThat(topic.partitionCount()).as("the topic was created with 3 partitions").isEqualTo(3);
            try (Stream<Path> entries = Files.list(dir)) {
                assertThat(entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()))
                    .as("each partition is a chapter 6 log in its own directory <topic>-<partition>, "
                        + "numbered from 0, directly in the parent directory")
                    .containsExactlyInAnyOrder("orders-0", "orders-1", "orders-2");
            }
            for (int p = 0; p < 3; p++) {
                assertThat(topic.log(p).dir()).as("partition %d's log lives in orders-%d", p, p)
                    .isEqualTo(dir.resolve("orders-" + p));
                assertThat(topic.endOffset(p)).as("a new partition %d is empty", p).isZero();
            }
        }
    }

    @Test
    void theSameKeyAlwaysLandsOnItsMurmur2Partition() throws IOException {
        Murmur2Partitioner partitioner = new Murmur2Partitioner();
        try (Topic topic = open("orders", 4)) {
            for (String key : List.of("k0", "customer-42", "", "a much longer key with spaces in it")) {
                int expected = partitioner.partition(bytes(key), 4);
                for (int i = 0; i < 3; i++) {
                    PartitionOffset position = topic.append(bytes(key), bytes(key + "#" + i), List.of());
                    assertThat(position.partition())
                        .as("key '%s' must go to partition (murmur2(key) & 0x7fffffff) %% 4 = %d, every time "
                            + "(append #%d): use the Murmur2Partitioner of exercise 7.1", key, expected, i)
                        .isEqualTo(new TopicPartition("orders", expected));
                }
            }
        }
    }

    @Test
    void distinctKeysSpreadOverEveryPartitionExactlyAsThePartitionerSays() throws IOException {
        Murmur2Partitioner partitioner = new Murmur2Partitioner();
        Map<Integer, Integer> counts = new TreeMap<>();
        try (Topic topic = open("orders", 4)) {
            for (int i = 0; i < 1000; i++) {
                byte[] key = bytes("key-" + i);
                int partition = topic.append(key, bytes("v" + i), List.of()).partition().partition();
                assertThat(partition).as("key 'key-%d' goes to the murmur2 partition", i)
                    .isEqualTo(partitioner.partition(key, 4));
                counts.merge(partition, 1, Integer::sum);
            }
            assertThat(counts.keySet()).as("1000 distinct keys reach all 4 partitions (counts per partition: %s)",
                counts).containsExactly(0, 1, 2, 3);
            for (int p = 0; p < 4; p++) {
                assertThat(topic.endOffset(p)).as("partition %d holds the records the partitioner sent there", p)
                    .isEqualTo(counts.get(p).longValue());
            }
        }
    }

    @Test
    void recordsWithoutAKeyGoRoundRobin() throws IOException {
        try (Topic topic = open("orders", 4)) {
            List<Integer> partitions = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                partitions.add(topic.append(null, bytes("v" + i), List.of()).partition().partition());
            }
            for (int i = 1; i < partitions.size(); i++) {
                assertThat(partitions.get(i))
                    .as("a record without a key goes to the partition after the previous keyless one "
                        + "(round-robin); partitions in order: %s", partitions)
                    .isEqualTo((partitions.get(i - 1) + 1) % 4);
            }
            for (int p = 0; p < 4; p++) {
                assertThat(topic.endOffset(p)).as("8 keyless records over 4 partitions: 2 each, in %s", partitions)
                    .isEqualTo(2);
            }
        }
    }

    @Test
    void offsetsStartAtZeroInEachPartitionAndIncreaseByOne() throws IOException {
        try (Topic topic = open("orders", 3)) {
            Map<Integer, List<Long>> offsets = new TreeMap<>();
            int[] order = {2, 0, 2, 1, 2, 0, 0, 2};
            for (int partition : order) {
                PartitionOffset position = topic.append(partition, null, bytes("x"), List.of());
                assertThat(position.partition()).as("an append to partition %d reports that partition", partition)
                    .isEqualTo(new TopicPartition("orders", partition));
                offsets.computeIfAbsent(partition, p -> new ArrayList<>()).add(position.offset());
            }
            assertThat(offsets).as("each partition is its own log: its offsets count 0, 1, 2... whatever the "
                + "other partitions hold").isEqualTo(Map.of(
                    0, List.of(0L, 1L, 2L),
                    1, List.of(0L),
                    2, List.of(0L, 1L, 2L, 3L)));
            assertThat(List.of(topic.endOffset(0), topic.endOffset(1), topic.endOffset(2)))
                .as("each partition's end offset is the offset its next record gets")
                .containsExactly(3L, 1L, 4L);
        }
    }

    @Test
    void readReturnsWhatWasAppendedInOrderWithKeysValuesAndHeaders() throws IOException {
        try (Topic topic = open("orders", 2)) {
            byte[] key = bytes("customer-7");
            int partition = new Murmur2Partitioner().partition(key, 2);
            List<List<Header>> headers = List.of(
                List.of(),
                List.of(new Header("tag", bytes("TagA"))),
                List.of(new Header("trace", bytes("t-1")), new Header("empty", null)));
            for (int i = 0; i < headers.size(); i++) {
                topic.append(key, bytes("order-" + i), headers.get(i));
            }

            List<Record> read = topic.read(partition, 0, MAX_BYTES);

            assertThat(offsets(read)).as("read from offset 0 returns the partition's records in offset order")
                .containsExactly(0L, 1L, 2L);
            assertThat(values(read)).as("the values, in the order they were appended")
                .containsExactly("order-0", "order-1", "order-2");
            for (int i = 0; i < read.size(); i++) {
                assertThat(text(read.get(i).key())).as("record %d keeps its key", i).isEqualTo("customer-7");
                assertThat(read.get(i).headers()).as("record %d keeps its headers, in order", i)
                    .isEqualTo(headers.get(i));
                assertThat(read.get(i).timestamp()).as("record %d is stamped by the topic's clock", i)
                    .isEqualTo(clock.millis());
            }
            assertThat(values(topic.read(partition, 1, MAX_BYTES))).as("read from offset 1 starts at offset 1")
                .containsExactly("order-1", "order-2");
            assertThat(topic.read(1 - partition, 0, MAX_BYTES)).as("the other partition received nothing")
                .isEmpty();
        }
    }

    @Test
    void anAppendToAnExplicitPartitionGoesThereWhateverItsKey() throws IOException {
        try (Topic topic = open("orders", 3)) {
            byte[] key = bytes("k1");
            int own = new Murmur2Partitioner().partition(key, 3);
            int other = (own + 1) % 3;

            PartitionOffset position = topic.append(other, key, bytes("chosen"), List.of());

            assertThat(position).as("the producer chose partition %d: the key's own partition %d does not matter",
                other, own).isEqualTo(new PartitionOffset(new TopicPartition("orders", other), 0));
            assertThat(values(topic.read(other, 0, MAX_BYTES))).as("the record is in partition %d", other)
                .containsExactly("chosen");
            assertThat(topic.endOffset(own)).as("nothing went to the key's own partition %d", own).isZero();
        }
    }

    @Test
    void aReopenedTopicKeepsItsRecordsAndContinuesItsOffsets() throws IOException {
        byte[] key = bytes("k3");
        int partition = new Murmur2Partitioner().partition(key, 3);
        try (Topic topic = open("orders", 3)) {
            topic.append(key, bytes("before-0"), List.of());
            topic.append(key, bytes("before-1"), List.of());
            topic.append((partition + 1) % 3, null, bytes("elsewhere"), List.of());
        }

        try (Topic reopened = open("orders", 3)) {
            assertThat(values(reopened.read(partition, 0, MAX_BYTES)))
                .as("reopening recovers every partition's log (chapter 6): the records are still there")
                .containsExactly("before-0", "before-1");
            assertThat(reopened.endOffset((partition + 1) % 3)).as("and so is the record of the other partition")
                .isEqualTo(1);
            PartitionOffset next = reopened.append(key, bytes("after"), List.of());
            assertThat(next).as("after a reopen the key still goes to partition %d and the offsets continue",
                partition).isEqualTo(new PartitionOffset(new TopicPartition("orders", partition), 2));
            assertThat(values(reopened.read(partition, 0, MAX_BYTES))).as("old and new records, in order")
                .containsExactly("before-0", "before-1", "after");
        }
    }

    @Test
    void reopeningWithAnotherPartitionCountIsRefusedAndChangesNothingOnDisk() throws IOException {
        try (Topic topic = open("orders", 3)) {
            for (int i = 0; i < 6; i++) {
                topic.append(bytes("k" + i), bytes("v" + i), List.of());
            }
        }
        Map<String, Long> before = tree(dir);

        for (int other : new int[] {5, 2}) {
            assertThatThrownBy(() -> open("orders", other))
                .as("orders has 3 partitions on disk: opening it with %d would send keys to other partitions, "
                    + "so it must be refused", other)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("orders")
                .hasMessageMatching("(?s).*\\b3\\b.*")
                .hasMessageMatching("(?s).*\\b" + other + "\\b.*");
            assertThat(tree(dir)).as("a refused reopen with %d partitions must not create, delete or change any "
                + "file or directory", other).isEqualTo(before);
        }
        try (Topic reopened = open("orders", 3)) {
            long total = 0;
            for (int p = 0; p < 3; p++) {
                total += reopened.endOffset(p);
            }
            assertThat(total).as("with the right count the topic opens with all its 6 records").isEqualTo(6);
        }
    }

    @Test
    void aMissingPartitionDirectoryIsRefusedNamingTheGap() throws IOException {
        try (Topic topic = open("orders", 3)) {
            for (int p = 0; p < 3; p++) {
                topic.append(p, null, bytes("v" + p), List.of());
            }
        }
        deleteRecursively(dir.resolve("orders-1"));

        for (int count : new int[] {3, 2}) {
            assertThatThrownBy(() -> open("orders", count))
                .as("orders-1 was deleted by hand: partitions 0 and 2 remain, and reopening with %d partitions "
                    + "must be refused rather than renumber or recreate a partition silently", count)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("orders")
                .hasMessageContaining("partition 1");
        }
        assertThat(Files.isDirectory(dir.resolve("orders-1"))).as("the missing partition is not recreated").isFalse();
        assertThat(Files.isDirectory(dir.resolve("orders-2"))).as("partition 2 is left alone").isTrue();
    }

    @Test
    void illegalNamesAndPartitionCountsAreRefusedBeforeAnythingIsCreated() throws IOException {
        for (String name : List.of("", "a/b", "with space", "x".repeat(250), "ordres\u00e9")) {
            assertThatThrownBy(() -> open(name, 1))
                .as("'%s' is not a legal topic name (1 to 249 of [a-zA-Z0-9._-]): it becomes a directory name",
                    name)
                .isInstanceOf(IllegalArgumentException.class);
        }
        for (int partitions : new int[] {0, -1, Topic.MAX_PARTITIONS + 1}) {
            assertThatThrownBy(() -> open("orders", partitions))
                .as("a topic has 1 to %d partitions, not %d", Topic.MAX_PARTITIONS, partitions)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(partitions));
        }
        try (Stream<Path> entries = Files.list(dir)) {
            assertThat(entries.toList()).as("a refused topic leaves nothing behind").isEmpty();
        }
        String longest = "a.B_9-".repeat(41) + "xyz";
        try (Topic topic = open(longest, 1)) {
            assertThat(topic.append(null, bytes("v"), List.of()))
                .as("a name of 249 legal characters (letters, digits, '.', '_', '-') is accepted")
                .isEqualTo(new PartitionOffset(new TopicPartition(longest, 0), 0));
            assertThat(Files.isDirectory(dir.resolve(longest + "-0"))).as("its partition directory exists").isTrue();
        }
    }

    @Test
    void aPartitionOutsideTheTopicIsRefusedNamingTheRange() throws IOException {
        try (Topic topic = open("orders", 3)) {
            topic.append(0, null, bytes("v"), List.of());
            for (int partition : new int[] {-1, 3}) {
                assertThatThrownBy(() -> topic.read(partition, 0, MAX_BYTES))
                    .as("orders has partitions 0 to 2: a read of partition %d is refused", partition)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("orders")
                    .hasMessageContaining("0 to 2");
                assertThatThrownBy(() -> topic.append(partition, null, bytes("v"), List.of()))
                    .as("orders has partitions 0 to 2: an append to partition %d is refused", partition)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("orders")
                    .hasMessageContaining("0 to 2");
            }
            long total = topic.endOffset(0) + topic.endOffset(1) + topic.endOffset(2);
            assertThat(total).as("refused appends store nothing").isEqualTo(1);
        }
    }

    @Test
    void aReadPastThePartitionsEndIsOutOfRange() throws IOException {
        try (Topic topic = open("orders", 2)) {
            topic.append(1, null, bytes("a"), List.of());
            topic.append(1, null, bytes("b"), List.of());

            assertThat(topic.read(1, 2, MAX_BYTES)).as("reading at the end offset (2) returns nothing: "
                + "a consumer that is caught up simply gets no records").isEmpty();
            assertThatThrownBy(() -> topic.read(1, 3, MAX_BYTES))
                .as("partition 1 holds offsets 0 and 1: offset 3 is past its end")
                .isInstanceOf(OffsetOutOfRangeException.class);
            assertThatThrownBy(() -> topic.read(0, 1, MAX_BYTES))
                .as("partition 0 is empty: offset 1 is past its end, whatever partition 1 holds")
                .isInstanceOf(OffsetOutOfRangeException.class);
        }
    }

    @Test
    void awaitDurableRefusesThePositionOfAnotherTopic() throws IOException, InterruptedException {
        try (Topic orders = open("orders", 2); Topic payments = open("payments", 2)) {
            PartitionOffset own = orders.append(bytes("k"), bytes("v"), List.of());
            PartitionOffset foreign = payments.append(bytes("k"), bytes("v"), List.of());

            orders.awaitDurable(own); // returns: the record is on disk
            assertThatThrownBy(() -> orders.awaitDurable(foreign))
                .as("%s is a record of payments: orders cannot say when it is durable", foreign)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("payments")
                .hasMessageContaining("orders");
        }
    }

    @Test
    void twoTopicsInOneParentDoNotSeeEachOthersPartitions() throws IOException {
        Set<String> names = new HashSet<>();
        try (Topic a = open("a", 2); Topic b = open("a-1", 3)) {
            a.append(1, null, bytes("of a"), List.of());
            b.append(1, null, bytes("of a-1"), List.of());
            names.add(text(a.read(1, 0, MAX_BYTES).get(0).value()));
            names.add(text(b.read(1, 0, MAX_BYTES).get(0).value()));
        }
        assertThat(names).as("topic a's partition 1 (a-1) and topic a-1's partition 1 (a-1-1) are different logs")
            .containsExactlyInAnyOrder("of a", "of a-1");
        assertThat(Topic.partitionsOnDisk(dir, "a")).as("a-1-0 etc. are not partitions of topic a").isEqualTo(2);
        try (Topic a = open("a", 2); Topic b = open("a-1", 3)) {
            assertThat(Arrays.asList(a.endOffset(1), b.endOffset(1))).as("both reopen with their own record")
                .containsExactly(1L, 1L);
        }
    }

    @Test
    void growingATopicKeepsEveryRecordAndOffsetAndReopensWithTheNewCount() throws IOException {
        try (Topic topic = open("orders", 2)) {
            topic.append(0, bytes("k"), bytes("a"), List.of());
            topic.append(1, bytes("k"), bytes("b"), List.of());

            assertThat(topic.addPartitions(dir, 4, LogConfig.DEFAULT, FileOpener.REAL, clock)).isEqualTo(4);

            assertThat(topic.partitionCount()).isEqualTo(4);
            assertThat(values(topic.read(0, 0, MAX_BYTES))).containsExactly("a");
            assertThat(values(topic.read(1, 0, MAX_BYTES))).containsExactly("b");
            assertThat(topic.endOffset(3)).as("a new partition starts empty").isZero();
            assertThat(topic.append(3, null, bytes("c"), List.of()).offset()).isZero();
            assertThat(topic.addPartitions(dir, 4, LogConfig.DEFAULT, FileOpener.REAL, clock))
                .as("the count it has: nothing to do").isEqualTo(4);
        }
        assertThat(Topic.partitionsOnDisk(dir, "orders")).isEqualTo(4);
        try (Topic reopened = open("orders", 4)) {
            assertThat(values(reopened.read(3, 0, MAX_BYTES))).containsExactly("c");
        }
    }

    @Test
    void aTopicNeverLosesAPartitionNorGrowsPastTheLimit() throws IOException {
        try (Topic topic = open("orders", 3)) {
            assertThatThrownBy(() -> topic.addPartitions(dir, 2, LogConfig.DEFAULT, FileOpener.REAL, clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("never removed");
            assertThatThrownBy(() -> topic.addPartitions(dir, Topic.MAX_PARTITIONS + 1, LogConfig.DEFAULT,
                FileOpener.REAL, clock)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most");
            assertThat(topic.partitionCount()).isEqualTo(3);
        }
    }

    /**
     * The thread-safety claim of {@link Topic#addPartitions}: appends by key and reads running while the
     * topic grows never fail, and every appended record is found at the partition and offset it was given.
     */
    @Test
    void appendsAndReadsWhileTheTopicGrowsNeverFailAndLoseNothing() throws Exception {
        try (Topic topic = open("orders", 1)) {
            List<PartitionOffset> appended = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean growing = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                List<Future<?>> work = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    int thread = t;
                    work.add(pool.submit(() -> {
                        for (int i = 0; growing.get() || i < 200; i++) {
                            PartitionOffset at = topic.append(bytes(thread + "-" + i), bytes(thread + "-" + i),
                                List.of());
                            appended.add(at);
                            topic.read(at.partition().partition(), at.offset(), MAX_BYTES);
                        }
                        return null;
                    }));
                }
                for (int count = 2; count <= 16; count++) {
                    topic.addPartitions(dir, count, LogConfig.DEFAULT, FileOpener.REAL, clock);
                }
                growing.set(false);
                for (Future<?> f : work) {
                    f.get(20, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            for (PartitionOffset at : appended) {
                assertThat(topic.read(at.partition().partition(), at.offset(), 1)).as("%s", at).isNotEmpty();
            }
            long total = 0;
            for (int p = 0; p < topic.partitionCount(); p++) {
                total += topic.endOffset(p);
            }
            assertThat(total).as("every append is in exactly one partition").isEqualTo(appended.size());
        }
    }
}

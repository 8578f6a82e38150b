package org.mqworkbook.dispatch.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mqworkbook.testkit.Exercise;

/**
 * Exercise 7.1, the partitioner: {@link Murmur2Partitioner#murmur2} against the test vectors of Kafka's
 * own {@code UtilsTest.testMurmur2}, and {@link Murmur2Partitioner#partition} for keyed and keyless
 * records. README section "7.1 Choosing a partition".
 */
@Exercise("7.1")
@Tag("7.1")
@Timeout(20)
class Murmur2PartitionerTest {
    private static final String README = "README 7.1";

    private static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "murmur2(\"{0}\") = {1}")
    @CsvSource(delimiter = '|', textBlock = """
        21                                               | -973932308  | 2 bytes: no whole block, only the tail
        foobar                                           | -790332482  | one block and a 2-byte tail
        a-little-bit-long-string                         | -985981536  | 24 bytes: blocks only, no tail
        a-little-bit-longer-string                       | -1486304829 | blocks and a 2-byte tail
        lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8 | -58897971   | 48 bytes, twelve blocks
        abc                                              | 479470107   | 3-byte tail: the switch must fall through
        """)
    void murmur2MatchesKafkasTestVectors(String key, int expected, String why) {
        assertThat(Murmur2Partitioner.murmur2(bytes(key))).as("%s. Same hash as Kafka's Utils.murmur2, or a "
            + "workbook producer and a Kafka producer disagree on partitions (%s)", why, README)
            .isEqualTo(expected);
    }

    @Test
    void murmur2TreatsBytesAsUnsigned() {
        byte[] highBytes = {(byte) 0xff, (byte) 0x80, (byte) 0xfe, (byte) 0x81, (byte) 0x90};

        assertThat(Murmur2Partitioner.murmur2(highBytes)).as("Java bytes are signed: without & 0xff, 0xff "
            + "would be -1 and smear ones over the block (%s)", README).isEqualTo(referenceMurmur2(highBytes));
    }

    @ParameterizedTest(name = "\"{0}\" over {1} partitions → {2}")
    @CsvSource(delimiter = '|', textBlock = """
        21                                               | 10 | 0 | hash -973932308; Math.abs would give 8
        foobar                                           | 10 | 6 | hash -790332482; Math.abs would give 2
        a-little-bit-long-string                         | 7  | 1 | hash -985981536
        lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8 | 10 | 7 | hash -58897971; Math.abs would give 1
        abc                                              | 7  | 4 | hash 479470107, positive: just % 7
        abc                                              | 1  | 0 | one partition: everything goes to 0
        """)
    void partitionIsTheHashWithItsSignBitClearedModuloThePartitionCount(String key, int numPartitions,
                                                                        int expected, String why) {
        Murmur2Partitioner partitioner = new Murmur2Partitioner(0);

        assertThat(partitioner.partition(bytes(key), numPartitions)).as("%s: toPositive(h) = h & 0x7fffffff, "
            + "then %% %d, as Kafka's partitioner (%s)", why, numPartitions, README).isEqualTo(expected);
    }

    @Test
    void theSameKeyAlwaysGoesToTheSamePartition() {
        Murmur2Partitioner first = new Murmur2Partitioner(0);
        Murmur2Partitioner second = new Murmur2Partitioner(12345);
        for (int i = 0; i < 1000; i++) {
            byte[] key = bytes("order-" + i);
            int partition = first.partition(key, 12);

            assertThat(first.partition(key, 12)).as("key order-%d again: per-key ordering depends on it (%s)", i,
                README).isEqualTo(partition);
            assertThat(second.partition(key, 12)).as("key order-%d in another producer: the null-key counter "
                + "must not affect keyed records (%s)", i, README).isEqualTo(partition);
        }
    }

    @Test
    void everyKeyMapsToAValidPartitionEvenWhenItsHashIsNegative() {
        Murmur2Partitioner partitioner = new Murmur2Partitioner(0);
        int negativeHashes = 0;
        for (int i = 0; i < 10_000; i++) {
            byte[] key = bytes("key-" + i);
            if (Murmur2Partitioner.murmur2(key) < 0) {
                negativeHashes++;
            }
            assertThat(partitioner.partition(key, 7)).as("key-%d (%s)", i, README).isBetween(0, 6);
        }
        assertThat(negativeHashes).as("about half the hashes are negative, so the sign matters").isGreaterThan(0);
    }

    @Test
    void tenThousandKeysSpreadRoughlyEvenlyOverTenPartitions() {
        Murmur2Partitioner partitioner = new Murmur2Partitioner(0);
        int[] counts = new int[10];
        for (int i = 0; i < 10_000; i++) {
            counts[partitioner.partition(bytes("key-" + i), 10)]++;
        }
        // The keys are fixed and the hash is deterministic, so this cannot flake: it either always holds
        // or never. The bound is loose (±20 % of 1000; the actual spread is much tighter).
        for (int p = 0; p < 10; p++) {
            assertThat(counts[p]).as("records in partition %d of 10 for keys key-0 … key-9999: a good hash "
                + "spreads them evenly (%s)", p, README).isBetween(800, 1200);
        }
    }

    @Test
    void recordsWithoutAKeyAreDealtRoundRobin() {
        Murmur2Partitioner partitioner = new Murmur2Partitioner(0);
        List<Integer> partitions = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            partitions.add(partitioner.partition(null, 3));
        }

        assertThat(partitions).as("null keys: no order to keep, so spread them, one partition after the "
            + "other, starting from the injected counter (%s)", README).containsExactly(0, 1, 2, 0, 1, 2, 0);
    }

    @Test
    void theRoundRobinCounterStaysAValidPartitionWhenItWraps() {
        Murmur2Partitioner partitioner = new Murmur2Partitioner(Integer.MAX_VALUE);

        assertThat(partitioner.partition(null, 3)).as("Integer.MAX_VALUE %% 3 (%s)", README).isEqualTo(1);
        assertThat(partitioner.partition(null, 3)).as("the counter wrapped to Integer.MIN_VALUE; toPositive "
            + "makes it 0, not a negative partition (%s)", README).isEqualTo(0);
    }

    /**
     * An independent transcription of MurmurHash2 using long arithmetic, to check unsigned handling on
     * input that the string vectors do not cover (every byte above 0x7f).
     */
    private static int referenceMurmur2(byte[] data) {
        final long mask = 0xffffffffL;
        final long m = 0x5bd1e995L;
        long h = (0x9747b28cL ^ data.length) & mask;
        int i = 0;
        for (; i + 4 <= data.length; i += 4) {
            long k = Byte.toUnsignedLong(data[i]) | Byte.toUnsignedLong(data[i + 1]) << 8
                | Byte.toUnsignedLong(data[i + 2]) << 16 | Byte.toUnsignedLong(data[i + 3]) << 24;
            k = (k * m) & mask;
            k ^= k >>> 24;
            k = (k * m) & mask;
            h = ((h * m) & mask) ^ k;
        }
        int rest = data.length - i;
        if (rest == 3) {
            h ^= Byte.toUnsignedLong(data[i + 2]) << 16;
        }
        if (rest >= 2) {
            h ^= Byte.toUnsignedLong(data[i + 1]) << 8;
        }
        if (rest >= 1) {
            h ^= Byte.toUnsignedLong(data[i]);
            h = (h * m) & mask;
        }
        h ^= h >>> 13;
        h = (h * m) & mask;
        h ^= h >>> 15;
        return (int) h;
    }
}

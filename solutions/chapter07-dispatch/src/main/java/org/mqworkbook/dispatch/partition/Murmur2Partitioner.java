package org.mqworkbook.dispatch.partition;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses the partition a record is written to, exactly as Kafka's producer does for keyed records
 * (exercise 7.1). Methods of this class are thread safe: {@link #murmur2} is a pure function, and the
 * only state, the round-robin counter for records without a key, is an {@link AtomicInteger}.
 *
 * <p><b>Keyed records</b> go to {@code toPositive(murmur2(key)) % numPartitions}. The same key always
 * lands in the same partition, and a partition is read in order, so all records of one key (one order,
 * one account) are seen in the order they were written. Using Kafka's exact hash matters: a workbook
 * producer and a Kafka producer put the same key in the same partition, which is what lets a system
 * migrate from one to the other. (It also means that adding partitions moves keys: {@code % 3} and
 * {@code % 4} disagree. Kafka never re-partitions existing data for that reason.)
 *
 * <p>Why {@code n & 0x7fffffff} and not {@code Math.abs(n)}: the hash is negative half the time, and
 * {@code Math.abs(Integer.MIN_VALUE)} is still negative, so {@code Math.abs(h) % n} can return a
 * negative partition. Masking the sign bit is total. It also gives a different answer from
 * {@code Math.abs} for every negative hash, so it must be the mask to agree with Kafka.
 *
 * <p><b>Records without a key</b> have no order to keep, so any spreading will do. This class deals them
 * round-robin: partition {@code toPositive(counter++) % numPartitions}, the counter starting at a random
 * value (so that a hundred producers started together do not all begin on partition 0) unless a test
 * injects it. That is what Kafka's {@code DefaultPartitioner} did until 2.3. Since 2.4 (KIP-480) Kafka
 * is <em>sticky</em> instead: it keeps sending keyless records to one partition until the current batch
 * is full or sent, then picks another, because many small batches to many partitions cost more requests
 * and latency than full batches to one; and since 3.3 (KIP-794) it prefers partitions whose brokers are
 * keeping up. The workbook has no batching yet, so round-robin is the honest choice here.
 */
public final class Murmur2Partitioner {
    private static final int SEED = 0x9747b28c;
    /** Mixing constants of MurmurHash2, chosen by its author because they mix well; not magic. */
    private static final int M = 0x5bd1e995;
    private static final int R = 24;

    /** The next keyless record's slot. Read and incremented by every producing thread. */
    private final AtomicInteger nullKeyCounter;

    /** A partitioner whose keyless records start on a random partition, as Kafka's did. */
    public Murmur2Partitioner() {
        this(ThreadLocalRandom.current().nextInt());
    }

    /**
     * A partitioner whose first keyless record goes to {@code toPositive(firstNullKeyCount) % n}: tests
     * inject the counter to make round-robin deterministic.
     */
    public Murmur2Partitioner(int firstNullKeyCount) {
        this.nullKeyCounter = new AtomicInteger(firstNullKeyCount);
    }

    /**
     * The partition for a record with this key among {@code numPartitions} partitions ({@code > 0}):
     * {@code toPositive(murmur2(key)) % numPartitions}, or the next round-robin slot when {@code key} is
     * {@code null}. Throws {@link IllegalArgumentException} if {@code numPartitions < 1}.
     */
    public int partition(byte[] key, int numPartitions) {
        // BEGIN EXERCISE 7.1
        if (numPartitions < 1) {
            throw new IllegalArgumentException("a topic has at least one partition, not " + numPartitions);
        }
        if (key == null) {
            // getAndIncrement wraps from Integer.MAX_VALUE to MIN_VALUE after 2^31 records; toPositive
            // keeps the result a valid partition across the wrap.
            return toPositive(nullKeyCounter.getAndIncrement()) % numPartitions;
        }
        return toPositive(murmur2(key)) % numPartitions;
        // END EXERCISE 7.1
    }

    /**
     * MurmurHash2 (Austin Appleby), 32-bit, seed {@code 0x9747b28c}, exactly as Kafka's
     * {@code Utils.murmur2}. Start with {@code h = seed ^ length}; for each whole 4-byte block, read it
     * little-endian into {@code k} and mix ({@code k *= m; k ^= k >>> r; k *= m; h *= m; h ^= k});
     * xor the 1 to 3 tail bytes into {@code h} (the last byte shifted left 16, the middle 8, the first 0)
     * and multiply by {@code m}; finish with {@code h ^= h >>> 13; h *= m; h ^= h >>> 15}. Java's
     * {@code int} overflow wraps, which is exactly the C algorithm's unsigned arithmetic; use {@code >>>},
     * not {@code >>}, and mask bytes with {@code & 0xff}, because Java bytes are signed.
     *
     * @return the hash, negative about half the time
     */
    @SuppressWarnings("fallthrough")
    public static int murmur2(byte[] data) {
        // BEGIN EXERCISE 7.1
        int length = data.length;
        int h = SEED ^ length;
        int blocks = length / 4;
        for (int i = 0; i < blocks; i++) {
            int i4 = i * 4;
            int k = (data[i4] & 0xff) + ((data[i4 + 1] & 0xff) << 8) + ((data[i4 + 2] & 0xff) << 16)
                + ((data[i4 + 3] & 0xff) << 24);
            k *= M;
            k ^= k >>> R;
            k *= M;
            h *= M;
            h ^= k;
        }
        // The tail: the switch falls through on purpose, as in the C original and in Kafka, so a 3-byte
        // tail mixes all three bytes.
        int tail = length & ~3;
        switch (length % 4) {
            case 3:
                h ^= (data[tail + 2] & 0xff) << 16;
                // fall through
            case 2:
                h ^= (data[tail + 1] & 0xff) << 8;
                // fall through
            case 1:
                h ^= data[tail] & 0xff;
                h *= M;
                break;
            default:
                break;
        }
        h ^= h >>> 13;
        h *= M;
        h ^= h >>> 15;
        return h;
        // END EXERCISE 7.1
    }

    /** Clears the sign bit: Kafka's {@code Utils.toPositive}. Total, unlike {@code Math.abs}. */
    static int toPositive(int number) {
        return number & 0x7fffffff;
    }
}

package org.mqworkbook.storage;

import java.time.Duration;

/**
 * When the log calls {@code fsync} on its own, for producers that do not wait for durability
 * (the book's 刷盘机制). Whichever limit is reached first triggers a flush.
 *
 * <p>Producers that do wait ({@code Log.awaitDurable}) get their fsync through group commit whatever
 * this policy says: the policy decides how much an <em>unacknowledged</em> crash may lose.
 *
 * @param everyMessages fsync after this many unflushed records (1 = every record)
 * @param everyBytes    fsync after this many unflushed bytes
 * @param interval      fsync when the oldest unflushed record is this old (checked by the timer)
 */
public record FlushPolicy(long everyMessages, long everyBytes, Duration interval) {

    /** fsync every record: the safest and the slowest (RocketMQ's SYNC_FLUSH, one record at a time). */
    public static final FlushPolicy EVERY_RECORD = new FlushPolicy(1, Long.MAX_VALUE, Duration.ofDays(365));

    /**
     * Kafka's default: never fsync on its own (log.flush.interval.messages is Long.MAX_VALUE); durability
     * comes from replication (chapter 8) and the operating system's write-back.
     */
    public static final FlushPolicy OPERATING_SYSTEM = new FlushPolicy(Long.MAX_VALUE, Long.MAX_VALUE,
        Duration.ofDays(365));

    public FlushPolicy {
        if (everyMessages < 1 || everyBytes < 1 || interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("a flush policy needs positive limits, got " + everyMessages
                + " messages, " + everyBytes + " bytes, " + interval);
        }
    }

    /** fsync every {@code n} records. */
    public static FlushPolicy everyMessages(long n) {
        return new FlushPolicy(n, Long.MAX_VALUE, Duration.ofDays(365));
    }

    /** fsync when the oldest unflushed record is {@code interval} old (RocketMQ's ASYNC_FLUSH, 500 ms). */
    public static FlushPolicy interval(Duration interval) {
        return new FlushPolicy(Long.MAX_VALUE, Long.MAX_VALUE, interval);
    }

    /** Whether the log should flush now, given what is unflushed. */
    public boolean isDue(long unflushedMessages, long unflushedBytes, Duration oldestUnflushedAge) {
        return unflushedMessages >= everyMessages || unflushedBytes >= everyBytes
            || (unflushedMessages > 0 && oldestUnflushedAge.compareTo(interval) >= 0);
    }
}

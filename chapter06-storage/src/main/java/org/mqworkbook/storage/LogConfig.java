package org.mqworkbook.storage;

import java.time.Duration;

/**
 * How a log is laid out on disk and when it forgets. Names and defaults follow Kafka's topic
 * configuration where there is one.
 *
 * @param segmentBytes       roll to a new segment when the active one would exceed this (segment.bytes, 1 GiB)
 * @param segmentAge         roll when the active segment's first record is this old (segment.ms, 7 days)
 * @param indexIntervalBytes add an offset-index entry after this many bytes of records (index.interval.bytes,
 *                           4 KiB)
 * @param retentionBytes     delete the oldest segments while the log is larger than this (retention.bytes;
 *                           Long.MAX_VALUE = no limit)
 * @param retentionAge       delete a segment once its newest record is this old (retention.ms, 7 days)
 * @param maxRecordBytes     the largest record accepted (max.message.bytes, about 1 MiB)
 * @param flushPolicy        when to fsync without being asked
 */
public record LogConfig(long segmentBytes, Duration segmentAge, int indexIntervalBytes, long retentionBytes,
                        Duration retentionAge, int maxRecordBytes, FlushPolicy flushPolicy) {

    public static final LogConfig DEFAULT = new LogConfig(1L << 30, Duration.ofDays(7), 4096, Long.MAX_VALUE,
        Duration.ofDays(7), (1 << 20) + 1024, FlushPolicy.OPERATING_SYSTEM);

    public LogConfig {
        if (segmentBytes < RecordFormat.LENGTH_BYTES + RecordFormat.MIN_LENGTH || segmentBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("segmentBytes must fit one record and a 32-bit position, was "
                + segmentBytes);
        }
        if (indexIntervalBytes < 1 || maxRecordBytes < RecordFormat.MIN_LENGTH
            || maxRecordBytes > Integer.MAX_VALUE - RecordFormat.LENGTH_BYTES || retentionBytes < 0) {
            throw new IllegalArgumentException("invalid log configuration: indexIntervalBytes=" + indexIntervalBytes
                + ", maxRecordBytes=" + maxRecordBytes + ", retentionBytes=" + retentionBytes);
        }
    }

    public LogConfig withSegmentBytes(long bytes) {
        return new LogConfig(bytes, segmentAge, indexIntervalBytes, retentionBytes, retentionAge, maxRecordBytes,
            flushPolicy);
    }

    public LogConfig withSegmentAge(Duration age) {
        return new LogConfig(segmentBytes, age, indexIntervalBytes, retentionBytes, retentionAge, maxRecordBytes,
            flushPolicy);
    }

    public LogConfig withIndexIntervalBytes(int bytes) {
        return new LogConfig(segmentBytes, segmentAge, bytes, retentionBytes, retentionAge, maxRecordBytes,
            flushPolicy);
    }

    public LogConfig withRetention(long bytes, Duration age) {
        return new LogConfig(segmentBytes, segmentAge, indexIntervalBytes, bytes, age, maxRecordBytes, flushPolicy);
    }

    public LogConfig withFlushPolicy(FlushPolicy policy) {
        return new LogConfig(segmentBytes, segmentAge, indexIntervalBytes, retentionBytes, retentionAge,
            maxRecordBytes, policy);
    }
}

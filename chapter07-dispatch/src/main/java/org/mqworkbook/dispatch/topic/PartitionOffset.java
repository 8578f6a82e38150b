package org.mqworkbook.dispatch.topic;

import java.util.Objects;
import org.mqworkbook.dispatch.partition.TopicPartition;

/**
 * Where an appended record went: its partition and its offset there. Immutable. Kafka's producer
 * returns the same pair ({@code RecordMetadata}); {@link #toString} prints {@code orders-2@17}. An
 * offset, never a position: in this workbook an offset numbers a record, a position is a byte in a file.
 *
 * @param partition the topic and partition
 * @param offset    the record's offset in that partition's log
 */
public record PartitionOffset(TopicPartition partition, long offset) {
    /** Checks the fields. */
    public PartitionOffset {
        Objects.requireNonNull(partition, "partition");
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset + " in " + partition);
        }
    }

    @Override
    public String toString() {
        return partition + "@" + offset;
    }
}

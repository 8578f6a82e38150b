package org.mqworkbook.dispatch.broker;

import java.util.Objects;
import java.util.OptionalLong;
import org.mqworkbook.dispatch.partition.TopicPartition;

/**
 * How far a consumer group is behind on one partition: what {@code kafka-consumer-groups --describe}
 * prints as CURRENT-OFFSET, LOG-END-OFFSET and LAG. Immutable.
 *
 * @param partition the partition
 * @param committed the group's committed offset (the next one it will read), empty if it never committed
 * @param endOffset the partition's log end offset: the offset the next appended record gets
 */
public record PartitionLag(TopicPartition partition, OptionalLong committed, long endOffset) {
    /** Checks the fields. */
    public PartitionLag {
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(committed, "committed");
    }

    /**
     * Records appended and not yet committed by the group: {@code endOffset - committed}; empty when the
     * group never committed here (Kafka prints "-": where the group starts depends on its reset policy).
     */
    public OptionalLong lag() {
        return committed.isPresent() ? OptionalLong.of(Math.max(0, endOffset - committed.getAsLong()))
            : OptionalLong.empty();
    }
}

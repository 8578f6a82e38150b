package org.mqworkbook.dispatch.group;

import java.util.List;
import org.mqworkbook.dispatch.partition.TopicPartition;

/**
 * A member's partitions in one generation. Immutable. A consumer may commit offsets only for these
 * partitions and only with this generation: that pair is the fencing token.
 *
 * @param generation the generation the assignment belongs to
 * @param partitions the partitions, sorted
 */
public record Assignment(int generation, List<TopicPartition> partitions) {
    /** Copies the list. */
    public Assignment {
        partitions = List.copyOf(partitions);
    }
}

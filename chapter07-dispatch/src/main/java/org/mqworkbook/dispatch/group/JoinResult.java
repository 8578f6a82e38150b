package org.mqworkbook.dispatch.group;

import java.util.List;
import org.mqworkbook.dispatch.partition.TopicPartition;

/**
 * The answer to a join, sent once the rebalance completes: the generation the member now belongs to and
 * the partitions it reads in it. Immutable. Kafka splits this into a JoinGroup and a SyncGroup round
 * trip, because its assignor runs on the group leader; here the coordinator assigns, so one answer is
 * enough.
 *
 * @param generation the group's generation after this join
 * @param partitions the joining member's partitions in that generation, sorted
 */
public record JoinResult(int generation, List<TopicPartition> partitions) {
    /** Copies the list. */
    public JoinResult {
        partitions = List.copyOf(partitions);
    }
}

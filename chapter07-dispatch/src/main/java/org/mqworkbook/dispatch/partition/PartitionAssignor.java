package org.mqworkbook.dispatch.partition;

import java.util.List;
import java.util.Map;

/**
 * Decides which member of a consumer group reads which partition (exercise 7.3). Inside a group every
 * partition has exactly one owner, so each message is processed once per group (point-to-point), while
 * every group sees every message (publish/subscribe).
 *
 * <p>Kafka runs this on one member, the group leader, after every rebalance, and the broker (the group
 * coordinator) passes the result on; the workbook calls it directly. Three implementations, as in Kafka's
 * {@code partition.assignment.strategy}: {@link RangeAssignor}, {@link RoundRobinAssignor} and
 * {@link StickyAssignor}; and {@link CooperativeStickyAssignor}, the sticky assignment with the cooperative
 * protocol.
 *
 * <p>Contract shared by all three: the result has an entry for every member (an empty list when it gets
 * nothing), each list is sorted by topic then partition, every partition of every subscribed topic is
 * assigned to exactly one member subscribed to that topic, and the same input always gives the same
 * output whatever the iteration order of the maps. Topics that are subscribed to but missing from
 * {@code partitionsPerTopic} are skipped, as Kafka skips topics it has no metadata for.
 */
public interface PartitionAssignor {
    /**
     * Assigns partitions to members.
     *
     * @param members            member id → its subscription
     * @param partitionsPerTopic topic → its number of partitions
     * @return member id → the partitions it reads, sorted
     */
    Map<String, List<TopicPartition>> assign(Map<String, Subscription> members,
                                             Map<String, Integer> partitionsPerTopic);

    /**
     * The rebalance protocol the group uses with this assignor: {@link RebalanceProtocol#EAGER} for the
     * three of exercise 7.3, {@link RebalanceProtocol#COOPERATIVE} for {@link CooperativeStickyAssignor}.
     */
    default RebalanceProtocol protocol() {
        return RebalanceProtocol.EAGER;
    }
}

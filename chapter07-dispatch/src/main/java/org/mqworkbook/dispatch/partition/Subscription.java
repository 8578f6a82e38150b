package org.mqworkbook.dispatch.partition;

import java.util.List;
import java.util.Set;

/**
 * What one group member tells the assignor: the topics it subscribes to, and the partitions it owned
 * in the previous assignment (empty when it has just joined). Immutable.
 *
 * <p>Kafka's {@code ConsumerPartitionAssignor.Subscription} carries the same two things (plus opaque
 * user data). The range and round-robin assignors ignore {@code ownedPartitions}; the sticky assignor
 * is built on it.
 *
 * @param topics          the topics subscribed to
 * @param ownedPartitions the partitions owned before this rebalance
 */
public record Subscription(Set<String> topics, List<TopicPartition> ownedPartitions) {
    /** Copies both collections, so a caller cannot change a subscription after handing it over. */
    public Subscription {
        topics = Set.copyOf(topics);
        ownedPartitions = List.copyOf(ownedPartitions);
    }

    /** A member that owns nothing yet (it has just joined, or this is the group's first rebalance). */
    public static Subscription of(String... topics) {
        return new Subscription(Set.of(topics), List.of());
    }

    /** The same topics, now remembering {@code owned} from the previous assignment. */
    public Subscription owning(List<TopicPartition> owned) {
        return new Subscription(topics, owned);
    }
}

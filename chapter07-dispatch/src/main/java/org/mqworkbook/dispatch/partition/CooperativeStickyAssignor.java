package org.mqworkbook.dispatch.partition;

import java.util.List;
import java.util.Map;

/**
 * Kafka's {@code cooperative-sticky}: the {@link StickyAssignor}'s assignment, with the
 * {@link RebalanceProtocol#COOPERATIVE cooperative} protocol, so that a rebalance moves partitions in two
 * rounds and every partition that stays where it is keeps being consumed. The assignment itself is the
 * sticky one; what makes it cooperative is the coordinator (exercise 7.8): it holds a moving partition
 * back from its new owner until the old owner has given it up. Kafka does the same split: its
 * {@code CooperativeStickyAssignor} computes the sticky assignment and then removes the partitions that
 * change owner, to be assigned in the follow-up rebalance. Stateless and thread safe.
 */
public final class CooperativeStickyAssignor implements PartitionAssignor {
    private final StickyAssignor sticky = new StickyAssignor();

    @Override
    public Map<String, List<TopicPartition>> assign(Map<String, Subscription> members,
                                                    Map<String, Integer> partitionsPerTopic) {
        return sticky.assign(members, partitionsPerTopic);
    }

    @Override
    public RebalanceProtocol protocol() {
        return RebalanceProtocol.COOPERATIVE;
    }
}

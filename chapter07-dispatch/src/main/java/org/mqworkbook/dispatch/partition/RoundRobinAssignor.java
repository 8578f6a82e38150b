package org.mqworkbook.dispatch.partition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mqworkbook.marker.ExerciseNotDone;

/**
 * Kafka's {@code RoundRobinAssignor}: all partitions of all subscribed topics, sorted by topic then
 * partition, are dealt like cards to the members sorted by id, going round in a circle; a member not
 * subscribed to a partition's topic is skipped for that card. Instances are stateless and thread safe.
 *
 * <p>Kafka's Javadoc examples:
 * <pre>
 *  C0, C1 both on t0, t1 (3 partitions each):
 *    deal t0-0 t0-1 t0-2 t1-0 t1-1 t1-2
 *    to   C0   C1   C0   C1   C0   C1     C0: [t0-0, t0-2, t1-1]   C1: [t0-1, t1-0, t1-2]
 *
 *  C0 on t0; C1 on t0, t1; C2 on t0, t1, t2 (1, 2 and 3 partitions):
 *    deal t0-0 t1-0 t1-1 t2-0 t2-1 t2-2
 *    to   C0   C1   C2   C2   C2   C2     (C0 and C1 are skipped for t2)
 * </pre>
 * When every member subscribes to the same topics the counts differ by at most one, better than
 * {@link RangeAssignor} across many topics. With different subscriptions it can be unbalanced, as the
 * second example shows: C1 could have taken t1-1. Neither assignor remembers the previous assignment,
 * so a rebalance may move every partition; {@link StickyAssignor} fixes that.
 */
public final class RoundRobinAssignor implements PartitionAssignor {
    @Override
    public Map<String, List<TopicPartition>> assign(Map<String, Subscription> members,
                                                    Map<String, Integer> partitionsPerTopic) {
        // BEGIN EXERCISE 7.3
        throw new ExerciseNotDone("7.3");
        // END EXERCISE 7.3
    }
}

package org.mqworkbook.dispatch.partition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mqworkbook.marker.ExerciseNotDone;

/**
 * Kafka's {@code RangeAssignor}, its default until 3.0: topic by topic, the members subscribed to the
 * topic, sorted by id, each get a contiguous range of its partitions; when the partitions do not divide
 * evenly, the first {@code n % m} members get one extra. Instances are stateless and thread safe.
 *
 * <p>Kafka's Javadoc example, two members C0 and C1 and two topics t0 and t1 of three partitions each:
 * <pre>
 *  t0: [p0 p1 | p2]      3 / 2 = 1 each, 3 % 2 = 1 extra, to C0
 *  t1: [p0 p1 | p2]      the same split again, independently
 *  C0: [t0-0, t0-1, t1-0, t1-1]
 *  C1: [t0-2, t1-2]
 * </pre>
 * The strength is that partition i of every topic goes to the same member, which is what a join of two
 * co-partitioned topics (Kafka Streams) needs. The weakness shows in the example: the extras of every
 * topic land on the same first members, so with many topics C0 can carry far more than C1. The
 * {@link RoundRobinAssignor} spreads across topics instead.
 */
public final class RangeAssignor implements PartitionAssignor {
    @Override
    public Map<String, List<TopicPartition>> assign(Map<String, Subscription> members,
                                                    Map<String, Integer> partitionsPerTopic) {
        // BEGIN EXERCISE 7.3
        throw new ExerciseNotDone("7.3");
        // END EXERCISE 7.3
    }
}

package org.mqworkbook.dispatch.partition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mqworkbook.marker.ExerciseNotDone;

/**
 * Kafka's {@code StickyAssignor} for the common case where every member subscribes to the same topics:
 * balanced like {@link RoundRobinAssignor} (counts differ by at most one), but each member keeps as many
 * of its previous partitions ({@link Subscription#ownedPartitions}) as that balance allows. Instances
 * are stateless and thread safe.
 *
 * <p>Why stickiness matters: a partition that moves loses its consumer's caches and local state, and
 * (with Kafka's eager protocol) every member stops consuming during the rebalance. When one of ten
 * members leaves, round-robin may move nearly every partition; sticky moves only the leaver's.
 *
 * <pre>
 *  P partitions, m members: everyone gets P / m, and P % m of them one more.
 *
 *  before  A: 0 1 2 3   B: 4 5 6 7   C: 8 9 10 11      (12 partitions, quota 4)
 *  D joins                                             (quota 3; 0 members with an extra)
 *  keep    A: 0 1 2     B: 4 5 6     C: 8 9 10         each keeps its first 3, frees 1
 *  fill    D: 3 7 11                                   freed partitions go to the least loaded
 *  moved = 3, the least that balance requires
 * </pre>
 *
 * <p>The steps, which are those of Kafka's {@code AbstractStickyAssignor.constrainedAssign} (2.8+):
 * <ol>
 * <li>Quotas: {@code min = P / m}; {@code P % m} members may have {@code min + 1}.</li>
 * <li>Keep: in member id order, each member keeps its previously owned partitions that still exist,
 *     up to {@code min}, or {@code min + 1} while members with an extra are still allowed. A partition
 *     claimed by two members (possible after a network partition) goes to the first by id; Kafka uses
 *     the member's generation instead.</li>
 * <li>Fill: the unowned partitions, sorted, first bring every member up to {@code min} (members in id
 *     order), then give one more to members at {@code min}, while extras are still allowed.</li>
 * </ol>
 * Keeping {@code min(owned, quota)} per member is the most any balanced assignment can keep, so the
 * number of moves is minimal. Where Kafka leaves ties to map iteration order, this class breaks them by
 * member id and partition order, so results are deterministic.
 *
 * <p>Simplified on purpose: members with different subscriptions are rejected
 * ({@link IllegalArgumentException}). Kafka handles them with a general, much longer heuristic
 * ({@code generalAssign}) that cannot always reach a difference of one; the cooperative variant
 * ({@code CooperativeStickyAssignor}) adds a second rebalance so that kept partitions never stop.
 */
public final class StickyAssignor implements PartitionAssignor {
    @Override
    public Map<String, List<TopicPartition>> assign(Map<String, Subscription> members,
                                                    Map<String, Integer> partitionsPerTopic) {
        // BEGIN EXERCISE 7.3
        throw new ExerciseNotDone("7.3");
        // END EXERCISE 7.3
    }
}

package org.mqworkbook.dispatch.partition;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mqworkbook.marker.ExerciseNotDone;

/**
 * Kafka's {@code StickyAssignor}: balanced like {@link RoundRobinAssignor}, but each member keeps as many of
 * its previous partitions ({@link Subscription#ownedPartitions}) as balance allows. Where every member
 * subscribes to the same topics (exercise 7.3) counts differ by at most one; where subscriptions differ (given
 * code, {@link #generalAssign}) the balance is the best the subscriptions allow. Instances are stateless and
 * thread safe.
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
 * <p>Members with different subscriptions (A reads {@code orders}, B reads {@code orders} and
 * {@code payments}) make "differ by at most one" impossible in general, so Kafka switches to a second
 * algorithm ({@code generalAssign}), and so does this class: {@link #generalAssign}, given code. The
 * cooperative variant ({@link CooperativeStickyAssignor}) adds a second rebalance so that kept partitions never
 * stop.
 */
public final class StickyAssignor implements PartitionAssignor {
    @Override
    public Map<String, List<TopicPartition>> assign(Map<String, Subscription> members,
                                                    Map<String, Integer> partitionsPerTopic) {
        if (!sameTopics(members)) {
            return generalAssign(members, partitionsPerTopic);
        }
        return constrainedAssign(members, partitionsPerTopic);
    }

    /** Whether every member subscribes to the same topics (an empty group does): the case of exercise 7.3. */
    static boolean sameTopics(Map<String, Subscription> members) {
        return members.values().stream().map(Subscription::topics).distinct().count() <= 1;
    }

    /**
     * The assignment when every member subscribes to the same topics (exercise 7.3): the quotas, keep, fill
     * steps of the class comment.
     */
    private static Map<String, List<TopicPartition>> constrainedAssign(Map<String, Subscription> members,
                                                                      Map<String, Integer> partitionsPerTopic) {
        // BEGIN EXERCISE 7.3
        throw new ExerciseNotDone("7.3");
        // END EXERCISE 7.3
    }

    /**
     * The assignment when subscriptions differ. Given code; Kafka's {@code generalAssign} has the same goals
     * (every partition of every subscribed topic goes to exactly one member that subscribes to it; previous
     * owners keep what they can; the load is as even as the subscriptions allow) and reaches them by a longer
     * heuristic. The steps here:
     * <ol>
     * <li><b>Keep.</b> In member id order, each member keeps its previous partitions that still exist and that
     *     it still subscribes to (a partition claimed twice goes to the first).</li>
     * <li><b>Place.</b> The other partitions, those with the fewest possible members first (a partition only
     *     one member may take must not wait until that member is full), each to the least loaded member that
     *     subscribes to its topic.</li>
     * <li><b>Balance.</b> While some member X could end up with fewer partitions by a chain of moves — the
     *     least loaded member M takes a partition from A, A takes one from B, ..., up to a member X with at
     *     least two more than M — shift one partition along the shortest such chain. Each shift lowers X by
     *     one and raises M by one, so the sum of squared loads falls, and the loop ends. Along a chain, a member
     *     gives up a partition it did not own before the rebalance if it has one.</li>
     * </ol>
     * When no such chain is left the assignment is the most even one possible: this is Harvey, Ladner,
     * Lovász and Tamir's condition for an optimal "semi-matching" (2003) — no cost-reducing path — which also
     * minimises the largest load. Kafka's heuristic only ever moves one partition at a time and, as its
     * documentation says, does not always get there.
     *
     * <pre>
     *  t0: 1 partition, t1: 2, t2: 3.   C0 reads t0;  C1 reads t0, t1;  C2 reads t0, t1, t2.
     *  place   t2-0 t2-1 t2-2 → C2 (only C2 may take them), t1-0 t1-1 → C1, t0-0 → C0
     *          C0: t0-0   C1: t1-0 t1-1   C2: t2-0 t2-1 t2-2          (round-robin gives C2 four)
     *  C0 leaves: C1 and C2 keep theirs; t0-0 → C1 (2 < 3)
     * </pre>
     * The example is the one in Kafka's {@code StickyAssignor} documentation, with the same answers.
     */
    static Map<String, List<TopicPartition>> generalAssign(Map<String, Subscription> members,
                                                           Map<String, Integer> partitionsPerTopic) {
        Balance balance = new Balance(new TreeMap<>(members), partitionsPerTopic);
        balance.keep();
        balance.place();
        while (balance.shiftAlongAChain()) {
            // each shift makes the loads strictly more even: see the method comment
        }
        return balance.result();
    }

    /** The state of one {@link #generalAssign}: who holds what, and who may hold what. Not thread safe. */
    private static final class Balance {
        private final TreeMap<String, Subscription> members;
        /** Topic → its partitions, for every topic some member subscribes to. */
        private final Map<String, List<TopicPartition>> partitionsOf = new TreeMap<>();
        /** Member → what it holds now (a hash map: {@link #load} is asked for on every step). */
        private final Map<String, TreeSet<TopicPartition>> held = new HashMap<>();
        /** Partition → who holds it now. */
        private final Map<TopicPartition, String> holder = new HashMap<>();
        /**
         * Topic → member → how many of the topic's partitions it holds now (only members that hold some), in the
         * order they first got one: deterministic, as every order here must be.
         */
        private final Map<String, Map<String, Integer>> holdersOf = new HashMap<>();
        /** Member → its topics, sorted (a subscription's set has no fixed order). */
        private final Map<String, List<String>> topicsOf = new HashMap<>();
        /** Partition → who held it before the rebalance, if it kept it (moving it again costs stickiness). */
        private final Map<TopicPartition, String> keptBy = new HashMap<>();

        Balance(TreeMap<String, Subscription> members, Map<String, Integer> partitionsPerTopic) {
            this.members = members;
            for (Map.Entry<String, Subscription> member : members.entrySet()) {
                held.put(member.getKey(), new TreeSet<>());
                topicsOf.put(member.getKey(), List.copyOf(new TreeSet<>(member.getValue().topics())));
                for (String topic : member.getValue().topics()) {
                    partitionsOf.computeIfAbsent(topic, t -> {
                        List<TopicPartition> partitions = new ArrayList<>();
                        for (int p = 0; p < partitionsPerTopic.getOrDefault(t, 0); p++) {
                            partitions.add(new TopicPartition(t, p));
                        }
                        return partitions;
                    });
                }
            }
        }

        private boolean mayHold(String member, TopicPartition partition) {
            return members.get(member).topics().contains(partition.topic());
        }

        private int load(String member) {
            return held.get(member).size();
        }

        private void give(TopicPartition partition, String member) {
            String previous = holder.put(partition, member);
            Map<String, Integer> holders = holdersOf.computeIfAbsent(partition.topic(), t -> new LinkedHashMap<>());
            if (previous != null) {
                held.get(previous).remove(partition);
                holders.computeIfPresent(previous, (id, count) -> count == 1 ? null : count - 1);
            }
            held.get(member).add(partition);
            holders.merge(member, 1, Integer::sum);
        }

        void keep() {
            for (Map.Entry<String, Subscription> member : members.entrySet()) {
                for (TopicPartition owned : new TreeSet<>(member.getValue().ownedPartitions())) {
                    List<TopicPartition> ofTopic = partitionsOf.get(owned.topic());
                    boolean exists = ofTopic != null && owned.partition() < ofTopic.size();
                    if (exists && mayHold(member.getKey(), owned) && !holder.containsKey(owned)) {
                        give(owned, member.getKey());
                        keptBy.put(owned, member.getKey());
                    }
                }
            }
        }

        void place() {
            Map<String, List<String>> subscribers = new TreeMap<>();
            members.forEach((id, subscription) -> subscription.topics()
                .forEach(topic -> subscribers.computeIfAbsent(topic, t -> new ArrayList<>()).add(id)));
            List<TopicPartition> rest = new ArrayList<>();
            partitionsOf.values().forEach(partitions -> partitions.stream().filter(p -> !holder.containsKey(p))
                .forEach(rest::add));
            rest.sort(Comparator.comparingInt((TopicPartition p) -> subscribers.get(p.topic()).size())
                .thenComparing(Comparator.naturalOrder()));
            for (TopicPartition partition : rest) {
                String least = null;
                for (String candidate : subscribers.get(partition.topic())) { // in id order: ties go to the first
                    if (least == null || load(candidate) < load(least)) {
                        least = candidate;
                    }
                }
                give(partition, least);
            }
        }

        /**
         * Finds the least loaded member that a chain can raise and shifts one partition along the shortest chain
         * to it; a breadth-first search from that member over "could take a partition from".
         *
         * <p>A search that finds no chain rules out every member it reached, not only the one it started from:
         * whoever can pass a partition to a reached member can pass one on to the start, so a member the search
         * reached can only reach members the search saw, none of which is two heavier than the start, and the
         * reached members are at least as heavy as the start (it was the lightest left). So each member is
         * searched from at most once per shift.
         *
         * @return whether it shifted one
         */
        boolean shiftAlongAChain() {
            List<String> byLoad = new ArrayList<>(members.keySet());
            byLoad.sort(Comparator.comparingInt(this::load).thenComparing(Comparator.naturalOrder()));
            int highest = load(byLoad.get(byLoad.size() - 1));
            Set<String> hopeless = new HashSet<>();
            for (String target : byLoad) {
                if (load(target) + 2 > highest) {
                    return false; // nobody left is two below anyone
                }
                if (hopeless.contains(target)) {
                    continue;
                }
                Map<String, String> takesFrom = new HashMap<>(); // member → the member its partition goes to
                ArrayDeque<String> queue = new ArrayDeque<>(List.of(target));
                takesFrom.put(target, target);
                while (!queue.isEmpty()) {
                    String taker = queue.poll();
                    for (String topic : topicsOf.get(taker)) { // whoever holds a partition the taker may take
                        for (String giver : holdersOf.getOrDefault(topic, Map.of()).keySet()) {
                            if (takesFrom.containsKey(giver)) {
                                continue;
                            }
                            takesFrom.put(giver, taker);
                            if (load(giver) >= load(target) + 2) {
                                shift(giver, target, takesFrom);
                                return true;
                            }
                            queue.add(giver);
                        }
                    }
                }
                hopeless.addAll(takesFrom.keySet());
            }
            return false;
        }

        /**
         * Moves one partition along the chain from {@code start} to {@code target}: the member next to the target
         * gives first, so that every member in between gives one before it receives one.
         */
        private void shift(String start, String target, Map<String, String> takesFrom) {
            List<String> chain = new ArrayList<>();
            for (String member = start; !member.equals(target); member = takesFrom.get(member)) {
                chain.add(member);
            }
            chain.add(target);
            for (int i = chain.size() - 2; i >= 0; i--) {
                String giver = chain.get(i);
                String taker = chain.get(i + 1);
                TopicPartition moved = null;
                for (TopicPartition partition : held.get(giver)) {
                    if (mayHold(taker, partition) && (moved == null || !giver.equals(keptBy.get(partition)))) {
                        moved = partition;
                        if (!giver.equals(keptBy.get(partition))) {
                            break; // one it did not own before the rebalance: moving it costs nothing
                        }
                    }
                }
                give(moved, taker);
            }
        }

        Map<String, List<TopicPartition>> result() {
            Map<String, List<TopicPartition>> assignment = new TreeMap<>();
            held.forEach((member, partitions) -> assignment.put(member, new ArrayList<>(partitions)));
            return assignment;
        }
    }
}

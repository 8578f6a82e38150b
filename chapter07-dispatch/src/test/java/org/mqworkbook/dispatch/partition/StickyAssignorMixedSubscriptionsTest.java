package org.mqworkbook.dispatch.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mqworkbook.testkit.Seeded;

/**
 * {@link StickyAssignor} when members subscribe to different topics: {@code generalAssign}, given code (no
 * exercise: these pass on the skeleton). Kafka's documented example, then seeded random groups checked for
 * validity, for the most even load the subscriptions allow (against a brute-force flow), and for stability.
 * README section "7.3 Assigning partitions to a group", "Members with different subscriptions".
 */
@Timeout(60)
@ExtendWith(Seeded.class)
class StickyAssignorMixedSubscriptionsTest {
    private final StickyAssignor assignor = new StickyAssignor();

    @Test
    void kafkasExampleKeepsTheOnlyPossibleOwnersAndMovesNothingWhenAMemberLeaves() {
        Map<String, Integer> topics = Assignments.topics("t0=1, t1=2, t2=3");
        Map<String, Subscription> members = new TreeMap<>(Map.of(
            "C0", Subscription.of("t0"),
            "C1", Subscription.of("t0", "t1"),
            "C2", Subscription.of("t0", "t1", "t2")));

        Map<String, List<TopicPartition>> first = assignor.assign(members, topics);
        assertThat(first).as("C2 alone may take t2's three, so t1's two go to C1 and t0 to C0 (round-robin would give "
            + "C2 four)").isEqualTo(Assignments.parse("C0: t0-0; C1: t1-0 t1-1; C2: t2-0 t2-1 t2-2"));

        Map<String, Subscription> withoutC0 = new TreeMap<>();
        withoutC0.put("C1", members.get("C1").owning(first.get("C1")));
        withoutC0.put("C2", members.get("C2").owning(first.get("C2")));
        assertThat(assignor.assign(withoutC0, topics)).as("C0 leaves: the others keep theirs, t0-0 goes to C1")
            .isEqualTo(Assignments.parse("C1: t0-0 t1-0 t1-1; C2: t2-0 t2-1 t2-2"));
    }

    @Test
    void whenAMemberJoinsTheOthersKeepWhatBalanceLetsThemKeep() {
        Map<String, Integer> topics = Assignments.topics("t0=4, t1=4");
        Map<String, List<TopicPartition>> before = Assignments.parse("A: t0-2 t0-3 t1-0; B: t0-0 t0-1 t1-1");
        Map<String, Subscription> members = new TreeMap<>();
        members.put("A", new Subscription(Set.of("t0", "t1"), before.get("A")));
        members.put("B", new Subscription(Set.of("t0", "t1"), before.get("B")));
        members.put("C", Subscription.of("t1"));

        assertThat(assignor.assign(members, topics)).as("3, 3 and 2 is as even as it gets, and A and B already have "
            + "3 each: they keep them, and C gets the two nobody owned")
            .isEqualTo(Assignments.parse("A: t0-2 t0-3 t1-0; B: t0-0 t0-1 t1-1; C: t1-2 t1-3"));
    }

    @Test
    void aChainOfMovesEvensOutWhatNoSingleMoveCan() {
        // A reads a and b, B reads b and c, C reads c. Before: A holds both of a's and b's, C holds c's.
        Map<String, Integer> topics = Assignments.topics("a=2, b=2, c=2");
        Map<String, Subscription> members = new TreeMap<>();
        members.put("A", new Subscription(Set.of("a", "b"), Assignments.parse("A: a-0 a-1 b-0 b-1").get("A")));
        members.put("B", new Subscription(Set.of("b", "c"), List.of()));
        members.put("C", new Subscription(Set.of("c"), List.of()));

        Map<String, List<TopicPartition>> after = assignor.assign(members, topics);

        // Placing c's gives B one and C one: 4, 1, 1. Moving b-0 to B makes it 3, 2, 1, where no single move helps
        // (C may not take A's); the chain "B gives c-0 to C, A gives b-1 to B" makes it 2, 2, 2.
        assertThat(after).as("2, 2, 2, which only a chain of two moves reaches")
            .isEqualTo(Assignments.parse("A: a-0 a-1; B: b-0 b-1; C: c-0 c-1"));
    }

    @Test
    void randomGroupsGetAValidAssignmentAsEvenAsTheirSubscriptionsAllowAndAStableOne(Random random) {
        for (int round = 0; round < 500; round++) {
            Map<String, Integer> topics = new TreeMap<>();
            int topicCount = 1 + random.nextInt(4);
            for (int t = 0; t < topicCount; t++) {
                topics.put("t" + t, random.nextInt(9));
            }
            Map<String, Subscription> members = new TreeMap<>();
            int memberCount = 1 + random.nextInt(7);
            for (int m = 0; m < memberCount; m++) {
                Set<String> subscribed = new HashSet<>();
                for (String topic : topics.keySet()) {
                    if (random.nextInt(3) > 0) {
                        subscribed.add(topic);
                    }
                }
                members.put("M" + m, new Subscription(subscribed, randomOwnership(topics, random)));
            }
            if (members.values().stream().map(Subscription::topics).distinct().count() < 2) {
                continue; // every member reads the same topics: exercise 7.3's case, not this class's
            }
            String group = members + " over " + topics;

            Map<String, List<TopicPartition>> assignment = assignor.assign(members, topics);

            assertValid(assignment, members, topics, group);
            int largest = assignment.values().stream().mapToInt(List::size).max().orElse(0);
            assertThat(largest).as("the largest load is the least possible (a flow finds it) for %s: %s", group,
                assignment).isEqualTo(leastPossibleLargestLoad(members, topics));
            assertNoSingleMoveEvensItOut(assignment, members, group);

            Map<String, Subscription> again = new TreeMap<>();
            members.forEach((id, s) -> again.put(id, s.owning(assignment.get(id))));
            assertThat(assignor.assign(again, topics)).as("run again with its own answer as the owners, it moves "
                + "nothing, for %s", group).isEqualTo(assignment);
        }
    }

    /** Some partitions, some that no longer exist, and some claimed by two members: what a restart can leave. */
    private static List<TopicPartition> randomOwnership(Map<String, Integer> topics, Random random) {
        List<TopicPartition> owned = new ArrayList<>();
        for (Map.Entry<String, Integer> topic : topics.entrySet()) {
            for (int p = 0; p < topic.getValue() + 1; p++) {
                if (random.nextInt(4) == 0) {
                    owned.add(new TopicPartition(topic.getKey(), p));
                }
            }
        }
        return owned;
    }

    private static void assertValid(Map<String, List<TopicPartition>> assignment, Map<String, Subscription> members,
                                    Map<String, Integer> topics, String group) {
        assertThat(assignment.keySet()).as("every member has an entry, for %s", group).isEqualTo(members.keySet());
        Set<TopicPartition> expected = new TreeSet<>();
        members.values().forEach(s -> s.topics().forEach(topic -> {
            for (int p = 0; p < topics.getOrDefault(topic, 0); p++) {
                expected.add(new TopicPartition(topic, p));
            }
        }));
        List<TopicPartition> all = new ArrayList<>();
        assignment.forEach((member, partitions) -> {
            for (TopicPartition partition : partitions) {
                assertThat(members.get(member).topics()).as("%s holds %s, a topic it subscribes to, for %s", member,
                    partition, group).contains(partition.topic());
            }
            all.addAll(partitions);
        });
        assertThat(all).as("every partition of a subscribed topic exactly once, for %s", group)
            .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
    }

    private static void assertNoSingleMoveEvensItOut(Map<String, List<TopicPartition>> assignment,
                                                     Map<String, Subscription> members, String group) {
        assignment.forEach((from, partitions) -> {
            for (TopicPartition partition : partitions) {
                members.forEach((to, subscription) -> {
                    if (subscription.topics().contains(partition.topic())) {
                        assertThat(assignment.get(to).size()).as("%s could take %s from %s and even the loads out, "
                            + "for %s: %s", to, partition, from, group, assignment)
                            .isGreaterThanOrEqualTo(partitions.size() - 1);
                    }
                });
            }
        });
    }

    /** The smallest L such that every subscribed partition can go to a subscriber holding at most L: a flow. */
    private static int leastPossibleLargestLoad(Map<String, Subscription> members, Map<String, Integer> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (Map.Entry<String, Integer> topic : topics.entrySet()) {
            boolean subscribed = members.values().stream().anyMatch(s -> s.topics().contains(topic.getKey()));
            for (int p = 0; subscribed && p < topic.getValue(); p++) {
                partitions.add(new TopicPartition(topic.getKey(), p));
            }
        }
        for (int limit = 0; ; limit++) {
            if (fits(partitions, members, limit)) {
                return limit;
            }
        }
    }

    private static boolean fits(List<TopicPartition> partitions, Map<String, Subscription> members, int limit) {
        Map<TopicPartition, String> at = new HashMap<>();
        Map<String, Integer> load = new HashMap<>();
        for (TopicPartition partition : partitions) {
            if (!place(partition, members, limit, at, load, new HashSet<>())) {
                return false;
            }
        }
        return true;
    }

    /** Kuhn's augmenting path, with {@code limit} places per member. */
    private static boolean place(TopicPartition partition, Map<String, Subscription> members, int limit,
                                 Map<TopicPartition, String> at, Map<String, Integer> load, Set<String> seen) {
        for (Map.Entry<String, Subscription> member : members.entrySet()) {
            String id = member.getKey();
            if (!member.getValue().topics().contains(partition.topic()) || !seen.add(id)) {
                continue;
            }
            if (load.getOrDefault(id, 0) < limit) {
                at.put(partition, id);
                load.merge(id, 1, Integer::sum);
                return true;
            }
            for (Map.Entry<TopicPartition, String> other : new ArrayList<>(at.entrySet())) {
                if (other.getValue().equals(id) && place(other.getKey(), members, limit, at, load, seen)) {
                    load.merge(id, -1, Integer::sum); // the other one moved on: its place here is free
                    at.put(partition, id);
                    load.merge(id, 1, Integer::sum);
                    return true;
                }
            }
        }
        return false;
    }
}

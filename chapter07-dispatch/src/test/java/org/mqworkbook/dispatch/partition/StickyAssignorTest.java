package org.mqworkbook.dispatch.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mqworkbook.testkit.Exercise;

/**
 * Exercise 7.3, {@link StickyAssignor}: balanced to within one partition, keeping as many previous
 * owners as balance allows. Most tests use the Javadoc's example, topic t0 with 12 partitions. README
 * section "7.3 Assigning partitions to a group".
 */
@Exercise("7.3")
@Tag("7.3")
@Timeout(20)
class StickyAssignorTest {
    private static final String README = "README 7.3";
    private static final Map<String, Integer> T0_12 = Map.of("t0", 12);

    private final StickyAssignor assignor = new StickyAssignor();

    /** Members owning what {@code previous} gave them, plus {@code joining} members that own nothing. */
    private static Map<String, Subscription> after(Map<String, List<TopicPartition>> previous, String... joining) {
        Map<String, Subscription> members = new HashMap<>();
        previous.forEach((id, owned) -> members.put(id, Subscription.of("t0").owning(owned)));
        for (String id : joining) {
            members.put(id, Subscription.of("t0"));
        }
        return members;
    }

    private static int moved(Map<String, List<TopicPartition>> before, Map<String, List<TopicPartition>> after) {
        int moved = 0;
        for (Map.Entry<String, List<TopicPartition>> member : after.entrySet()) {
            List<TopicPartition> had = before.getOrDefault(member.getKey(), List.of());
            moved += (int) member.getValue().stream().filter(tp -> !had.contains(tp)).count();
        }
        return moved;
    }

    @Test
    void aFirstAssignmentBringsEveryoneToTheMinimumBeforeGivingExtras() {
        assertThat(assignor.assign(Assignments.members(3, "t0"), Map.of("t0", 7)))
            .as("nothing owned yet: everyone gets 2 in member and partition order, then the one extra goes to the "
                + "first member by id (%s)", README)
            .isEqualTo(Assignments.parse("C0: t0-0 t0-1 t0-6; C1: t0-2 t0-3; C2: t0-4 t0-5"));
    }

    @Test
    void whenAMemberLeavesTheSurvivorsKeepAllTheirPartitions() {
        Map<String, List<TopicPartition>> before =
            Assignments.parse("A: t0-0 t0-1 t0-2 t0-3; B: t0-4 t0-5 t0-6 t0-7; C: t0-8 t0-9 t0-10 t0-11");
        Map<String, List<TopicPartition>> previous = new HashMap<>(before);
        previous.remove("C");

        Map<String, List<TopicPartition>> after = assignor.assign(after(previous), T0_12);

        assertThat(after.get("A")).as("A keeps everything it had (%s)", README).containsAll(before.get("A"));
        assertThat(after.get("B")).as("B keeps everything it had (%s)", README).containsAll(before.get("B"));
        assertThat(Assignments.sizes(after)).as("C's four are split two and two").containsExactly(6, 6);
        assertThat(moved(before, after)).as("only C's partitions move (%s)", README).isEqualTo(4);
    }

    @Test
    void whenAMemberJoinsItReceivesPartitionsAndOnlyAsManyMoveAsBalanceRequires() {
        Map<String, List<TopicPartition>> before =
            Assignments.parse("A: t0-0 t0-1 t0-2 t0-3; B: t0-4 t0-5 t0-6 t0-7; C: t0-8 t0-9 t0-10 t0-11");

        Map<String, List<TopicPartition>> after = assignor.assign(after(before, "D"), T0_12);

        assertThat(after).as("the Javadoc's example: each keeps its first three, D gets the freed ones (%s)",
            README).isEqualTo(Assignments.parse(
                "A: t0-0 t0-1 t0-2; B: t0-4 t0-5 t0-6; C: t0-8 t0-9 t0-10; D: t0-3 t0-7 t0-11"));
        assertThat(moved(before, after)).as("12 / 4 = 3 each, so D needs 3 and exactly 3 move; round-robin "
            + "would move 9 (%s)", README).isEqualTo(3);
    }

    @ParameterizedTest(name = "{1} over {0} partitions")
    @CsvSource(delimiter = '|', textBlock = """
        8 | A: t0-0 t0-1 t0-2 t0-3 t0-4 t0-5 t0-6; B: t0-7 | A: t0-0 t0-1 t0-2 t0-3; B: t0-4 t0-5 t0-6 t0-7 \
          | quota 4 each: A keeps its first four, B fills up with A's surplus
        7 | A: t0-0 t0-1 t0-2 t0-3 t0-4; B: t0-5 t0-6; C: | A: t0-0 t0-1 t0-2; B: t0-5 t0-6; C: t0-3 t0-4 \
          | quotas 3, 2, 2: A keeps the one extra allowed, so only 2 move to C, not 3
        4 | A: t0-0 t0-1; B: t0-0 t0-2                    | A: t0-0 t0-1; B: t0-2 t0-3 \
          | t0-0 claimed twice: the first member by id keeps it, B fills up with a free partition
        4 | A: t0-0 t0-1 t0-9; B:                         | A: t0-0 t0-1; B: t0-2 t0-3 \
          | t0-9 no longer exists: it is dropped, not kept
        """)
    void keepsPreviousOwnersUpToTheQuotaAndFillsTheLeastLoaded(int partitions, String previous, String expected,
                                                               String why) {
        Map<String, List<TopicPartition>> before = Assignments.parse(previous);

        assertThat(assignor.assign(after(before), Map.of("t0", partitions))).as("%s (%s)", why, README)
            .isEqualTo(Assignments.parse(expected));
    }

    @ParameterizedTest(name = "{0} members, {1} partitions")
    @CsvSource({"3, 10", "4, 4", "5, 23", "7, 3", "1, 5"})
    void assignsEveryPartitionOnceAndBalancesToWithinOne(int memberCount, int partitions) {
        Map<String, Integer> topics = Map.of("a", partitions / 2, "b", partitions - partitions / 2);
        Map<String, List<TopicPartition>> assignment = assignor.assign(Assignments.members(memberCount, "a", "b"),
            topics);

        List<Integer> sizes = Assignments.sizes(assignment);
        assertThat(sizes).as("one entry per member (%s)", README).hasSize(memberCount);
        assertThat(sizes.stream().mapToInt(Integer::intValue).max().orElseThrow()
            - sizes.stream().mapToInt(Integer::intValue).min().orElseThrow())
            .as("sizes %s: counts at most one apart (%s)", sizes, README).isLessThanOrEqualTo(1);
        assertThat(Assignments.concatenatedSorted(assignment)).as("each partition exactly once")
            .isEqualTo(Assignments.allPartitionsSorted(topics));
    }

    @Test
    void theResultDoesNotDependOnTheMembersMapOrder() {
        Map<String, List<TopicPartition>> before = Assignments.parse("A: t0-0 t0-5 t0-6; B: t0-1; C: t0-2 t0-3");
        Map<String, Subscription> forward = new LinkedHashMap<>();
        Map<String, Subscription> backward = new LinkedHashMap<>();
        for (String id : List.of("A", "B", "C", "D")) {
            forward.put(id, Subscription.of("t0").owning(before.getOrDefault(id, List.of())));
        }
        for (String id : List.of("D", "C", "B", "A")) {
            backward.put(id, forward.get(id));
        }

        assertThat(assignor.assign(backward, T0_12)).as("ties are broken by member id, so every member that "
            + "runs the assignor computes the same answer (%s)", README).isEqualTo(assignor.assign(forward, T0_12));
    }
}

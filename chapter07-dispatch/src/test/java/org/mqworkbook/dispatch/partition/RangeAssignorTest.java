package org.mqworkbook.dispatch.partition;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Exercise 7.3, {@link RangeAssignor}: contiguous ranges per topic, the first {@code n % m} members one
 * extra, as Kafka's {@code RangeAssignor}. README section "7.3 Assigning partitions to a group".
 */
@Exercise("7.3")
@Tag("7.3")
@Timeout(20)
class RangeAssignorTest {
    private static final String README = "README 7.3";

    @ParameterizedTest(name = "{0} members on {1}")
    @CsvSource(delimiter = '|', textBlock = """
        2 | t0=3, t1=3 | C0: t0-0 t0-1 t1-0 t1-1; C1: t0-2 t1-2       | Kafka Javadoc: C0 gets both extras
        3 | t0=7       | C0: t0-0 t0-1 t0-2; C1: t0-3 t0-4; C2: t0-5 t0-6 | 7 = 3 × 2 + 1: only C0 gets an extra
        3 | t0=6       | C0: t0-0 t0-1; C1: t0-2 t0-3; C2: t0-4 t0-5   | divides evenly
        3 | t0=2       | C0: t0-0; C1: t0-1; C2:                       | fewer partitions than members: C2 idles
        1 | t0=2, t1=1 | C0: t0-0 t0-1 t1-0                            | one member takes everything
        """)
    void assignsContiguousRangesWithTheExtrasToTheFirstMembers(int memberCount, String topics, String expected,
                                                              String why) {
        Map<String, Integer> partitionsPerTopic = Assignments.topics(topics);
        Map<String, Subscription> members =
            Assignments.members(memberCount, partitionsPerTopic.keySet().toArray(String[]::new));

        assertThat(new RangeAssignor().assign(members, partitionsPerTopic)).as("%s (%s)", why, README)
            .isEqualTo(Assignments.parse(expected));
    }

    @Test
    void splitsEachTopicOnlyAmongTheMembersSubscribedToIt() {
        Map<String, Subscription> members = Map.of(
            "C0", Subscription.of("t0"),
            "C1", Subscription.of("t0", "t1"),
            "C2", Subscription.of("t1"));

        assertThat(new RangeAssignor().assign(members, Assignments.topics("t0=2, t1=4")))
            .as("t0 is split between C0 and C1, t1 between C1 and C2 (%s)", README)
            .isEqualTo(Assignments.parse("C0: t0-0; C1: t0-1 t1-0 t1-1; C2: t1-2 t1-3"));
    }

    @Test
    void sortsMembersByIdNotByInsertionOrder() {
        Map<String, Subscription> members = new LinkedHashMap<>();
        members.put("b", Subscription.of("t0"));
        members.put("a", Subscription.of("t0"));

        assertThat(new RangeAssignor().assign(members, Assignments.topics("t0=3")))
            .as("'a' sorts first, so it gets the first range and the extra: every member computes the same "
                + "answer (%s)", README)
            .isEqualTo(Assignments.parse("a: t0-0 t0-1; b: t0-2"));
    }

    @Test
    void skipsASubscribedTopicThatHasNoPartitionCount() {
        Map<String, Subscription> members = Map.of("C0", Subscription.of("t0", "unknown"));

        assertThat(new RangeAssignor().assign(members, Assignments.topics("t0=1")))
            .as("no metadata for 'unknown' yet: Kafka skips it (%s)", README)
            .isEqualTo(Assignments.parse("C0: t0-0"));
    }

    @Test
    void assignsEveryPartitionExactlyOnce() {
        Map<String, Integer> topics = Assignments.topics("a=5, b=11, c=1");
        Map<String, List<TopicPartition>> assignment =
            new RangeAssignor().assign(Assignments.members(4, "a", "b", "c"), topics);

        assertThat(Assignments.concatenatedSorted(assignment)).as("no partition twice, none forgotten (%s)",
            README).isEqualTo(Assignments.allPartitionsSorted(topics));
    }
}

package org.mqworkbook.dispatch.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mqworkbook.testkit.Exercise;

/**
 * Exercise 7.3, {@link RoundRobinAssignor}: all partitions sorted, dealt in a circle to the members
 * sorted by id, skipping members not subscribed, as Kafka's {@code RoundRobinAssignor}. README section
 * "7.3 Assigning partitions to a group".
 */
@Exercise("7.3")
@Tag("7.3")
@Timeout(20)
class RoundRobinAssignorTest {
    private static final String README = "README 7.3";

    @ParameterizedTest(name = "{0} members on {1}")
    @CsvSource(delimiter = '|', textBlock = """
        2 | t0=3, t1=3 | C0: t0-0 t0-2 t1-1; C1: t0-1 t1-0 t1-2 | Kafka's Javadoc example
        3 | t0=2, t1=2 | C0: t0-0 t1-1; C1: t0-1; C2: t1-0      | the deal continues across topics
        3 | t0=1       | C0: t0-0; C1:; C2:                     | fewer partitions than members
        """)
    void dealsAllPartitionsInOrderAroundTheMembers(int memberCount, String topics, String expected, String why) {
        Map<String, Integer> partitionsPerTopic = Assignments.topics(topics);
        Map<String, Subscription> members =
            Assignments.members(memberCount, partitionsPerTopic.keySet().toArray(String[]::new));

        assertThat(new RoundRobinAssignor().assign(members, partitionsPerTopic)).as("%s (%s)", why, README)
            .isEqualTo(Assignments.parse(expected));
    }

    @Test
    void skipsMembersNotSubscribedToThePartitionsTopic() {
        Map<String, Subscription> members = Map.of(
            "C0", Subscription.of("t0"),
            "C1", Subscription.of("t0", "t1"),
            "C2", Subscription.of("t0", "t1", "t2"));

        assertThat(new RoundRobinAssignor().assign(members, Assignments.topics("t0=1, t1=2, t2=3")))
            .as("Kafka's second Javadoc example: C0 and C1 are skipped for t2, so C2 takes four (%s)", README)
            .isEqualTo(Assignments.parse("C0: t0-0; C1: t1-0; C2: t1-1 t2-0 t2-1 t2-2"));
    }

    @ParameterizedTest(name = "{0} members, {1} partitions")
    @CsvSource({"3, 10", "4, 4", "5, 23", "7, 3"})
    void balancesEqualSubscriptionsToWithinOnePartition(int memberCount, int partitions) {
        Map<String, Integer> topics = Map.of("a", partitions / 2, "b", partitions - partitions / 2);
        Map<String, List<TopicPartition>> assignment =
            new RoundRobinAssignor().assign(Assignments.members(memberCount, "a", "b"), topics);

        List<Integer> sizes = Assignments.sizes(assignment);
        assertThat(sizes).as("one entry per member (%s)", README).hasSize(memberCount);
        assertThat(sizes.stream().mapToInt(Integer::intValue).max().orElseThrow()
            - sizes.stream().mapToInt(Integer::intValue).min().orElseThrow())
            .as("sizes %s: dealing in a circle leaves counts at most one apart (%s)", sizes, README)
            .isLessThanOrEqualTo(1);
        assertThat(Assignments.concatenatedSorted(assignment)).as("each partition exactly once")
            .isEqualTo(Assignments.allPartitionsSorted(topics));
    }
}

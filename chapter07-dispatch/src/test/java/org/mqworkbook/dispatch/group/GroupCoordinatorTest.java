package org.mqworkbook.dispatch.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.dispatch.partition.PartitionAssignor;
import org.mqworkbook.dispatch.partition.RangeAssignor;
import org.mqworkbook.dispatch.partition.StickyAssignor;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;

/**
 * Exercise 7.2, consumer groups: membership, generations, rebalances, session expiry and offset commits
 * fenced by generation. README section "7.2 Consumer groups".
 */
@Exercise("7.2")
@Tag("7.2")
@Timeout(10)
class GroupCoordinatorTest {
    private static final Duration SESSION = Duration.ofSeconds(10);
    private static final Set<String> ORDERS = Set.of("orders");
    private static final TopicPartition P0 = new TopicPartition("orders", 0);

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock();

    private GroupCoordinator group(PartitionAssignor assignor, int partitions) {
        return new GroupCoordinator("billing", assignor, Map.of("orders", partitions), SESSION, clock);
    }

    private static List<TopicPartition> orders(int... partitions) {
        List<TopicPartition> list = new ArrayList<>();
        for (int p : partitions) {
            list.add(new TopicPartition("orders", p));
        }
        return list;
    }

    @Test
    void aLoneMemberJoinsGenerationOneAndGetsEveryPartition() {
        GroupCoordinator group = group(new RangeAssignor(), 3);

        JoinResult joined = group.join("a", ORDERS);

        assertThat(joined.generation()).as("the first join starts generation 1").isEqualTo(1);
        assertThat(joined.partitions()).as("alone in the group, a reads every partition")
            .containsExactlyElementsOf(orders(0, 1, 2));
        assertThat(group.assignmentOf("a")).as("the coordinator remembers what it handed out")
            .isEqualTo(new Assignment(1, orders(0, 1, 2)));
    }

    @Test
    void aSecondMemberTriggersARebalanceThatSplitsThePartitions() {
        GroupCoordinator group = group(new RangeAssignor(), 3);
        group.join("a", ORDERS);

        JoinResult joined = group.join("b", ORDERS);

        assertThat(joined.generation()).as("every change of membership starts a new generation").isEqualTo(2);
        assertThat(joined.partitions()).as("the range assignor gives b the last range").isEqualTo(orders(2));
        assertThat(group.assignmentOf("a")).as("a gives up partition 2 in generation 2")
            .isEqualTo(new Assignment(2, orders(0, 1)));
    }

    @Test
    void aLeavingMemberTriggersARebalanceThatGivesItsPartitionsToTheOthers() {
        GroupCoordinator group = group(new RangeAssignor(), 3);
        group.join("a", ORDERS);
        group.join("b", ORDERS);

        group.leave("b");

        assertThat(group.generation()).as("a leave is a change of membership: generation 3").isEqualTo(3);
        assertThat(group.assignmentOf("a").partitions()).as("a takes back b's partition")
            .isEqualTo(orders(0, 1, 2));
        assertThat(group.assignmentOf("b").partitions()).as("b owns nothing once it has left").isEmpty();
    }

    @Test
    void aHeartbeatFromAnOldGenerationIsToldThatTheGroupHasRebalanced() {
        GroupCoordinator group = group(new RangeAssignor(), 3);
        int first = group.join("a", ORDERS).generation();
        group.join("b", ORDERS);

        assertThat(group.heartbeat("a", first)).as("a still believes in generation 1, but the group is at 2")
            .isEqualTo(HeartbeatResult.REBALANCE_NEEDED);
        assertThat(group.heartbeat("a", group.generation())).as("after fetching its new assignment, a is fine")
            .isEqualTo(HeartbeatResult.OK);
        assertThat(group.heartbeat("stranger", group.generation())).as("a member the group does not know")
            .isEqualTo(HeartbeatResult.UNKNOWN_MEMBER);
    }

    @Test
    void aMemberWhoseSessionTimesOutIsRemovedAndItsPartitionsReassigned() {
        GroupCoordinator group = group(new RangeAssignor(), 3);
        group.join("a", ORDERS);
        int generation = group.join("b", ORDERS).generation();

        clock.advance(SESSION.minusSeconds(1));
        group.heartbeat("a", generation); // a is alive; b has gone quiet
        clock.advance(Duration.ofSeconds(2));

        assertThat(group.expireMembers()).as("b has not been heard from for 11s, past its 10s session")
            .isEqualTo(1);
        assertThat(group.heartbeat("b", generation)).as("b is no longer a member; it must join again")
            .isEqualTo(HeartbeatResult.UNKNOWN_MEMBER);
        assertThat(group.assignmentOf("a")).as("a heartbeated in time and inherits b's partition in generation 3")
            .isEqualTo(new Assignment(3, orders(0, 1, 2)));
    }

    @Test
    void aSessionDoesNotExpireWhileTheMemberHeartbeats() {
        GroupCoordinator group = group(new RangeAssignor(), 3);
        int generation = group.join("a", ORDERS).generation();

        for (int i = 0; i < 5; i++) {
            clock.advance(SESSION.minusSeconds(1));
            assertThat(group.heartbeat("a", generation)).as("heartbeat %d", i).isEqualTo(HeartbeatResult.OK);
            assertThat(group.expireMembers()).as("each heartbeat pushes the deadline on").isZero();
        }
        assertThat(group.generation()).as("no expiry, no rebalance").isEqualTo(generation);
    }

    @Test
    void aZombieCommitFromAnOldGenerationIsRefusedAndDoesNotRewindTheGroup() {
        GroupCoordinator group = group(new RangeAssignor(), 1);
        int zombieGeneration = group.join("a", ORDERS).generation();
        group.commit("a", zombieGeneration, P0, 10);
        // a pauses (a long GC), its session expires, and b takes over partition 0 and gets further.
        clock.advance(SESSION.plusSeconds(1));
        group.expireMembers();
        int generation = group.join("b", ORDERS).generation();
        group.commit("b", generation, P0, 50);

        assertThatThrownBy(() -> group.commit("a", zombieGeneration, P0, 20))
            .as("a wakes up and commits what it had processed: without generation fencing a zombie would "
                + "rewind the group from 50 to 20, and 30 messages would be processed again")
            .isInstanceOf(IllegalGenerationException.class)
            .hasMessageContaining("a").hasMessageContaining("generation " + zombieGeneration)
            .hasMessageContaining("generation is " + generation).hasMessageContaining("orders-0");
        assertThat(group.committed(P0)).as("the refused commit changed nothing").isEqualTo(OptionalLong.of(50));
    }

    @Test
    void aCommitForAPartitionTheMemberDoesNotOwnIsRefused() {
        GroupCoordinator group = group(new RangeAssignor(), 2);
        group.join("a", ORDERS);
        int generation = group.join("b", ORDERS).generation();

        assertThatThrownBy(() -> group.commit("b", generation, P0, 7))
            .as("the right generation is not enough: partition 0 belongs to a, and b must not move its offset")
            .isInstanceOf(IllegalGenerationException.class).hasMessageContaining("orders-0");
        assertThat(group.committed(P0)).as("nothing was committed for partition 0").isEmpty();
    }

    @Test
    void commitAllCommitsEveryPartitionInOneCallAndStopsAtTheFirstRefusal() throws IOException {
        GroupCoordinator before = GroupCoordinator.open("billing", new RangeAssignor(), Map.of("orders", 4),
            SESSION, clock, dir);
        int generation = before.join("a", ORDERS).generation();
        before.join("b", ORDERS); // a now owns orders-0 and orders-1 in the next generation
        int current = before.generation();
        Map<TopicPartition, Long> mine = new LinkedHashMap<>();
        mine.put(P0, 10L);
        mine.put(new TopicPartition("orders", 1), 11L);

        before.commitAll("a", current, mine);
        GroupCoordinator after = GroupCoordinator.open("billing", new RangeAssignor(), Map.of("orders", 4),
            SESSION, clock, dir);
        assertThat(after.committed(P0)).as("both partitions were checkpointed by the one call").hasValue(10);
        assertThat(after.committed(new TopicPartition("orders", 1))).hasValue(11);

        Map<TopicPartition, Long> tooMuch = new LinkedHashMap<>();
        tooMuch.put(P0, 20L);
        tooMuch.put(new TopicPartition("orders", 2), 22L); // b's
        assertThatThrownBy(() -> before.commitAll("a", current, tooMuch))
            .as("each partition is fenced as commit() fences it: orders-2 belongs to b")
            .isInstanceOf(IllegalGenerationException.class).hasMessageContaining("orders-2");
        assertThat(before.committed(P0)).as("the partition before the refused one stays committed").hasValue(20);
        assertThat(before.committed(new TopicPartition("orders", 2))).isEmpty();
        assertThatThrownBy(() -> before.commitAll("a", generation, Map.of(P0, 30L)))
            .as("an old generation is refused for every partition").isInstanceOf(IllegalGenerationException.class);
        assertThat(before.committed(P0)).hasValue(20);
    }

    @Test
    void committedOffsetsSurviveReopeningTheCoordinatorFromItsCheckpoint() throws IOException {
        GroupCoordinator before = GroupCoordinator.open("billing", new RangeAssignor(), Map.of("orders", 2),
            SESSION, clock, dir);
        int generation = before.join("a", ORDERS).generation();
        before.commit("a", generation, P0, 41);
        before.commit("a", generation, new TopicPartition("orders", 1), 7);
        before.commit("a", generation, P0, 42);

        GroupCoordinator after = GroupCoordinator.open("billing", new RangeAssignor(), Map.of("orders", 2),
            SESSION, clock, dir);

        assertThat(after.committed(P0)).as("the last commit wins, and it was on disk before commit returned")
            .isEqualTo(OptionalLong.of(42));
        assertThat(after.committed(new TopicPartition("orders", 1))).isEqualTo(OptionalLong.of(7));
        assertThat(after.generation()).as("membership is not durable: after a restart members join again")
            .isZero();
    }

    @Test
    void withTheStickyAssignorAJoinMovesOnlyThePartitionsTheNewMemberNeeds() {
        GroupCoordinator group = group(new StickyAssignor(), 12);
        group.join("a", ORDERS);
        group.join("b", ORDERS);
        group.join("c", ORDERS);
        Map<String, List<TopicPartition>> before = Map.of("a", group.assignmentOf("a").partitions(),
            "b", group.assignmentOf("b").partitions(), "c", group.assignmentOf("c").partitions());

        List<TopicPartition> gained = group.join("d", ORDERS).partitions();

        assertThat(gained).as("d gets its fair share, 12 / 4").hasSize(3);
        for (String member : List.of("a", "b", "c")) {
            assertThat(before.get(member)).as("%s keeps all it still owns and loses one: the minimum move", member)
                .containsAll(group.assignmentOf(member).partitions())
                .hasSize(group.assignmentOf(member).partitions().size() + 1);
        }
    }
}

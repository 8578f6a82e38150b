package org.mqworkbook.dispatch.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mqworkbook.dispatch.group.Groups.answered;
import static org.mqworkbook.dispatch.group.Groups.orders;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mqworkbook.dispatch.partition.CooperativeStickyAssignor;
import org.mqworkbook.dispatch.partition.PartitionAssignor;
import org.mqworkbook.dispatch.partition.RangeAssignor;
import org.mqworkbook.dispatch.partition.RoundRobinAssignor;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;

/**
 * Exercise 7.7, static membership (Kafka's {@code group.instance.id}, KIP-345): a consumer instance that
 * restarts within its session timeout takes its partitions back without a rebalance, its previous
 * incarnation is fenced, and assignors order static members by instance id. README section "7.7 Static
 * membership".
 */
@Exercise("7.7")
@Tag("7.7")
@Timeout(10)
class StaticMembershipTest {
    private static final Duration SESSION = Duration.ofSeconds(30);
    private static final Set<String> ORDERS = Set.of("orders");
    private static final TopicPartition P0 = new TopicPartition("orders", 0);

    private final ManualClock clock = new ManualClock();

    private GroupCoordinator group(PartitionAssignor assignor, int partitions) {
        return new GroupCoordinator("billing", assignor, Map.of("orders", partitions), SESSION, clock);
    }

    /** host-a (member a-1) and host-b (member b-1), both static, in a stable group; returns its generation. */
    private static int twoStaticMembers(GroupCoordinator group) {
        group.join("a-1", "host-a", ORDERS);
        CompletableFuture<JoinResult> b = group.join("b-1", "host-b", ORDERS);
        answered(group.join("a-1", "host-a", ORDERS), "a-1 rejoins: the rebalance for b-1 completes");
        return answered(b, "b-1 is through the barrier too").generation();
    }

    @Test
    void aStaticMemberThatRestartsWithinItsSessionGetsItsPartitionsBackWithoutARebalance() {
        GroupCoordinator group = group(new RangeAssignor(), 4);
        int generation = twoStaticMembers(group);
        List<TopicPartition> before = group.assignmentOf("a-1").partitions();

        clock.advance(Duration.ofSeconds(20)); // host-a restarts: its old process is gone, a new one starts
        group.heartbeat("b-1", generation);
        JoinResult restarted = answered(group.join("a-2", "host-a", ORDERS),
            "host-a's new incarnation is answered at once: nothing about the group changed");

        assertThat(restarted).as("the same partitions, in the same generation").isEqualTo(new JoinResult(generation,
            before));
        assertThat(group.rebalancing()).as("no rebalance: the rest of the group never noticed").isFalse();
        assertThat(group.heartbeat("b-1", generation)).as("b-1 goes on consuming").isEqualTo(HeartbeatResult.OK);
        assertThat(group.members()).as("a-2 has taken a-1's place").containsExactly("a-2", "b-1");
        group.commit("a-2", generation, P0, 12); // the new incarnation owns the partitions now
        assertThat(group.committed(P0)).hasValue(12);
    }

    @Test
    void thePreviousIncarnationIsFencedAndCannotCommit() {
        GroupCoordinator group = group(new RangeAssignor(), 4);
        int generation = twoStaticMembers(group);

        group.join("a-2", "host-a", ORDERS);

        assertThat(group.heartbeat("a-1", generation)).as("a-1 (a process that was only paused, not dead) is told "
            + "that another process is host-a now: it must stop, not rejoin and fence a-2 in turn")
            .isEqualTo(HeartbeatResult.FENCED);
        assertThatThrownBy(() -> group.commit("a-1", generation, P0, 99))
            .as("a fenced incarnation's commit would rewind what a-2 commits")
            .isInstanceOf(IllegalGenerationException.class).hasMessageContaining("a-1");
        assertThat(group.committed(P0)).isEmpty();
    }

    @Test
    void aRestartDuringARebalanceTakesThePreviousIncarnationsPlaceAtTheBarrier() {
        GroupCoordinator group = group(new RangeAssignor(), 4);
        twoStaticMembers(group);
        CompletableFuture<JoinResult> c = group.join("c-1", "host-c", ORDERS);
        CompletableFuture<JoinResult> oldA = group.join("a-1", "host-a", ORDERS); // a-1 rejoins, then dies

        CompletableFuture<JoinResult> newA = group.join("a-2", "host-a", ORDERS);

        assertThat(oldA).as("the old incarnation's waiting join is refused, not left hanging")
            .isCompletedExceptionally();
        assertThatThrownBy(oldA::join).hasCauseInstanceOf(IllegalGenerationException.class)
            .hasMessageContaining("fenced");
        assertThat(newA).as("a-2 waits, like everyone, for b-1 to rejoin").isNotDone();
        group.join("b-1", "host-b", ORDERS);
        assertThat(answered(newA, "everyone is in").partitions()).hasSize(2);
        assertThat(answered(c, "c-1 too").partitions()).hasSize(1);
        assertThat(group.members()).containsExactly("a-2", "b-1", "c-1");
    }

    @Test
    void aRestartWithOtherTopicsRebalancesAsAnyChangeOfSubscriptionDoes() {
        GroupCoordinator group = new GroupCoordinator("billing", new RangeAssignor(),
            Map.of("orders", 4, "payments", 2), SESSION, clock);
        int generation = twoStaticMembers(group);

        CompletableFuture<JoinResult> restarted = group.join("a-2", "host-a", Set.of("orders", "payments"));

        assertThat(restarted).as("host-a now also wants payments: the group must rebalance").isNotDone();
        assertThat(group.heartbeat("b-1", generation)).isEqualTo(HeartbeatResult.REBALANCE_NEEDED);
        group.join("b-1", "host-b", ORDERS);
        assertThat(answered(restarted, "b-1 rejoined").partitions()).contains(new TopicPartition("payments", 0),
            new TopicPartition("payments", 1));
    }

    @Test
    void aStaticMemberThatDoesNotComeBackWithinItsSessionIsRemovedAndRebalanced() {
        GroupCoordinator group = group(new RangeAssignor(), 4);
        int generation = twoStaticMembers(group);

        clock.advance(SESSION.plusSeconds(1));
        group.heartbeat("b-1", generation);
        assertThat(group.expireMembers()).as("host-a was gone for longer than its session").isEqualTo(1);

        assertThat(group.heartbeat("b-1", generation)).isEqualTo(HeartbeatResult.REBALANCE_NEEDED);
        CompletableFuture<JoinResult> late = group.join("a-2", "host-a", ORDERS);
        assertThat(late).as("too late to take a-1's place silently: host-a is a new member of a rebalance")
            .isNotDone();
        group.join("b-1", "host-b", ORDERS);
        assertThat(answered(late, "b-1 rejoined").generation()).isEqualTo(generation + 1);
    }

    @Test
    void assignorsOrderStaticMembersByInstanceIdSoThatARestartKeepsItsPlace() {
        // The range assignor gives the first range to the first member in its order. By member id, a-1
        // comes before z-9; by instance id, host-z's member comes after host-a's whatever its member id.
        GroupCoordinator group = group(new RangeAssignor(), 4);
        group.join("z-9", "host-a", ORDERS);
        CompletableFuture<JoinResult> b = group.join("a-1", "host-z", ORDERS);
        group.join("z-9", "host-a", ORDERS);

        assertThat(group.assignmentOf("z-9").partitions()).as("host-a sorts first: it has the first range")
            .isEqualTo(orders(0, 1));
        assertThat(answered(b, "a-1 through the barrier").partitions()).as("host-z the second")
            .isEqualTo(orders(2, 3));
    }

    @Test
    void staticMembersComeBeforeDynamicOnesAsKafkaSortsThem() {
        GroupCoordinator group = group(new RoundRobinAssignor(), 3);
        group.join("a", ORDERS); // dynamic, and first by member id
        CompletableFuture<JoinResult> z = group.join("z", "host", ORDERS);
        group.join("a", ORDERS);

        assertThat(answered(z, "z through the barrier").partitions())
            .as("round robin deals orders-0 to the first member: the static one, though 'z' > 'a'")
            .isEqualTo(orders(0, 2));
        assertThat(group.assignmentOf("a").partitions()).isEqualTo(orders(1));
    }

    @Test
    void aMemberIdCannotChangeItsKind() {
        GroupCoordinator group = group(new RangeAssignor(), 2);
        group.join("a", ORDERS);
        group.join("b", "host-b", ORDERS);

        assertThatThrownBy(() -> group.join("a", "host-a", ORDERS))
            .as("a dynamic member cannot become an instance under the same member id")
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dynamic");
        assertThatThrownBy(() -> group.join("b", "host-x", ORDERS))
            .as("nor can a member claim a second instance id").isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("host-b");
    }

    @Test
    void theCurrentIncarnationJoiningAgainIsJustARepeatedJoin() {
        GroupCoordinator group = group(new RangeAssignor(), 4);
        int generation = twoStaticMembers(group);
        group.join("a-2", "host-a", ORDERS); // a-1 fenced

        JoinResult again = answered(group.join("a-2", "host-a", ORDERS), "a-2's answer was lost: it joins again");

        assertThat(again.generation()).as("nothing changed: no rebalance").isEqualTo(generation);
        assertThat(group.heartbeat("a-2", generation)).as("a-2 did not fence itself").isEqualTo(HeartbeatResult.OK);
        assertThat(group.heartbeat("a-1", generation)).as("and a-1 is still fenced").isEqualTo(HeartbeatResult.FENCED);
    }

    @Test
    void aRestartInACooperativeGroupInheritsThePartitionsItsPredecessorStillHadToGiveUp() {
        GroupCoordinator group = group(new CooperativeStickyAssignor(), 4);
        group.join("a-1", "host-a", ORDERS);
        CompletableFuture<JoinResult> b = group.join("b-1", "host-b", ORDERS);
        JoinResult round1 = answered(group.join("a-1", "host-a", ORDERS), "round 1");
        assertThat(round1.partitions()).as("a-1 keeps two and must give up two").hasSize(2);
        answered(b, "b-1's round 1: nothing yet");
        // a-1 dies before it gives them up; host-a restarts as a-2.

        CompletableFuture<JoinResult> restarted = group.join("a-2", "host-a", ORDERS);

        assertThat(group.rebalancing()).as("a-2 inherited what a-1 still owed, and by rejoining it gives it up: "
            + "the second round starts, as if a-1 had rejoined").isTrue();
        group.join("b-1", "host-b", ORDERS);
        assertThat(answered(restarted, "round 2").partitions()).isEqualTo(round1.partitions());
        assertThat(group.assignmentOf("b-1").partitions()).as("b-1 gets the other two at last").hasSize(2)
            .doesNotContainAnyElementsOf(round1.partitions());
    }

    @Test
    void theFencedIncarnationsWaitingJoinIsRefusedOutsideTheLock() throws Exception {
        GroupCoordinator group = group(new RangeAssignor(), 4);
        twoStaticMembers(group);
        group.join("c-1", "host-c", ORDERS);
        CompletableFuture<JoinResult> oldA = group.join("a-1", "host-a", ORDERS);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<Integer> seen = oldA.handle((joined, refusal) -> {
                try {
                    return other.submit(group::generation).get(2, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    throw new AssertionError("the other thread could not take the coordinator's lock: the fenced "
                        + "join was refused while the lock was held — use answers, as 7.2 does");
                } catch (InterruptedException | ExecutionException e) {
                    throw new AssertionError(e);
                }
            });

            group.join("a-2", "host-a", ORDERS);

            assertThat(seen.get(5, TimeUnit.SECONDS)).isEqualTo(group.generation());
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void restartingForeverKeepsTheCoordinatorsMemoryBounded() {
        GroupCoordinator group = group(new RangeAssignor(), 2);
        for (int run = 0; run < 5_000; run++) {
            answered(group.join("a-" + run, "host-a", ORDERS), "each restart alone in a stable group");
        }

        assertThat(group.fencedCount()).as("fenced ids are remembered to answer FENCED, the latest %d of them: a "
            + "restart loop cannot grow the coordinator's memory", GroupCoordinator.MAX_FENCED)
            .isEqualTo(GroupCoordinator.MAX_FENCED);
        assertThat(group.heartbeat("a-4998", 1)).isEqualTo(HeartbeatResult.FENCED);
        assertThat(group.members()).containsExactly("a-4999");
    }

    @Test
    void aFencedIncarnationThatTriesToJoinAgainIsRefusedAndTheLiveOneKeepsItsPartitions() {
        GroupCoordinator group = group(new RangeAssignor(), 4);
        int generation = twoStaticMembers(group);
        group.join("a-2", "host-a", ORDERS);
        List<TopicPartition> live = group.assignmentOf("a-2").partitions();

        assertThatThrownBy(() -> group.join("a-1", "host-a", ORDERS))
            .as("a-1 woke up and joins again: let in, it would fence a-2 and take the partitions a-2 is processing")
            .isInstanceOf(IllegalGenerationException.class).hasMessageContaining("fenced");
        assertThatThrownBy(() -> group.join("a-1", ORDERS)).as("nor may it come back as a dynamic member")
            .isInstanceOf(IllegalGenerationException.class);
        assertThat(group.members()).containsExactly("a-2", "b-1");
        assertThat(group.assignmentOf("a-2")).isEqualTo(new Assignment(generation, live));
        assertThat(group.heartbeat("a-2", generation)).isEqualTo(HeartbeatResult.OK);
    }
}

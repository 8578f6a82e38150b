package org.mqworkbook.dispatch.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mqworkbook.dispatch.group.Groups.answered;
import static org.mqworkbook.dispatch.group.Groups.orders;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mqworkbook.dispatch.partition.CooperativeStickyAssignor;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;

/**
 * Exercise 7.8, cooperative rebalancing (KIP-429) in the coordinator: members rejoin keeping their
 * partitions, the first round holds back every partition another member still holds and tells the holder
 * to give it up, and the round after the holder's rejoin hands it over. README section "7.8 Cooperative
 * rebalancing".
 */
@Exercise("7.8")
@Tag("7.8")
@Timeout(10)
class CooperativeRebalanceTest {
    private static final Duration SESSION = Duration.ofSeconds(10);
    private static final Set<String> ORDERS = Set.of("orders");

    private final ManualClock clock = new ManualClock();
    private final GroupCoordinator group = new GroupCoordinator("billing", new CooperativeStickyAssignor(),
        Map.of("orders", 4), SESSION, clock);

    @Test
    void aMovingPartitionReachesItsNewOwnerOnlyInTheSecondRoundAfterItsHolderGaveItUp() {
        int first = answered(group.join("a", ORDERS), "a alone").generation();
        CompletableFuture<JoinResult> b = group.join("b", ORDERS);

        assertThat(group.assignmentOf("a").partitions()).as("cooperative: a rejoins later, and until then — and "
            + "while it waits — it goes on reading everything it holds").isEqualTo(orders(0, 1, 2, 3));
        JoinResult aRound1 = answered(group.join("a", ORDERS), "everyone has joined round 1");
        JoinResult bRound1 = answered(b, "b's answer in round 1");

        assertThat(aRound1.partitions()).as("a keeps half and is told to give up the other half")
            .isEqualTo(orders(0, 1));
        assertThat(bRound1.partitions()).as("b gets nothing yet: orders-2 and orders-3 are still a's, and handing "
            + "them to b now would let two members process them at once").isEmpty();
        assertThat(aRound1.generation()).isEqualTo(first + 1);
        group.commit("a", aRound1.generation(), new TopicPartition("orders", 3), 7); // a commits what it gives up
        assertThat(group.heartbeat("a", aRound1.generation())).as("a must give up and rejoin")
            .isEqualTo(HeartbeatResult.REBALANCE_NEEDED);

        CompletableFuture<JoinResult> aRound2 = group.join("a", ORDERS); // a has given orders-2 and orders-3 up

        assertThat(group.rebalancing()).as("a's rejoin starts the second round").isTrue();
        assertThat(group.assignmentOf("a").partitions()).as("a still reads what it keeps").isEqualTo(orders(0, 1));
        assertThatThrownBy(() -> group.commit("a", aRound1.generation(), new TopicPartition("orders", 3), 9))
            .as("once a has rejoined, orders-3 is no longer a's to commit")
            .isInstanceOf(IllegalGenerationException.class);
        assertThat(group.heartbeat("b", bRound1.generation())).isEqualTo(HeartbeatResult.REBALANCE_NEEDED);
        JoinResult bRound2 = answered(group.join("b", ORDERS), "b rejoined: round 2 is complete");
        assertThat(bRound2.partitions()).as("now b gets them").isEqualTo(orders(2, 3));
        assertThat(answered(aRound2, "a through round 2").partitions()).isEqualTo(orders(0, 1));
        assertThat(bRound2.generation()).isEqualTo(first + 2);
        assertThat(group.committed(new TopicPartition("orders", 3))).as("b starts where a committed").hasValue(7);
        assertThat(group.rebalancing()).as("nothing left to move: no third round").isFalse();
    }

    @Test
    void partitionsThatStayPutAreNeverLeftOutOfTheirOwnersAssignment() {
        group.join("a", ORDERS);
        CompletableFuture<JoinResult> b = group.join("b", ORDERS);
        group.join("a", ORDERS);
        group.join("a", ORDERS); // a gives up its revoked half
        group.join("b", ORDERS);
        assertThat(answered(b, "b through").partitions()).hasSize(0); // round 1 answer
        Set<TopicPartition> aKeeps = new HashSet<>(group.assignmentOf("a").partitions());
        Set<TopicPartition> bKeeps = new HashSet<>(group.assignmentOf("b").partitions());
        assertThat(aKeeps).hasSize(2);
        assertThat(bKeeps).hasSize(2);

        CompletableFuture<JoinResult> c = group.join("c", ORDERS);
        List<CompletableFuture<JoinResult>> round1 = List.of(group.join("a", ORDERS), group.join("b", ORDERS));

        for (CompletableFuture<JoinResult> join : round1) {
            assertThat(answered(join, "round 1 of c's rebalance").partitions()).hasSizeGreaterThanOrEqualTo(1);
        }
        assertThat(answered(c, "c's round 1 answer").partitions()).as("nothing free for c in round 1").isEmpty();
        Set<TopicPartition> kept = new HashSet<>(group.assignmentOf("a").partitions());
        kept.addAll(group.assignmentOf("b").partitions());
        assertThat(kept).as("a and b each kept at least one of their partitions through round 1").hasSize(3);
        assertThat(aKeeps).containsAll(group.assignmentOf("a").partitions());
        assertThat(bKeeps).containsAll(group.assignmentOf("b").partitions());
    }

    @Test
    void aLeaversPartitionsAreFreeSoOneRoundIsEnough() {
        group.join("a", ORDERS);
        group.join("b", ORDERS);
        group.join("a", ORDERS);
        group.join("a", ORDERS);
        group.join("b", ORDERS); // a and b share orders, two each, after two rounds

        group.leave("b");
        JoinResult a = answered(group.join("a", ORDERS), "a is the only member");

        assertThat(a.partitions()).as("b's partitions are held by nobody: a gets them at once")
            .isEqualTo(orders(0, 1, 2, 3));
        assertThat(group.rebalancing()).as("nothing to give up: no second round").isFalse();
    }

    @Test
    void aHolderThatNeverGivesUpIsRemovedByItsSessionAndThenItsPartitionsMove() {
        group.join("a", ORDERS);
        CompletableFuture<JoinResult> b = group.join("b", ORDERS);
        int generation = answered(group.join("a", ORDERS), "round 1").generation();
        answered(b, "b's round 1: nothing yet");
        // a was told to give up two partitions, and then stops answering (it crashed).

        clock.advance(SESSION.plusSeconds(1));
        group.heartbeat("b", generation);
        assertThat(group.expireMembers()).as("a's session has expired").isEqualTo(1);

        assertThat(answered(group.join("b", ORDERS), "b alone").partitions())
            .as("with a gone, b gets everything").isEqualTo(orders(0, 1, 2, 3));
    }

    @Test
    void membersWithDifferentSubscriptionsRebalanceInTwoRoundsToo() {
        GroupCoordinator mixed = new GroupCoordinator("billing", new CooperativeStickyAssignor(),
            Map.of("orders", 4, "payments", 2), SESSION, clock);
        answered(mixed.join("a", ORDERS), "a alone");
        CompletableFuture<JoinResult> b = mixed.join("b", Set.of("orders", "payments"));
        JoinResult aRound1 = answered(mixed.join("a", ORDERS), "round 1");
        JoinResult bRound1 = answered(b, "b's round 1");

        List<TopicPartition> payments = List.of(new TopicPartition("payments", 0), new TopicPartition("payments", 1));
        assertThat(bRound1.partitions()).as("b gets the payments partitions at once (nobody held them), and not yet "
            + "the orders partition that moves to it: a still holds it").isEqualTo(payments);
        assertThat(aRound1.partitions()).as("a keeps three of its four").hasSize(3);

        CompletableFuture<JoinResult> aRejoins = mixed.join("a", ORDERS); // a gives the fourth up
        JoinResult bRound2 = answered(mixed.join("b", Set.of("orders", "payments")), "round 2");
        JoinResult aRound2 = answered(aRejoins, "a's round 2");

        assertThat(bRound2.partitions()).as("3 and 3: the most even split the subscriptions allow").hasSize(3)
            .containsAll(payments);
        assertThat(aRound2.partitions()).isEqualTo(aRound1.partitions());
        assertThat(bRound2.partitions()).as("the partition a gave up, and none a kept")
            .doesNotContainAnyElementsOf(aRound2.partitions());
        assertThat(mixed.rebalancing()).isFalse();
    }

    @Test
    void aHandOverDuringARebalanceDoesNotPushItsDeadlineBack() {
        Duration rebalance = Duration.ofSeconds(4);
        GroupCoordinator timed = new GroupCoordinator("billing", new CooperativeStickyAssignor(), Map.of("orders", 4),
            SESSION, rebalance, clock);
        timed.join("a", ORDERS);
        CompletableFuture<JoinResult> b = timed.join("b", ORDERS);
        timed.join("a", ORDERS); // round 1 complete: a must give up two partitions
        answered(b, "b's round 1");
        CompletableFuture<JoinResult> c = timed.join("c", ORDERS); // another rebalance starts now

        clock.advance(rebalance.minusSeconds(1));
        timed.join("a", ORDERS); // a hands over, in the middle of c's rebalance; b never rejoins
        timed.heartbeat("b", timed.generation());
        clock.advance(Duration.ofSeconds(1).plusMillis(1));

        assertThat(timed.expireMembers()).as("the rebalance started when c joined; a's hand-over must not restart "
            + "its clock, or every hand-over would let a straggler hold the group up longer").isEqualTo(1);
        assertThat(answered(c, "the rebalance completed without b").partitions()).isNotEmpty();
    }

    @Test
    void aWaitingMemberCannotCommitWithEitherProtocol() {
        int generation = answered(group.join("a", ORDERS), "a alone").generation();
        group.join("b", ORDERS);
        group.commit("a", generation, new TopicPartition("orders", 0), 3); // before rejoining: fine

        group.join("a", ORDERS); // completes round 1 — a is no longer waiting
        group.join("c", ORDERS);
        group.join("a", ORDERS); // a waits in the next round

        assertThatThrownBy(() -> group.commit("a", group.generation(), new TopicPartition("orders", 0), 4))
            .as("a member waiting at the barrier commits after the answer, as Kafka refuses a commit during a "
                + "rebalance (REBALANCE_IN_PROGRESS)").isInstanceOf(IllegalGenerationException.class);
    }
}

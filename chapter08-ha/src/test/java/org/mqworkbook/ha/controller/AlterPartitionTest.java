package org.mqworkbook.ha.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mqworkbook.testkit.Exercise;

/**
 * Exercise 8.6, {@code AlterPartition}: only the partition's leader, in its leader epoch, from the state it
 * changes, may change the ISR, and only to active replicas. README section "8.6 The controller on the quorum
 * (Broker 集群设计)".
 */
@Exercise("8.6")
@Tag("8.6")
@Timeout(10)
class AlterPartitionTest {
    private static final List<String> REPLICAS = List.of("b1", "b2", "b3");

    private static ControllerFixture cluster() {
        ControllerFixture cluster = new ControllerFixture();
        cluster.join("b1");
        cluster.join("b2");
        cluster.join("b3");
        cluster.controller.createPartition("orders-0", REPLICAS);
        return cluster;
    }

    private static void assertRefused(ControllerFixture cluster, String from, ControllerMessage.AlterPartition request,
                                      ControllerMessage.Error error, String why) {
        PartitionState before = cluster.partition("orders-0");
        long entries = cluster.controller.raft().storage().lastIndex();
        ControllerMessage.Refused refused = cluster.ask(from, request, ControllerMessage.Refused.class);
        assertThat(refused.error()).as("%s from %s: %s", request, from, why).isEqualTo(error);
        assertThat(refused.request()).as("the refusal names the request it refuses").isEqualTo(request);
        assertThat(cluster.partition("orders-0")).as("a refused request changes nothing").isEqualTo(before);
        assertThat(cluster.controller.raft().storage().lastIndex()).as("a refused request writes nothing")
            .isEqualTo(entries);
    }

    @Test
    void theLeaderShrinksAndExpandsTheIsrInItsOwnLeaderEpoch() {
        ControllerFixture cluster = cluster();
        ControllerMessage.AlterPartitionAnswer shrunk = cluster.ask("b1", cluster.alterFromLeader("orders-0", "b1",
            "b2"), ControllerMessage.AlterPartitionAnswer.class);
        PartitionState expected = new PartitionState("orders-0", REPLICAS, "b1", List.of("b1", "b2"), 0, 1);
        assertThat(shrunk.state()).as("b3 fell behind: the ISR changes, the partition epoch goes up, the leader "
            + "epoch does not (the leader is the same)").isEqualTo(expected);
        assertThat(cluster.partition("orders-0")).as("the committed state is the answer's").isEqualTo(expected);

        ControllerMessage.AlterPartitionAnswer grown = cluster.ask("b1", cluster.alterFromLeader("orders-0", "b1",
            "b2", "b3"), ControllerMessage.AlterPartitionAnswer.class);
        assertThat(grown.state()).as("b3 caught up").isEqualTo(new PartitionState("orders-0", REPLICAS, "b1",
            REPLICAS, 0, 2));
    }

    @Test
    void aDeposedLeaderCannotChangeTheIsr() {
        ControllerFixture cluster = cluster();
        ControllerMessage.AlterPartition fromTheOldEpoch = cluster.alterFromLeader("orders-0", "b1");
        cluster.lapseAllBut("b2", "b3");
        cluster.heartbeat("b1"); // b1 is back, same incarnation, and still believes it leads in epoch 0
        assertThat(cluster.partition("orders-0").leaderEpoch()).isEqualTo(1);

        assertRefused(cluster, "b1", fromTheOldEpoch, ControllerMessage.Error.FENCED_LEADER_EPOCH, "b1 led in epoch 0 "
            + "and was deposed; were it let shrink the ISR to itself, it could acknowledge acks=all writes alone "
            + "while b2 takes others: two leaders, two histories (split brain)");
    }

    @Test
    void aFollowerCannotChangeTheIsr() {
        ControllerFixture cluster = cluster();
        PartitionState state = cluster.partition("orders-0");
        assertRefused(cluster, "b2", new ControllerMessage.AlterPartition(cluster.metadata().broker("b2")
            .brokerEpoch(), "orders-0", state.leaderEpoch(), state.partitionEpoch(), List.of("b2")),
            ControllerMessage.Error.NOT_LEADER_OR_FOLLOWER, "b2 has the right epochs but b1 leads");
    }

    @Test
    void aRequestMadeFromAStateThatHasChangedSinceIsRefused() {
        ControllerFixture cluster = cluster();
        ControllerMessage.AlterPartition first = cluster.alterFromLeader("orders-0", "b1", "b2");
        ControllerMessage.AlterPartition second = cluster.alterFromLeader("orders-0", "b1", "b3");
        cluster.ask("b1", first, ControllerMessage.AlterPartitionAnswer.class);
        assertRefused(cluster, "b1", second, ControllerMessage.Error.INVALID_UPDATE_VERSION, "it was made from "
            + "partition epoch 0, and the first request has made it 1");
    }

    @Test
    void theIsrMayHoldOnlyActiveReplicasAndMustHoldTheLeader() {
        ControllerFixture cluster = cluster();
        cluster.join("b4");
        assertRefused(cluster, "b1", cluster.alterFromLeader("orders-0", "b1", "b4"),
            ControllerMessage.Error.INELIGIBLE_REPLICA, "b4 is no replica of orders-0");
        assertRefused(cluster, "b1", cluster.alterFromLeader("orders-0", "b2", "b3"),
            ControllerMessage.Error.INELIGIBLE_REPLICA, "the leader b1 must be in its own ISR");

        cluster.ask("b1", cluster.alterFromLeader("orders-0", "b1", "b2"),
            ControllerMessage.AlterPartitionAnswer.class);
        cluster.lapseAllBut("b1", "b2"); // b3 is fenced
        assertRefused(cluster, "b1", cluster.alterFromLeader("orders-0", "b1", "b2", "b3"),
            ControllerMessage.Error.INELIGIBLE_REPLICA, "b3 is fenced: a broker the controller cannot reach must not "
            + "count towards acks=all");
    }

    @Test
    void anUnknownPartitionOrAStaleIncarnationIsRefused() {
        ControllerFixture cluster = cluster();
        PartitionState state = cluster.partition("orders-0");
        long epoch = cluster.metadata().broker("b1").brokerEpoch();
        assertRefused(cluster, "b1", new ControllerMessage.AlterPartition(epoch, "orders-7", 0, 0, List.of("b1")),
            ControllerMessage.Error.UNKNOWN_TOPIC_OR_PARTITION, "there is no orders-7");
        assertRefused(cluster, "b1", new ControllerMessage.AlterPartition(epoch - 1, "orders-0", state.leaderEpoch(),
            state.partitionEpoch(), List.of("b1")), ControllerMessage.Error.STALE_BROKER_EPOCH, "b1's incarnation is "
            + epoch + ", and a request from another one is from before a restart");
    }

    @Test
    void askingForTheIsrThePartitionHasWritesNothing() {
        ControllerFixture cluster = cluster();
        long entries = cluster.controller.raft().storage().lastIndex();
        ControllerMessage.AlterPartitionAnswer answer = cluster.ask("b1", cluster.alterFromLeader("orders-0", "b1",
            "b2", "b3"), ControllerMessage.AlterPartitionAnswer.class);
        assertThat(answer.state()).as("the ISR asked for is the ISR it has").isEqualTo(cluster.partition(
            "orders-0"));
        assertThat(answer.state().partitionEpoch()).isZero();
        assertThat(cluster.controller.raft().storage().lastIndex()).as("nothing to write").isEqualTo(entries);
    }
}

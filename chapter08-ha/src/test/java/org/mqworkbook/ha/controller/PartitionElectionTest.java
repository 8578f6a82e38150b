package org.mqworkbook.ha.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mqworkbook.ha.quorum.RaftStorage;
import org.mqworkbook.testkit.Exercise;

/**
 * Exercise 8.6, the controller's elections: a broker whose session lapses is fenced, leaves the ISRs it was in,
 * and its partitions get the first in-sync replica as leader, in a new leader epoch. README section "8.6 The
 * controller on the quorum (Broker 集群设计)".
 */
@Exercise("8.6")
@Tag("8.6")
@Timeout(10)
class PartitionElectionTest {
    private static final List<String> B1_B3_B2 = List.of("b1", "b3", "b2");
    private static final List<String> B3_B1_B2 = List.of("b3", "b1", "b2");

    private static ControllerFixture threeBrokers(boolean unclean) {
        ControllerFixture cluster = new ControllerFixture(unclean);
        cluster.join("b1");
        cluster.join("b2");
        cluster.join("b3");
        cluster.controller.createPartition("orders-0", B1_B3_B2);
        cluster.controller.createPartition("orders-1", B3_B1_B2);
        return cluster;
    }

    @Test
    void aBrokerWhoseSessionLapsesIsFencedAndItsPartitionsGetTheFirstInSyncReplicaInReplicaOrder() {
        ControllerFixture cluster = threeBrokers(false);
        assertThat(cluster.partition("orders-0")).as("created: led by its first replica, every replica in sync")
            .isEqualTo(new PartitionState("orders-0", B1_B3_B2, "b1", B1_B3_B2, 0, 0));

        cluster.lapseAllBut("b2", "b3");

        assertThat(cluster.metadata().broker("b1").fenced()).as("b1 sent no heartbeat for a session timeout")
            .isTrue();
        assertThat(cluster.partition("orders-0")).as("b1 led orders-0: the new leader is the first replica, in the "
            + "order of the replica list [b1, b3, b2], that is in the ISR and active, so b3 (not b2); the leader "
            + "epoch and the partition epoch each go up by one").isEqualTo(new PartitionState("orders-0", B1_B3_B2,
            "b3", List.of("b3", "b2"), 1, 1));
        assertThat(cluster.partition("orders-1")).as("b1 only followed in orders-1: it leaves the ISR, b3 still "
            + "leads, in the same leader epoch; the partition epoch goes up").isEqualTo(new PartitionState(
            "orders-1", B3_B1_B2, "b3", List.of("b3", "b2"), 0, 1));
    }

    @Test
    void theLastInSyncReplicaStaysInTheIsrAndThePartitionWaitsForIt() {
        ControllerFixture cluster = threeBrokers(false);
        cluster.ask("b1", cluster.alterFromLeader("orders-0", "b1"), ControllerMessage.AlterPartitionAnswer.class);
        assertThat(cluster.partition("orders-0").isr()).containsExactly("b1");

        cluster.lapseAllBut("b2", "b3");

        assertThat(cluster.partition("orders-0")).as("b1 was the only in-sync replica: b2 and b3 may lack records it "
            + "acknowledged, so no one leads; b1 stays in the ISR, the one replica known to have everything, and "
            + "the leader epoch still goes up (the leader changed, to none)").isEqualTo(new PartitionState(
            "orders-0", B1_B3_B2, null, List.of("b1"), 1, 2));

        cluster.heartbeat("b1");

        assertThat(cluster.metadata().broker("b1").fenced()).as("b1 heartbeats again").isFalse();
        assertThat(cluster.partition("orders-0")).as("b1 is back and in the ISR: it leads again, in a new epoch")
            .isEqualTo(new PartitionState("orders-0", B1_B3_B2, "b1", List.of("b1"), 2, 3));
    }

    @Test
    void withUncleanElectionAReplicaOutsideTheIsrLeadsAndBecomesTheWholeIsr() {
        ControllerFixture cluster = threeBrokers(true);
        cluster.ask("b1", cluster.alterFromLeader("orders-0", "b1"), ControllerMessage.AlterPartitionAnswer.class);

        cluster.lapseAllBut("b2", "b3");

        assertThat(cluster.partition("orders-0")).as("unclean.leader.election.enable: no in-sync replica is active, "
            + "so the first active replica, b3, leads and is the whole ISR. What b1 alone had acknowledged is lost")
            .isEqualTo(new PartitionState("orders-0", B1_B3_B2, "b3", List.of("b3"), 1, 2));
    }

    @Test
    void aRestartedBrokerIsANewIncarnationAndItsOldOneIsFencedFirst() {
        ControllerFixture cluster = threeBrokers(false);
        long before = cluster.metadata().broker("b1").brokerEpoch();

        cluster.controller.receive("b1", new ControllerMessage.Register()); // b1 restarted
        long after = cluster.last("b1", ControllerMessage.Registered.class).brokerEpoch();

        assertThat(after).as("a new incarnation, a larger broker epoch").isGreaterThan(before);
        assertThat(cluster.controller.raft().storage().entry(after).command()).as("the broker epoch is the index "
            + "of the entry that registers it").isEqualTo("register-broker b1 epoch=" + after);
        assertThat(cluster.partition("orders-0")).as("the old incarnation of b1 led orders-0; the new one may have "
            + "lost what the old had not forced to disk, so it is fenced like a lapsed session: b3 leads")
            .isEqualTo(new PartitionState("orders-0", B1_B3_B2, "b3", List.of("b3", "b2"), 1, 1));
        assertThat(cluster.metadata().broker("b1")).as("the new incarnation is fenced until it heartbeats")
            .isEqualTo(new BrokerRegistration("b1", after, true));

        ControllerMessage.Refused stale = cluster.ask("b1", new ControllerMessage.Heartbeat(before),
            ControllerMessage.Refused.class);
        assertThat(stale.error()).as("a heartbeat from the old incarnation: " + stale.reason()).isEqualTo(
            ControllerMessage.Error.STALE_BROKER_EPOCH);
        ControllerMessage.HeartbeatAnswer answer = cluster.ask("b1", new ControllerMessage.Heartbeat(after),
            ControllerMessage.HeartbeatAnswer.class);

        assertThat(answer.fenced()).as("the new incarnation's first heartbeat unfences it, and the answer says so "
            + "once the unfence is committed (at once, in a quorum of one)").isFalse();
        assertThat(cluster.metadata().broker("b1").fenced()).isFalse();
        assertThat(cluster.partition("orders-0")).as("unfencing b1 does not put it back in the ISR: it must catch "
            + "up first, and its leader adds it with AlterPartition").isEqualTo(new PartitionState("orders-0",
            B1_B3_B2, "b3", List.of("b3", "b2"), 1, 1));
    }

    @Test
    void aFencingIsOneEntryOfTheMetadataLog() {
        ControllerFixture cluster = threeBrokers(false);
        long before = cluster.controller.raft().storage().lastIndex();

        cluster.lapseAllBut("b2", "b3");

        RaftStorage log = cluster.controller.raft().storage();
        assertThat(log.lastIndex()).as("one decision, one entry: the fence and both partition changes are committed "
            + "and applied together, so no controller ever sees b1 fenced and still leading").isEqualTo(before + 1);
        assertThat(MetadataRecord.decodeAll(log.entry(log.lastIndex()).command())).as("the records of the entry")
            .hasSize(3).first().isEqualTo(new MetadataRecord.FenceBroker("b1", cluster.metadata().broker("b1")
            .brokerEpoch()));
    }
}

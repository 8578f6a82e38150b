package org.mqworkbook.ha.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mqworkbook.testkit.Exercise;

/**
 * Exercise 8.5, the leader's commit rule: on a majority, and of the leader's own term (Raft's figure 8).
 * README section "8.5 A Raft quorum for the metadata (Broker 集群设计)".
 */
@Exercise("8.5")
@Tag("8.5")
@Timeout(10)
class RaftCommitTest {
    private static final Set<String> FIVE = Set.of("c1", "c2", "c3", "c4", "c5");

    @Test
    void anEntryIsCommittedWhenAMajorityHasIt() {
        RaftFixture leader = new RaftFixture("c1", FIVE);
        leader.elect("c2", "c3");
        long index = leader.node.propose("register b1");
        assertThat(index).as("after the no-op at 1").isEqualTo(2);
        leader.node.receive("c2", new RaftMessage.AppendAnswer(1, true, 2));
        assertThat(leader.node.commitIndex()).as("c1 and c2 are two of five: not a majority").isZero();
        assertThat(leader.applied).as("nothing is applied before it is committed").isEmpty();
        leader.node.receive("c4", new RaftMessage.AppendAnswer(1, true, 2));
        assertThat(leader.node.commitIndex()).as("c1, c2 and c4 are three of five").isEqualTo(2);
        assertThat(leader.applied).as("what the leader applied, as index:entry").containsExactly(
            "1:" + LogEntry.NO_OP + "@t1", "2:register b1@t1");
        leader.sent.clear();
        leader.clock.advance(RaftNode.HEARTBEAT);
        leader.node.tick();
        assertThat(leader.sentTo("c3", RaftMessage.Append.class)).as("followers learn the commit index from the "
            + "next append, here the heartbeat").extracting(RaftMessage.Append::leaderCommit).containsExactly(2L);
    }

    @Test
    void anEntryOfAnEarlierTermIsNotCommittedByCountingReplicas() {
        RaftFixture leader = new RaftFixture("c1", FIVE, RaftFixture.saved(3, "a@1", "b@2"));
        leader.elect("c2", "c3");
        assertThat(leader.log()).containsExactly("a@1", "b@2", LogEntry.NO_OP + "@4");
        leader.node.receive("c2", new RaftMessage.AppendAnswer(4, true, 2));
        leader.node.receive("c3", new RaftMessage.AppendAnswer(4, true, 2));
        assertThat(leader.node.commitIndex()).as("b@2 is on three of five, but it is of term 2: a leader elected "
            + "later with a log ending in term 3 could still overwrite it (Raft's figure 8). Only an entry of the "
            + "leader's own term, here the no-op at 3, commits by counting").isZero();
        leader.node.receive("c2", new RaftMessage.AppendAnswer(4, true, 3));
        leader.node.receive("c3", new RaftMessage.AppendAnswer(4, true, 3));
        assertThat(leader.node.commitIndex()).as("the no-op of term 4 is on a majority: it, and all before it, are "
            + "committed").isEqualTo(3);
        assertThat(leader.applied).as("what the leader applied, as index:entry").containsExactly("1:a@t1",
            "2:b@t2", "3:" + LogEntry.NO_OP + "@t4");
    }

    @Test
    void aLeaderThatHearsOfALaterTermStepsDownAndCommitsNothingMore() {
        RaftFixture leader = new RaftFixture("c1", FIVE);
        leader.elect("c2", "c3");
        leader.node.propose("register b1");
        leader.node.receive("c2", new RaftMessage.AppendAnswer(2, false, 0));
        assertThat(leader.node.role()).isEqualTo(RaftNode.Role.FOLLOWER);
        assertThat(leader.node.term()).isEqualTo(2);
        leader.node.receive("c3", new RaftMessage.AppendAnswer(1, true, 2));
        leader.node.receive("c4", new RaftMessage.AppendAnswer(1, true, 2));
        assertThat(leader.node.commitIndex()).as("answers to the deposed leader's appends count for nothing")
            .isZero();
    }
}

package org.mqworkbook.ha.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mqworkbook.testkit.Exercise;

/**
 * Exercise 8.5, {@code RequestVote}: one vote per term, only for a candidate whose log is at least as up to date.
 * README section "8.5 A Raft quorum for the metadata (Broker 集群设计)".
 */
@Exercise("8.5")
@Tag("8.5")
@Timeout(10)
class RaftVoteTest {
    private static final Set<String> VOTERS = Set.of("c1", "c2", "c3");

    @Test
    void aVoterGrantsOneVotePerTermAndRepeatsItForALostAnswer() {
        RaftFixture voter = new RaftFixture("c1", VOTERS);
        voter.node.receive("c2", new RaftMessage.VoteRequest(1, 0, 0));
        assertThat(voter.last(RaftMessage.VoteAnswer.class)).as("the first candidate of term 1 gets c1's vote")
            .isEqualTo(new RaftMessage.VoteAnswer(1, true));
        assertThat(voter.storage.votedFor()).as("the vote is saved before the answer goes").isEqualTo("c2");

        voter.node.receive("c3", new RaftMessage.VoteRequest(1, 0, 0));
        assertThat(voter.last(RaftMessage.VoteAnswer.class)).as("a second candidate in the same term is refused: "
            + "two votes in one term could elect two leaders").isEqualTo(new RaftMessage.VoteAnswer(1, false));

        voter.node.receive("c2", new RaftMessage.VoteRequest(1, 0, 0));
        assertThat(voter.last(RaftMessage.VoteAnswer.class)).as("the same candidate asking again (its answer was "
            + "lost) gets the same vote").isEqualTo(new RaftMessage.VoteAnswer(1, true));

        voter.node.receive("c3", new RaftMessage.VoteRequest(2, 0, 0));
        assertThat(voter.last(RaftMessage.VoteAnswer.class)).as("a new term, a new vote")
            .isEqualTo(new RaftMessage.VoteAnswer(2, true));
    }

    @Test
    void aCandidateFromAnEarlierTermIsRefusedAndLearnsTheTerm() {
        RaftFixture voter = new RaftFixture("c1", VOTERS, RaftFixture.saved(5));
        voter.node.receive("c2", new RaftMessage.VoteRequest(4, 0, 0));
        assertThat(voter.last(RaftMessage.VoteAnswer.class)).as("a request from term 4 reaches a voter in term 5")
            .isEqualTo(new RaftMessage.VoteAnswer(5, false));
        assertThat(voter.storage.votedFor()).isNull();
    }

    @Test
    void aCandidateWhoseLogIsBehindIsRefused() {
        RaftFixture voter = new RaftFixture("c1", VOTERS, RaftFixture.saved(3, "a@1", "b@2", "c@2"));
        voter.node.receive("c2", new RaftMessage.VoteRequest(4, 5, 1));
        assertThat(voter.last(RaftMessage.VoteAnswer.class)).as("a longer log that ends in an older term (1 < 2) "
            + "is behind: its leader would lack c1's entries of term 2").isEqualTo(new RaftMessage.VoteAnswer(4,
            false));
        voter.node.receive("c3", new RaftMessage.VoteRequest(4, 2, 2));
        assertThat(voter.last(RaftMessage.VoteAnswer.class)).as("the same last term with a shorter log (2 < 3) is "
            + "behind").isEqualTo(new RaftMessage.VoteAnswer(4, false));
        assertThat(voter.storage.votedFor()).as("a refusal is no vote: c1 may still vote in term 4").isNull();

        voter.node.receive("c3", new RaftMessage.VoteRequest(4, 3, 2));
        assertThat(voter.last(RaftMessage.VoteAnswer.class)).as("the same last term and index is up to date")
            .isEqualTo(new RaftMessage.VoteAnswer(4, true));
        voter.node.receive("c2", new RaftMessage.VoteRequest(5, 1, 3));
        assertThat(voter.last(RaftMessage.VoteAnswer.class)).as("a shorter log that ends in a later term (3 > 2) is "
            + "ahead: the leader of term 3 had every committed entry").isEqualTo(new RaftMessage.VoteAnswer(5,
            true));
    }

    @Test
    void grantingAVoteHoldsBackTheVotersOwnElection() {
        RaftFixture voter = new RaftFixture("c1", VOTERS);
        voter.node.receive("c2", new RaftMessage.VoteRequest(1, 0, 0));
        voter.clock.advance(RaftNode.ELECTION_TIMEOUT_MAX.minus(Duration.ofMillis(1)));
        voter.node.receive("c2", new RaftMessage.VoteRequest(1, 0, 0)); // the candidate asks again: a lost answer
        voter.sent.clear();
        voter.clock.advance(Duration.ofMillis(2));
        voter.node.tick();
        assertThat(voter.node.role()).as("c1 granted c2 a vote %s ago, less than the shortest election timeout: it "
            + "waits for c2 rather than compete with it", Duration.ofMillis(2)).isEqualTo(RaftNode.Role.FOLLOWER);
        assertThat(voter.sent).isEmpty();
    }

    @Test
    void refusingAVoteDoesNotHoldBackTheVotersOwnElection() {
        RaftFixture voter = new RaftFixture("c1", VOTERS, RaftFixture.saved(3, "a@1", "b@2"));
        voter.clock.advance(RaftNode.ELECTION_TIMEOUT_MAX.minus(Duration.ofMillis(1)));
        voter.node.receive("c2", new RaftMessage.VoteRequest(3, 1, 1)); // behind: refused
        assertThat(voter.last(RaftMessage.VoteAnswer.class)).isEqualTo(new RaftMessage.VoteAnswer(3, false));
        voter.clock.advance(Duration.ofMillis(2));
        voter.node.tick();
        assertThat(voter.node.role()).as("c1 refused c2, whose log is behind, and has heard from no leader for "
            + "longer than its election timeout: it stands itself. Resetting the timeout on a refusal would let a "
            + "candidate that can never win keep the one that can from ever trying").isEqualTo(
            RaftNode.Role.CANDIDATE);
    }

    @Test
    void aCandidateWithTheVotesOfAMajorityLeadsAndAppendsANoOp() {
        RaftFixture candidate = new RaftFixture("c1", VOTERS, RaftFixture.saved(2, "a@1", "b@2"));
        candidate.timeOut();
        assertThat(candidate.node.role()).isEqualTo(RaftNode.Role.CANDIDATE);
        assertThat(candidate.sentTo("c2", RaftMessage.VoteRequest.class)).containsExactly(
            new RaftMessage.VoteRequest(3, 2, 2));
        candidate.node.receive("c3", new RaftMessage.VoteRequest(3, 2, 2));
        assertThat(candidate.last(RaftMessage.VoteAnswer.class)).as("a candidate has voted for itself")
            .isEqualTo(new RaftMessage.VoteAnswer(3, false));
        candidate.node.receive("c2", new RaftMessage.VoteAnswer(3, true));
        assertThat(candidate.node.role()).as("its own vote and c2's are two of three").isEqualTo(
            RaftNode.Role.LEADER);
        assertThat(candidate.log()).containsExactly("a@1", "b@2", LogEntry.NO_OP + "@3");
    }
}

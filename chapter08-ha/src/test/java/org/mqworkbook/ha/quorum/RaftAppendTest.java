package org.mqworkbook.ha.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mqworkbook.ha.quorum.RaftFixture.entry;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mqworkbook.testkit.Exercise;

/**
 * Exercise 8.5, {@code AppendEntries} on a follower: the consistency check, cutting only what conflicts, and the
 * commit index a follower may believe. README section "8.5 A Raft quorum for the metadata (Broker 集群设计)".
 */
@Exercise("8.5")
@Tag("8.5")
@Timeout(10)
class RaftAppendTest {
    private static final Set<String> VOTERS = Set.of("c1", "c2", "c3");

    @Test
    void anAppendThatDoesNotFollowThisLogIsRefusedWithWhereToGoBackTo() {
        RaftFixture follower = new RaftFixture("c2", VOTERS, RaftFixture.saved(3, "a@1", "b@1", "x@2"));
        follower.node.receive("c1", new RaftMessage.Append(3, 5, 3, List.of(entry("f", 3)), 0));
        assertThat(follower.last(RaftMessage.AppendAnswer.class)).as("c2's log ends at 3, below the entry 5 the "
            + "append follows: refuse, and say the last index it might share is 3")
            .isEqualTo(new RaftMessage.AppendAnswer(3, false, 3));
        follower.node.receive("c1", new RaftMessage.Append(3, 3, 3, List.of(entry("d", 3)), 0));
        assertThat(follower.last(RaftMessage.AppendAnswer.class)).as("entry 3 is x@2, not of term 3: refuse, and "
            + "say 2, the index before the one that did not match").isEqualTo(new RaftMessage.AppendAnswer(3, false,
            2));
        assertThat(follower.log()).as("a refused append changes nothing").containsExactly("a@1", "b@1", "x@2");
    }

    @Test
    void theConflictingSuffixIsReplacedByTheLeaders() {
        RaftFixture follower = new RaftFixture("c2", VOTERS, RaftFixture.saved(3, "a@1", "b@1", "x@2", "y@2"));
        follower.node.receive("c1", new RaftMessage.Append(3, 2, 1, List.of(entry("c", 3), entry("d", 3)), 0));
        assertThat(follower.log()).as("x@2 and y@2 were never committed: the leader of term 3 lacks them")
            .containsExactly("a@1", "b@1", "c@3", "d@3");
        assertThat(follower.last(RaftMessage.AppendAnswer.class)).isEqualTo(new RaftMessage.AppendAnswer(3, true,
            4));
    }

    @Test
    void aLateAppendCutsNothingThatFollowsWhatItCarries() {
        RaftFixture follower = new RaftFixture("c2", VOTERS, RaftFixture.saved(3));
        follower.node.receive("c1", new RaftMessage.Append(3, 0, 0, List.of(entry("a", 3)), 0));
        follower.node.receive("c1", new RaftMessage.Append(3, 1, 3, List.of(entry("b", 3), entry("c", 3)), 0));
        follower.node.receive("c1", new RaftMessage.Append(3, 0, 0, List.of(entry("a", 3)), 0)); // late, repeated
        assertThat(follower.log()).as("the late append's entry matches entry 1; b and c, which c2 has acknowledged "
            + "and the leader may have counted as committed, stay").containsExactly("a@3", "b@3", "c@3");
        assertThat(follower.last(RaftMessage.AppendAnswer.class)).as("the answer speaks for what the append carried")
            .isEqualTo(new RaftMessage.AppendAnswer(3, true, 1));
    }

    @Test
    void theFollowerCommitsOnlyWhatItKnowsMatchesTheLeader() {
        RaftFixture follower = new RaftFixture("c2", VOTERS, RaftFixture.saved(3, "a@1", "b@1", "x@2"));
        follower.node.receive("c1", new RaftMessage.Append(3, 1, 1, List.of(), 3));
        assertThat(follower.node.commitIndex()).as("the leader has committed 3, but this heartbeat only shows that "
            + "c2 matches it up to 1; c2's entry 3, x@2, may not be the leader's").isEqualTo(1);
        assertThat(follower.applied).as("what c2 applied, as index:entry").containsExactly("1:a@t1");

        follower.node.receive("c1", new RaftMessage.Append(3, 1, 1, List.of(entry("b", 1), entry("c", 3)), 3));
        assertThat(follower.log()).containsExactly("a@1", "b@1", "c@3");
        assertThat(follower.node.commitIndex()).isEqualTo(3);
        assertThat(follower.applied).as("applied once each, in order, as index:entry").containsExactly("1:a@t1",
            "2:b@t1", "3:c@t3");

        follower.node.receive("c1", new RaftMessage.Append(3, 0, 0, List.of(), 1)); // a late heartbeat
        assertThat(follower.node.commitIndex()).as("the commit index never moves back").isEqualTo(3);
    }

    @Test
    void anAppendFromADeposedLeaderIsRefusedAndTheNewLeadersIsTaken() {
        RaftFixture follower = new RaftFixture("c2", VOTERS, RaftFixture.saved(4, "a@1"));
        follower.node.receive("c1", new RaftMessage.Append(3, 1, 1, List.of(entry("b", 3)), 1));
        assertThat(follower.last(RaftMessage.AppendAnswer.class)).as("c1 led term 3; c2 is in term 4")
            .isEqualTo(new RaftMessage.AppendAnswer(4, false, 1));
        assertThat(follower.log()).containsExactly("a@1");
        follower.node.receive("c3", new RaftMessage.Append(4, 1, 1, List.of(entry("b", 4)), 2));
        assertThat(follower.log()).as("c3 leads term 4").containsExactly("a@1", "b@4");
        assertThat(follower.node.leader()).isEqualTo("c3");
        assertThat(follower.applied).as("what c2 applied, as index:entry: c3's commit index 2 covers b@4")
            .containsExactly("1:a@t1", "2:b@t4");
    }
}

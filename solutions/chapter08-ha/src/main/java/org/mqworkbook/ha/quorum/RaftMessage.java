package org.mqworkbook.ha.quorum;

import java.util.List;

/**
 * What Raft nodes say to each other: the two requests of the Raft paper, {@code RequestVote} and
 * {@code AppendEntries}, and their answers. KRaft's controllers send the same four as {@code Vote} and
 * {@code Fetch} (a KRaft follower pulls, as chapter 8's replicas do; we keep the paper's push, which is shorter
 * to reason about). Every message carries its sender's term: a node that sees a larger term than its own has
 * missed an election and steps down to follower in that term, before anything else.
 */
public sealed interface RaftMessage {
    /** The sender's current term. */
    long term();

    /**
     * A candidate asks for a vote in {@code term}. Its log ends at {@code lastLogIndex}, an entry of
     * {@code lastLogTerm} (0 and 0 for an empty log): a voter refuses a candidate whose log is behind its own.
     */
    record VoteRequest(long term, long lastLogIndex, long lastLogTerm) implements RaftMessage {
    }

    /** A voter's answer: {@code granted} is whether it voted for the candidate in {@code term}. */
    record VoteAnswer(long term, boolean granted) implements RaftMessage {
    }

    /**
     * The leader of {@code term} sends {@code entries}, which follow the entry at {@code prevLogIndex} whose term
     * is {@code prevLogTerm}, and says that everything up to {@code leaderCommit} is committed. With no entries
     * it is a heartbeat: it keeps followers from starting an election.
     */
    record Append(long term, long prevLogIndex, long prevLogTerm, List<LogEntry> entries, long leaderCommit)
        implements RaftMessage {
        /** Copies the list: a message is a value. */
        public Append {
            entries = List.copyOf(entries);
        }
    }

    /**
     * A follower's answer to an {@link Append}. When {@code success}, its log matches the leader's up to
     * {@code matchIndex}. When not, its log did not hold the entry the append follows, and {@code matchIndex}
     * is the last index it might still share with the leader (its own last index if it is shorter, else the one
     * before the entry that did not match): the leader goes back to there at once, not one entry per round trip.
     */
    record AppendAnswer(long term, boolean success, long matchIndex) implements RaftMessage {
    }
}

package org.mqworkbook.ha.quorum;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mqworkbook.marker.ExerciseNotDone;

/**
 * One node of a Raft quorum (exercise 8.5, the book's Broker 集群设计): the controllers that keep a cluster's
 * metadata — which brokers are alive, who leads each partition, in which epoch, with which in-sync replicas — as
 * one replicated log, KRaft's idea. Whatever a majority has is committed, and it is applied, in log order, to
 * each node's state machine ({@link StateMachine}), so every node that applies entry 17 applies the same one.
 * As long as a majority of the voters can talk, the quorum elects a leader and goes on; a minority cannot.
 *
 * <pre>
 *  follower ── no Append for its election timeout ──► candidate: term + 1, votes for itself, VoteRequest to all
 *  candidate ── votes from a majority ──► leader: appends a no-op, sends Append to every follower
 *  anyone ── a message with a larger term ──► follower in that term (it missed an election)
 *
 *  leader (term 4): log [a@1 b@1 c@4]        follower: log [a@1 x@2]
 *  Append(prev 2, term 1, [c@4]) ─────────►  entry 2 is x@2, not term 1: refuse, "my last index is 2"
 *  Append(prev 1, term 1, [b@1 c@4]) ─────►  entry 1 matches: x@2 conflicts with b@1, cut it, append b, c
 *                                 ◄────────  AppendAnswer(success, match 3)
 *  entry 3 is on a majority and of term 4: committed. Both apply a, b, c.
 * </pre>
 *
 * <p>The exercise is the three rules the safety of Raft rests on ({@code RequestVote}, {@code AppendEntries},
 * and when a leader may call an entry committed); the timers, the counting of votes and the leader's
 * bookkeeping of each follower are given. The election timeout is drawn anew from the simulation's seeded
 * {@link Random} each time it is reset, between {@link #ELECTION_TIMEOUT_MIN} and {@link #ELECTION_TIMEOUT_MAX}:
 * that spread is what keeps two candidates from splitting the vote forever (Raft's section 5.2; KRaft's
 * {@code controller.quorum.election.timeout.ms} is 1 s, with up to 1 s of jitter).
 *
 * <p>Like {@code Replica}, it has no thread, socket or timer of its own: whoever runs it hands it messages
 * ({@link #receive}) and time ({@link #tick}), and delivers what it sends through its {@link Outbox}.
 *
 * <p>Thread-safety: not thread safe. One thread drives a node, and neither its outbox nor its state machine may
 * call back into it.
 */
public final class RaftNode {
    /** How often a leader sends every follower an {@link RaftMessage.Append}, entries or not. */
    public static final Duration HEARTBEAT = Duration.ofMillis(50);
    /** The shortest election timeout: several heartbeats, so that one lost heartbeat starts no election. */
    public static final Duration ELECTION_TIMEOUT_MIN = Duration.ofMillis(150);
    /** The longest election timeout. */
    public static final Duration ELECTION_TIMEOUT_MAX = Duration.ofMillis(300);
    /** At most this many entries per {@link RaftMessage.Append}, so a far-behind follower is caught up in steps. */
    public static final int MAX_ENTRIES_PER_APPEND = 64;

    /** Where a node's messages go: the network, or a test's list. */
    public interface Outbox {
        /** Sends {@code message} to node {@code to}, or loses it: the network decides. */
        void send(String to, RaftMessage message);
    }

    /** What committed entries are applied to: the cluster's metadata, in 8.6. */
    public interface StateMachine {
        /** Applies the entry at {@code index}; called once per index, in order, from 1, only once committed. */
        void apply(long index, LogEntry entry);
    }

    /** What a node is now. */
    public enum Role {
        /** Answers the leader; starts an election if it hears nothing for its election timeout. */
        FOLLOWER,
        /** Asks for votes in a term of its own. */
        CANDIDATE,
        /** Appends, replicates, commits. At most one per term. */
        LEADER
    }

    /** A proposal refused because this node does not lead: try {@link #leader()}, if known. */
    public static final class NotLeaderException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        NotLeaderException(String message) {
            super(message);
        }
    }

    private final String id;
    private final Set<String> others;
    private final RaftStorage storage;
    private final Clock clock;
    private final Random random;
    private final Outbox outbox;
    private final StateMachine stateMachine;

    private Role role = Role.FOLLOWER;
    /** The leader of the current term, once heard from; null before. */
    private String leader;
    /** The highest index known to be on a majority; never moves back. Not saved: a restart learns it again. */
    private long commitIndex;
    /** The highest index given to the state machine. */
    private long lastApplied;
    private long electionDeadlineMillis;
    private long nextHeartbeatMillis;
    /** Candidate: who has voted for it in this term, itself included. */
    private final Set<String> votes = new TreeSet<>();
    /** Leader: each follower → the index of the next entry to send it. */
    private final Map<String, Long> nextIndex = new TreeMap<>();
    /** Leader: each follower → the highest index known to match the leader's log. */
    private final Map<String, Long> matchIndex = new TreeMap<>();

    /**
     * A node {@code id} of the quorum {@code voters}, over {@code storage} (empty for a new node, the saved one
     * for a restarted node), starting as a follower that has not heard from a leader.
     */
    public RaftNode(String id, Set<String> voters, RaftStorage storage, Clock clock, Random random, Outbox outbox,
                    StateMachine stateMachine) {
        this.id = Objects.requireNonNull(id, "id");
        if (!voters.contains(id)) {
            throw new IllegalArgumentException(id + " is not one of the voters " + voters);
        }
        this.others = new TreeSet<>(voters);
        this.others.remove(id);
        this.storage = Objects.requireNonNull(storage, "storage");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        this.outbox = Objects.requireNonNull(outbox, "outbox");
        this.stateMachine = Objects.requireNonNull(stateMachine, "stateMachine");
        resetElectionTimeout();
    }

    /** This node's id. */
    public String id() {
        return id;
    }

    /** Follower, candidate or leader. */
    public Role role() {
        return role;
    }

    /** The current term. */
    public long term() {
        return storage.currentTerm();
    }

    /** The leader of the current term as far as this node knows, or null. */
    public String leader() {
        return leader;
    }

    /** The highest index this node knows to be committed. */
    public long commitIndex() {
        return commitIndex;
    }

    /** The highest index applied to the state machine. */
    public long lastApplied() {
        return lastApplied;
    }

    /** The log and term, read-only for callers by convention: tests and the trace read it. */
    public RaftStorage storage() {
        return storage;
    }

    /**
     * Leader: appends {@code command} in the current term and returns its index. It is committed (and applied)
     * once a majority has it; until then a new leader may drop it. Refused with {@link NotLeaderException}
     * elsewhere, naming the leader if known.
     */
    public long propose(String command) {
        if (role != Role.LEADER) {
            throw new NotLeaderException(id + " does not lead term " + term() + (leader == null
                ? "; no leader is known" : "; " + leader + " does"));
        }
        storage.append(new LogEntry(term(), command));
        long index = storage.lastIndex();
        advanceCommitIndex(); // a quorum of one commits at once
        others.forEach(this::sendAppend);
        return index;
    }

    /** Acts on time passing: a follower or candidate whose timeout passed starts an election; a leader beats. */
    public void tick() {
        long now = clock.millis();
        if (role == Role.LEADER) {
            if (now >= nextHeartbeatMillis) {
                others.forEach(this::sendAppend);
                nextHeartbeatMillis = now + HEARTBEAT.toMillis();
            }
        } else if (now >= electionDeadlineMillis) {
            startElection();
        }
    }

    /** Handles {@code message} from node {@code from}. */
    public void receive(String from, RaftMessage message) {
        if (!others.contains(from)) {
            return; // not a voter of this quorum: a misrouted or forged message
        }
        if (message.term() > term()) {
            stepDown(message.term()); // it missed an election: follow, in the larger term
        }
        if (message instanceof RaftMessage.VoteRequest request) {
            onVoteRequest(from, request);
        } else if (message instanceof RaftMessage.VoteAnswer answer) {
            onVoteAnswer(from, answer);
        } else if (message instanceof RaftMessage.AppendAnswer answer) {
            onAppendAnswer(from, answer);
        } else if (message instanceof RaftMessage.Append append) {
            if (append.term() < term()) {
                // a deposed leader: tell it the term it missed, and it steps down
                outbox.send(from, new RaftMessage.AppendAnswer(term(), false, storage.lastIndex()));
                return;
            }
            if (role != Role.FOLLOWER || !from.equals(leader)) {
                role = Role.FOLLOWER; // a candidate that hears from this term's leader lost the election
                leader = from;
            }
            resetElectionTimeout();
            onAppend(from, append);
        }
    }

    /**
     * A vote request from candidate {@code from}, whose term is at most this node's (a larger one has made this
     * node a follower in it already). Answer with a {@link RaftMessage.VoteAnswer} in this node's term.
     *
     * <p>Grant the vote only when all of these hold:
     * <ul>
     *   <li>the request is in this node's current term (a stale candidate gets a refusal, and learns the term);
     *   <li>this node has not voted in this term, or voted for {@code from} already (an answer may be lost, and
     *       the candidate ask again);
     *   <li>the candidate's log is at least as up to date as this node's: its last term is larger, or the same
     *       with a last index at least as large. This is what makes every elected leader hold every committed
     *       entry: committed means on a majority, and a candidate needs a majority's votes.
     * </ul>
     * A granted vote is saved ({@link RaftStorage#vote}) before the answer goes, and resets this node's election
     * timeout ({@link #resetElectionTimeout()}), so that it does not compete with the candidate it just voted for.
     */
    private void onVoteRequest(String from, RaftMessage.VoteRequest request) {
        // BEGIN EXERCISE 8.5
        throw new ExerciseNotDone("8.5");
        // END EXERCISE 8.5
    }

    /**
     * An append from {@code from}, the leader of this node's current term (the given code has made this node its
     * follower and reset its election timeout). Answer with a {@link RaftMessage.AppendAnswer} in this term.
     *
     * <ol>
     *   <li>Refuse if this log does not hold the leader's entry at {@code prevLogIndex}; the answer's match index
     *       tells the leader the last index this log might still share with its own, and the leader goes back
     *       to there and sends earlier entries. There are two ways to refuse:
     *       <ul>
     *         <li>this log is shorter: its last index is below {@code prevLogIndex}. Answer its last index;
     *         <li>its entry at {@code prevLogIndex} is of another term than {@code prevLogTerm}. Answer
     *             {@code prevLogIndex - 1}.
     *       </ul>
     *       Index 0 is before the first entry, and matches every log: {@link RaftStorage#termAt} gives 0 for it.
     *   <li>Otherwise, for each entry sent, at index {@code prevLogIndex + 1 + i}: if this log has an entry there
     *       of another term, it conflicts — truncate from there, and append the rest. An entry of the same term at
     *       the same index is the same entry (Raft's log matching property): keep it, and keep what follows it.
     *       A late or repeated append carries a prefix of what this log already holds, and must not cut the
     *       entries that came after it, which this node may already have acknowledged.
     *   <li>Let {@code last = prevLogIndex + entries.size()}, the last index the append covered ({@code
     *       prevLogIndex} itself for a heartbeat). Move the commit index up to {@code min(leaderCommit, last)},
     *       never down: past {@code last} this log may still hold entries the leader does not have. Apply what
     *       became committed ({@link #applyCommitted()}), and answer success with {@code last} as the match
     *       index.
     * </ol>
     */
    private void onAppend(String from, RaftMessage.Append append) {
        // BEGIN EXERCISE 8.5
        throw new ExerciseNotDone("8.5");
        // END EXERCISE 8.5
    }

    /**
     * Leader: moves the commit index to the largest index {@code n} above it that is on a majority of the voters
     * (this node has its whole log; a follower has up to its {@code matchIndex}) <em>and</em> whose entry is of
     * the current term; then applies what became committed ({@link #applyCommitted()}).
     *
     * <p>The second condition is Raft's figure 8: an entry of an earlier term on a majority may still be
     * overwritten, by a leader elected with a later last term, so a leader never counts replicas for an old
     * entry. It commits it only by committing an entry of its own term after it — which is why a new leader
     * appends a no-op at once.
     */
    private void advanceCommitIndex() {
        // BEGIN EXERCISE 8.5
        throw new ExerciseNotDone("8.5");
        // END EXERCISE 8.5
    }

    /** Gives the state machine every entry above {@link #lastApplied()} up to the commit index, in order. */
    private void applyCommitted() {
        while (lastApplied < commitIndex) {
            lastApplied++;
            stateMachine.apply(lastApplied, storage.entry(lastApplied));
        }
    }

    private void onVoteAnswer(String from, RaftMessage.VoteAnswer answer) {
        if (role != Role.CANDIDATE || answer.term() != term() || !answer.granted()) {
            return; // late, from another term, or a refusal
        }
        votes.add(from);
        if (votes.size() >= (others.size() + 1) / 2 + 1) {
            becomeLeader();
        }
    }

    private void onAppendAnswer(String from, RaftMessage.AppendAnswer answer) {
        if (role != Role.LEADER || answer.term() != term()) {
            return;
        }
        if (answer.success()) {
            if (answer.matchIndex() > matchIndex.get(from)) {
                matchIndex.put(from, answer.matchIndex());
                nextIndex.put(from, answer.matchIndex() + 1);
                advanceCommitIndex();
            }
            if (nextIndex.get(from) <= storage.lastIndex()) {
                sendAppend(from); // more to send: do not wait for the heartbeat
            }
        } else {
            // the follower's log does not reach, or does not match at, what was sent: go back, at least one step
            long back = Math.max(1, Math.min(nextIndex.get(from) - 1, answer.matchIndex() + 1));
            nextIndex.put(from, Math.max(back, matchIndex.get(from) + 1));
            sendAppend(from);
        }
    }

    private void startElection() {
        storage.enterTerm(term() + 1);
        storage.vote(id);
        role = Role.CANDIDATE;
        leader = null;
        votes.clear();
        votes.add(id);
        resetElectionTimeout();
        if (others.isEmpty()) {
            becomeLeader();
            return;
        }
        RaftMessage.VoteRequest request =
            new RaftMessage.VoteRequest(term(), storage.lastIndex(), storage.termAt(storage.lastIndex()));
        others.forEach(other -> outbox.send(other, request));
    }

    private void becomeLeader() {
        role = Role.LEADER;
        leader = id;
        for (String other : others) {
            nextIndex.put(other, storage.lastIndex() + 1);
            matchIndex.put(other, 0L);
        }
        // Raft's section 8, and KRaft's leader too: an entry of its own term, so it can commit what came before
        storage.append(new LogEntry(term(), LogEntry.NO_OP));
        advanceCommitIndex();
        others.forEach(this::sendAppend);
        nextHeartbeatMillis = clock.millis() + HEARTBEAT.toMillis();
    }

    private void stepDown(long newTerm) {
        storage.enterTerm(newTerm);
        role = Role.FOLLOWER;
        leader = null;
        votes.clear();
        resetElectionTimeout();
    }

    private void sendAppend(String to) {
        long next = nextIndex.get(to);
        long prev = next - 1;
        long last = Math.min(storage.lastIndex(), prev + MAX_ENTRIES_PER_APPEND);
        outbox.send(to, new RaftMessage.Append(term(), prev, storage.termAt(prev), storage.entries(next, last),
            commitIndex));
    }

    /** Draws a new election timeout from now, between the two bounds, from the seeded random. */
    private void resetElectionTimeout() {
        long spread = ELECTION_TIMEOUT_MAX.toMillis() - ELECTION_TIMEOUT_MIN.toMillis();
        electionDeadlineMillis = clock.millis() + ELECTION_TIMEOUT_MIN.toMillis() + random.nextLong(spread + 1);
    }

    @Override
    public String toString() {
        return id + " " + role + " term " + term() + (leader == null ? "" : " leader " + leader) + ", commit "
            + commitIndex + ", " + storage;
    }
}

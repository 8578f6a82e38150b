package org.mqworkbook.ha.quorum;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What a Raft node must not forget when it crashes: its current term, whom it voted for in that term, and its
 * log. Raft's safety rests on it: a node that forgot its vote could vote twice in one term, and one that forgot
 * an entry it acknowledged could let a leader commit what is on fewer than a majority. So a node saves here
 * before it answers, and a restarted node is built over the same storage.
 *
 * <p>This one keeps it in memory, and the simulation keeps the object across a node's crash: a crash loses
 * nothing saved, as if each save were forced to disk before the answer went out. A real controller writes it to
 * a log and a small state file with fsync (KRaft's {@code __cluster_metadata} log and {@code quorum-state}
 * file); chapter 6's log and checkpoint could hold it. Given code.
 *
 * <p>Thread-safety: not thread safe; used by the one thread that drives its node.
 */
public final class RaftStorage {
    private long currentTerm;
    private String votedFor;
    /** Entry i of the log is at position i - 1. */
    private final List<LogEntry> log = new ArrayList<>();

    /** The latest term this node has seen; 0 before any. */
    public long currentTerm() {
        return currentTerm;
    }

    /** Whom this node voted for in {@link #currentTerm()}, or null if nobody yet. */
    public String votedFor() {
        return votedFor;
    }

    /** Moves to a later {@code term}, in which this node has not voted yet. */
    public void enterTerm(long term) {
        if (term <= currentTerm) {
            throw new IllegalArgumentException("terms only grow: " + term + " is not after " + currentTerm);
        }
        currentTerm = term;
        votedFor = null;
    }

    /** Records this node's vote in the current term: once, and for one candidate. */
    public void vote(String candidate) {
        Objects.requireNonNull(candidate, "candidate");
        if (votedFor != null && !votedFor.equals(candidate)) {
            throw new IllegalStateException("already voted for " + votedFor + " in term " + currentTerm
                + ", cannot vote for " + candidate + " too");
        }
        votedFor = candidate;
    }

    /** The index of the last entry; 0 when the log is empty. */
    public long lastIndex() {
        return log.size();
    }

    /** The term of the entry at {@code index}; 0 for index 0, the empty log before the first entry. */
    public long termAt(long index) {
        return index == 0 ? 0 : entry(index).term();
    }

    /** The entry at {@code index}, 1 to {@link #lastIndex()}. */
    public LogEntry entry(long index) {
        if (index < 1 || index > log.size()) {
            throw new IndexOutOfBoundsException("the log holds entries 1 to " + log.size() + ", not " + index);
        }
        return log.get((int) (index - 1));
    }

    /** The entries from {@code from} to {@code to}, both inclusive. */
    public List<LogEntry> entries(long from, long to) {
        if (from > to) {
            return List.of();
        }
        entry(from);
        entry(to);
        return List.copyOf(log.subList((int) (from - 1), (int) to));
    }

    /** Appends {@code entry} at {@link #lastIndex()} + 1. */
    public void append(LogEntry entry) {
        Objects.requireNonNull(entry, "entry");
        if (entry.term() > currentTerm) {
            throw new IllegalArgumentException("entry " + entry + " is from a term after this node's " + currentTerm);
        }
        log.add(entry);
    }

    /** Removes the entry at {@code index} and every one after it: the part of the log that conflicts. */
    public void truncateFrom(long index) {
        if (index < 1 || index > log.size() + 1) {
            throw new IndexOutOfBoundsException("cannot truncate from " + index + " a log of " + log.size());
        }
        log.subList((int) (index - 1), log.size()).clear();
    }

    @Override
    public String toString() {
        // the tail only: a failed simulation prints every node, and a whole log of hundreds of entries is noise
        List<LogEntry> tail = log.subList(Math.max(0, log.size() - 3), log.size());
        return "term " + currentTerm + (votedFor == null ? "" : ", voted " + votedFor) + ", log of " + log.size()
            + (log.size() > tail.size() ? " ending [.., " : " [") + tail.stream().map(LogEntry::toString)
            .collect(Collectors.joining(", ")) + "]";
    }
}

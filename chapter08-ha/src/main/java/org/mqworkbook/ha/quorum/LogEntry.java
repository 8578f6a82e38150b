package org.mqworkbook.ha.quorum;

import java.util.Objects;

/**
 * One entry of a Raft log: the term of the leader that appended it, and the command it carries. The entry's
 * index is its place in the log, from 1 (Raft counts from 1, so that "index 0, term 0" can stand for the empty
 * log before the first entry). KRaft's metadata log holds records such as "register broker b2" or "partition
 * orders-0 now led by b3 in epoch 7"; ours holds the same facts as text, which the tests and the trace can read.
 * Immutable.
 *
 * @param term    the term in which a leader appended it
 * @param command what it asks the state machine to do; {@link #NO_OP} for the entry a new leader appends
 */
public record LogEntry(long term, String command) {
    /** The command of the entry a new leader appends at once, so that it can commit what earlier leaders left. */
    public static final String NO_OP = "(no-op)";

    /** Checks the fields. */
    public LogEntry {
        if (term < 1) {
            throw new IllegalArgumentException("an entry is appended in a term of at least 1, not " + term);
        }
        Objects.requireNonNull(command, "command");
    }

    @Override
    public String toString() {
        return command + "@t" + term;
    }
}

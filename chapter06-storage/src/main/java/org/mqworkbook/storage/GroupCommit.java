package org.mqworkbook.storage;

import java.io.IOException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.mqworkbook.marker.ExerciseNotDone;

/**
 * Group commit: producers that wait for durability share fsyncs (exercise 6.2, 刷盘机制).
 *
 * <p>An fsync costs about as much for one record as for a thousand: the disk must reach stable
 * storage either way. So when many producers each want "my record is on disk", one of them — the
 * <em>leader</em> — calls fsync for everything appended so far, while the others wait; when it returns,
 * every producer whose record was appended before the fsync started is done. Producers that arrive
 * during an fsync wait for the next one, which then covers all of them.
 *
 * <pre>
 *   producer A: append 7 ─ awaitDurable(7) ─ leader: fsync(covers ≤ 9) ───────────┐ done
 *   producer B: append 8 ─ awaitDurable(8) ─ waits ────────────────────────────────┤ done
 *   producer C: append 9 ─ awaitDurable(9) ─ waits ────────────────────────────────┘ done
 *   producer D:                    append 10 ─ awaitDurable(10) ─ waits ─ leader: next fsync ─ done
 * </pre>
 *
 * <p>Databases do this with their write-ahead log (PostgreSQL's {@code commit_delay}, MySQL's binlog
 * group commit); RocketMQ's {@code GroupCommitService} does it for SYNC_FLUSH.
 *
 * <p>Methods of this class are thread safe. One lock guards the three fields; the fsync itself runs
 * <em>without</em> the lock, so that producers can append and queue up while the disk works.
 */
public final class GroupCommit {
    /** Forces everything appended so far to disk. */
    @FunctionalInterface
    public interface Sync {
        void sync() throws IOException;
    }

    private final Sync sync;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when an fsync finishes (or fails), so that waiters re-check. */
    private final Condition synced = lock.newCondition();

    /** The highest offset appended. Guarded by {@link #lock}. */
    private long appended = -1;
    /** The highest offset known to be on disk. Guarded by {@link #lock}. */
    private long durable = -1;
    /** Whether a leader is in an fsync now. Guarded by {@link #lock}. */
    private boolean syncing;
    /** How many fsyncs this group commit made. Guarded by {@link #lock}. */
    private long syncs;

    public GroupCommit(Sync sync) {
        this.sync = sync;
    }

    /** Records that every offset up to {@code offset} has been written (not yet forced). */
    public void appended(long offset) {
        lock.lock();
        try {
            appended = Math.max(appended, offset);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records that the log was truncated to {@code nextOffset}: nothing at or above it is appended or durable
     * any more (a follower cutting its divergent tail, chapter 8).
     */
    public void truncated(long nextOffset) {
        lock.lock();
        try {
            appended = Math.min(appended, nextOffset - 1);
            durable = Math.min(durable, nextOffset - 1);
        } finally {
            lock.unlock();
        }
    }

    /** Records that every offset up to {@code offset} is on disk (a flush happened elsewhere). */
    public void flushed(long offset) {
        lock.lock();
        try {
            durable = Math.max(durable, offset);
            synced.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns once {@code offset} (already appended) is on disk, calling fsync itself if nobody else is.
     *
     * <p>Loop while {@link #durable} is below {@code offset}: if a leader is syncing, wait on
     * {@link #synced}; otherwise become the leader — note what is appended now (that is what this
     * fsync will cover), release the lock, call {@link Sync#sync()}, take the lock back, and whether
     * it worked or threw, clear {@link #syncing} and wake the waiters; if it worked, advance
     * {@link #durable} to what it covered and count it in {@link #syncs}. A failed fsync is thrown to the
     * leader; a waiter then becomes the next leader and tries again.
     */
    public void awaitDurable(long offset) throws IOException, InterruptedException {
        // BEGIN EXERCISE 6.2
        throw new ExerciseNotDone("6.2");
        // END EXERCISE 6.2
    }

    /** How many fsyncs waiting producers caused. */
    public long syncs() {
        lock.lock();
        try {
            return syncs;
        } finally {
            lock.unlock();
        }
    }

    /** The highest offset known to be on disk, or -1. */
    public long durableOffset() {
        lock.lock();
        try {
            return durable;
        } finally {
            lock.unlock();
        }
    }
}

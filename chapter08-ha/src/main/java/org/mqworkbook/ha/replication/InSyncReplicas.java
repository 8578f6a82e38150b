package org.mqworkbook.ha.replication;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mqworkbook.marker.ExerciseNotDone;

/**
 * The in-sync replica set of one partition, kept by its leader (exercise 8.3, the book's 主从复制): the
 * replicas that are caught up, whose log ends count toward the high watermark. Kafka's ISR, with its rule: a
 * follower stays in sync while it has caught up with the leader's log end within the last
 * {@code replica.lag.time.max.ms}; one that has not — dead, partitioned away, or alive but too slow — leaves
 * the set, so that it no longer holds the high watermark back; it comes back once it has caught up to the
 * high watermark again.
 *
 * <pre>
 *  t=0     ISR {L, F, G}    F and G fetch from the log end: caught up
 *  t=10s   G's broker dies; the high watermark stops at G's end, produces with acks=all wait
 *  t>40s   G has not caught up for more than replica.lag.time.max.ms (30 s): shrink → ISR {L, F}; the high
 *          watermark moves on to min(L, F), and the waiting produces are acknowledged
 *  t=90s   G restarts, fetches, reaches the high watermark: expand → ISR {L, F, G}
 * </pre>
 *
 * <p>Why "caught up within a time" rather than "fewer than N records behind" (Kafka's old
 * {@code replica.lag.max.messages}, removed in 0.9): a burst of produces would put every follower N records
 * behind for a moment and throw the whole ISR out; a time bound only removes followers that stay behind.
 *
 * <p>Thread-safety: not thread safe; its {@link Replica} calls it from the one thread that drives it.
 */
public final class InSyncReplicas {
    private final String leader;
    private final Duration maxLag;
    /** The in-sync followers (the leader is always in sync, and not in here). */
    private final Set<String> inSync = new TreeSet<>();
    /** Every follower → when it last had everything the leader had (its fetch offset reached the log end). */
    private final Map<String, Long> lastCaughtUpMillis = new TreeMap<>();

    /**
     * Every follower starts in sync and caught up now, as a new leader's followers do in Kafka (the controller
     * hands the new leader the ISR it had; here, all of them).
     *
     * @param maxLag Kafka's {@code replica.lag.time.max.ms}
     */
    public InSyncReplicas(String leader, Set<String> followers, Duration maxLag, long nowMillis) {
        this(leader, followers, followers, maxLag, nowMillis);
    }

    /**
     * Only the followers in {@code initiallyInSync} start in sync (and caught up now): the ISR the controller
     * hands a new leader (exercise 8.4). The others start out of sync, and join once they reach the high
     * watermark.
     *
     * @throws IllegalArgumentException if {@code initiallyInSync} names a replica that is neither a follower nor
     *     the leader
     */
    public InSyncReplicas(String leader, Set<String> followers, Set<String> initiallyInSync, Duration maxLag,
                          long nowMillis) {
        for (String member : initiallyInSync) {
            if (!member.equals(leader) && !followers.contains(member)) {
                throw new IllegalArgumentException(member + " cannot be in sync: it is not a replica of the partition "
                    + "(followers " + followers + ", leader " + leader + ")");
            }
        }
        if (maxLag.isNegative() || maxLag.isZero()) {
            throw new IllegalArgumentException("replica.lag.time.max.ms must be positive, not " + maxLag);
        }
        this.leader = leader;
        this.maxLag = maxLag;
        for (String follower : followers) {
            if (!follower.equals(leader)) {
                if (initiallyInSync.contains(follower)) {
                    inSync.add(follower);
                }
                lastCaughtUpMillis.put(follower, nowMillis);
            }
        }
    }

    /**
     * A fetch from {@code follower} at {@code fetchOffset} was accepted; the leader's log ends at
     * {@code leaderLogEnd} and its high watermark is {@code highWatermark}.
     *
     * <p>If the fetch offset has reached the leader's log end, the follower is caught up now: remember the
     * time. If the follower is out of sync and its fetch offset has reached the high watermark, it has
     * everything that is committed: it is in sync again (and caught up now). A fetch from a replica that is not
     * a follower changes nothing. (From exercise 8.4 on, the leader passes as {@code highWatermark} the larger
     * of its high watermark and the offset where its epoch began, which a new leader's lagging high watermark
     * may be below.)
     */
    public void fetched(String follower, long fetchOffset, long leaderLogEnd, long highWatermark, long nowMillis) {
        // BEGIN EXERCISE 8.3
        throw new ExerciseNotDone("8.3");
        // END EXERCISE 8.3
    }

    /**
     * Removes from the set every in-sync follower that has not caught up for longer than the maximum lag
     * ({@code now - lastCaughtUp > maxLag}) and returns them, sorted. The leader never leaves.
     */
    public Set<String> shrink(long nowMillis) {
        // BEGIN EXERCISE 8.3
        throw new ExerciseNotDone("8.3");
        // END EXERCISE 8.3
    }

    /**
     * Takes {@code follower} out of the set at once, whatever its lag: the controller says its broker lost its
     * session or restarted, so its log may have lost what it had (KRaft fences such a broker and shrinks every
     * ISR it was in). It joins again, as any follower does, once it has fetched up to the high watermark. Given
     * code.
     *
     * @return whether it was in sync
     */
    public boolean remove(String follower) {
        return inSync.remove(follower);
    }

    /** The in-sync replicas, the leader included, sorted. */
    public Set<String> members() {
        Set<String> members = new TreeSet<>(inSync);
        members.add(leader);
        return Collections.unmodifiableSet(members);
    }

    /** Whether {@code replica} is in sync (the leader always is). */
    public boolean contains(String replica) {
        return replica.equals(leader) || inSync.contains(replica);
    }

    /** Kafka's {@code replica.lag.time.max.ms}. */
    public Duration maxLag() {
        return maxLag;
    }

    @Override
    public String toString() {
        return "ISR" + members();
    }
}

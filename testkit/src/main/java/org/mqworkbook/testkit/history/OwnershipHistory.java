package org.mqworkbook.testkit.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A log of who held which resource, who worked on it, and the positions committed for it — and the
 * checker that judges that log: at no point did two owners hold one resource, nobody worked on a
 * resource it did not hold, and no committed position moved backwards. Methods of this class are thread
 * safe: each recording holds the history's lock, and the order in which recordings take it is the global
 * order that "at the same time" refers to.
 *
 * <p>A resource is whatever must have one owner at a time: a partition inside a consumer group (chapter
 * 7), the leadership of a partition in one epoch (chapter 8). An owner records
 *
 * <ul>
 *   <li>{@link #acquired} when it starts to hold the resource: when it has the answer that gives it the
 *       resource and may act on it, not when it asked;
 *   <li>{@link #released} when it stops for good: before it tells anyone it has let go (a rejoin, a
 *       leave), when it crashes, or when its own rule says its hold may have run out (a lease) —
 *       whichever comes first;
 *   <li>{@link #worked} each time it acts on the resource (processes a record of a partition), with the
 *       position it acted at;
 *   <li>{@link #committed} each time a position it committed for the resource was accepted.
 * </ul>
 *
 * <p>Recorded from the side that acts, these are a conservative view: an owner holds a resource from
 * the moment it may act until the moment it knows it may not. If those intervals never overlap, the
 * records were never processed by two owners at the same time, whatever the messages in between did.
 * Jepsen's checkers work the same way: record the operations, judge the history once it is over.
 *
 * <p>The checker runs as events arrive and keeps only the current holder of each resource, the last
 * committed position and the violations found (at most {@value #MAX_VIOLATIONS} are kept; the count is
 * exact), so a history of millions of events costs memory per resource, not per event.
 */
public final class OwnershipHistory {
    /** How many violations the history keeps word for word; the rest are only counted. */
    public static final int MAX_VIOLATIONS = 100;

    private final Object lock = new Object();
    /** Resource → who holds it now. Guarded by lock. */
    private final Map<String, Holder> holders = new HashMap<>();
    /** Resource → the last committed position. Guarded by lock. */
    private final Map<String, Long> commits = new HashMap<>();
    /** Guarded by lock. */
    private final List<String> violations = new ArrayList<>();
    /** Guarded by lock. */
    private final Set<String> owners = new HashSet<>();
    /** Guarded by lock. */
    private int violationCount;
    /** The sequence number of the next event. Guarded by lock. */
    private long events;
    /** Guarded by lock. */
    private long acquisitions;
    /** Guarded by lock. */
    private long work;

    private record Holder(String owner, long since, String why) {
    }

    /**
     * {@code owner} holds {@code resource} from now on.
     *
     * @param why what gave it the resource, shown in a violation ("generation 4")
     */
    public void acquired(String owner, String resource, String why) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(resource, "resource");
        synchronized (lock) {
            long event = events++;
            acquisitions++;
            owners.add(owner);
            Holder holder = holders.get(resource);
            if (holder != null && !holder.owner().equals(owner)) {
                violation("event " + event + ": " + owner + " acquired " + resource + " (" + why + ") while "
                    + holder.owner() + " still held it (since event " + holder.since() + ", " + holder.why() + ")");
            }
            holders.put(resource, new Holder(owner, event, why));
        }
    }

    /**
     * {@code owner} no longer holds {@code resource}; nothing happens if it did not hold it (releasing
     * twice, or after another owner took over, is not a violation: the overlap was reported when it began).
     */
    public void released(String owner, String resource) {
        synchronized (lock) {
            events++;
            Holder holder = holders.get(resource);
            if (holder != null && holder.owner().equals(owner)) {
                holders.remove(resource);
            }
        }
    }

    /** {@code owner} acted on {@code resource} at {@code position}: it must hold the resource now. */
    public void worked(String owner, String resource, long position) {
        synchronized (lock) {
            long event = events++;
            work++;
            Holder holder = holders.get(resource);
            if (holder == null || !holder.owner().equals(owner)) {
                violation("event " + event + ": " + owner + " worked on " + resource + " at " + position
                    + " without holding it" + (holder == null ? "" : " (" + holder.owner() + " held it)"));
            }
        }
    }

    /** A position committed for {@code resource} was accepted: it must not be below the last one. */
    public void committed(String resource, long position) {
        synchronized (lock) {
            long event = events++;
            Long before = commits.get(resource);
            if (before != null && position < before) {
                violation("event " + event + ": the committed position of " + resource + " moved backwards, from "
                    + before + " to " + position);
            }
            commits.put(resource, position);
        }
    }

    private void violation(String description) {
        violationCount++;
        if (violations.size() < MAX_VIOLATIONS) {
            violations.add(description);
        }
    }

    /** The violations found so far, in the order they happened (at most {@value #MAX_VIOLATIONS}). */
    public List<String> violations() {
        synchronized (lock) {
            return List.copyOf(violations);
        }
    }

    /** How many times any owner acquired any resource: a test checks that its schedule moved resources. */
    public long acquisitions() {
        synchronized (lock) {
            return acquisitions;
        }
    }

    /**
     * Throws an {@link AssertionError} listing the violations (the first ten, and how many there were)
     * and the totals of the history, if there was any violation.
     */
    public void assertOk() {
        synchronized (lock) {
            if (violationCount == 0) {
                return;
            }
            StringBuilder message = new StringBuilder(violationCount + " ownership violation(s) in " + events
                + " events (" + acquisitions + " acquisitions by " + owners.size() + " owners, " + work
                + " pieces of work):");
            violations.stream().limit(10).forEach(v -> message.append("\n  ").append(v));
            if (violationCount > 10) {
                message.append("\n  ... and ").append(violationCount - 10).append(" more");
            }
            throw new AssertionError(message.toString());
        }
    }
}

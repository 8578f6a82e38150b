package org.mqworkbook.dispatch.group;

/**
 * What the coordinator answers a heartbeat, as Kafka's {@code HeartbeatResponse} error codes do. Immutable.
 */
public enum HeartbeatResult {
    /** The member is in the current generation; keep consuming. */
    OK,
    /**
     * The group has rebalanced since the member's generation: its commits are now refused, so fetch
     * the new assignment ({@link GroupCoordinator#assignmentOf}) and read each newly
     * owned partition from its committed offset. Kafka makes the member rejoin; here the coordinator has
     * already reassigned, so asking is enough.
     */
    REBALANCE_NEEDED,
    /** The member is not in the group (it left or its session expired): rejoin as a new member. */
    UNKNOWN_MEMBER
}

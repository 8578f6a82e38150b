package org.mqworkbook.dispatch.group;

/**
 * What the coordinator answers a heartbeat, as Kafka's {@code HeartbeatResponse} error codes do. Immutable.
 */
public enum HeartbeatResult {
    /** The member is in the current generation; keep consuming. */
    OK,
    /**
     * The group is rebalancing, or has rebalanced since the member's generation: stop reading, commit what
     * was processed (still accepted until the member rejoins), then {@link GroupCoordinator#join join}
     * again and read each partition of the answer from its committed offset. Kafka answers
     * {@code REBALANCE_IN_PROGRESS}, and its consumer does the same in {@code onPartitionsRevoked}.
     */
    REBALANCE_NEEDED,
    /** The member is not in the group (it left or its session expired): rejoin as a new member. */
    UNKNOWN_MEMBER,
    /**
     * A later incarnation of this static member (the same instance id, a new member id) has joined and
     * taken its place (exercise 7.7): stop consuming for good, do not rejoin — two processes that both
     * believe they are the instance would otherwise fence each other in turn. Kafka answers
     * {@code FENCED_INSTANCE_ID}, which its consumer treats as fatal.
     */
    FENCED
}

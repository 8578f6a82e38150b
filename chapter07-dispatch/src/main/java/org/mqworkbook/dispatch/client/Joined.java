package org.mqworkbook.dispatch.client;

import java.util.Objects;
import org.mqworkbook.dispatch.group.Assignment;
import org.mqworkbook.dispatch.partition.RebalanceProtocol;

/**
 * The answer to a join as a client sees it: the member's assignment, and how its group rebalances — which
 * tells the member whether it may keep reading its partitions while it rejoins (cooperative) or must
 * give them all up first (eager). Immutable.
 *
 * @param assignment the generation and the member's partitions in it
 * @param protocol   the group's rebalance protocol
 */
public record Joined(Assignment assignment, RebalanceProtocol protocol) {
    /** Checks for nulls. */
    public Joined {
        Objects.requireNonNull(assignment, "assignment");
        Objects.requireNonNull(protocol, "protocol");
    }
}

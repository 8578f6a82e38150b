package org.mqworkbook.dispatch.partition;

/**
 * How a group hands partitions over at a rebalance, as Kafka's {@code ConsumerPartitionAssignor
 * .RebalanceProtocol} names the two. An assignor says which one it supports ({@link
 * PartitionAssignor#protocol()}); the group coordinator follows it.
 */
public enum RebalanceProtocol {
    /**
     * Every member gives up all its partitions when it rejoins, and the new assignment is handed out
     * once everyone has: the whole group stops consuming for the length of the rebalance (exercise 7.2).
     */
    EAGER,
    /**
     * Incremental cooperative rebalancing (KIP-429): members rejoin keeping their partitions and go on
     * consuming them. The first round hands out only partitions nobody holds and tells each holder which
     * of its partitions it must give up; once a holder has given them up (it commits and rejoins), a
     * second round hands them to their new owners. Only the partitions that move ever stop (exercise 7.8).
     */
    COOPERATIVE
}

package org.mqworkbook.ha.controller;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * What the controller knows about one partition: its replicas, its leader, its in-sync replicas and the two
 * epochs. Kafka's controller keeps the same fields (its {@code PartitionRegistration}). Immutable.
 *
 * <p>The two epochs count different things. The <em>leader epoch</em> grows when the leader changes: it is
 * the epoch of 8.4, which fences a deposed leader's fetches and tells followers where to truncate. The
 * <em>partition epoch</em> grows with every change, an ISR change too: a leader that asks to change the ISR
 * names the partition epoch it saw, and the controller refuses a request made from an outdated state, as a
 * compare-and-set (ZooKeeper-based Kafka used the znode's version for the same check).
 *
 * @param partition      the partition's name, such as {@code orders-0}
 * @param replicas       the brokers that hold a replica, in preference order: the first is the preferred leader
 * @param leader         the leader, or null when no replica can lead (the partition is offline)
 * @param isr            the in-sync replicas, in the order of {@code replicas}; never empty
 * @param leaderEpoch    the leader epoch, from 0
 * @param partitionEpoch the partition epoch, from 0
 */
public record PartitionState(String partition, List<String> replicas, String leader, List<String> isr,
                             int leaderEpoch, int partitionEpoch) {
    /** Checks the fields and puts the ISR in replica order, so that two equal states are equal records. */
    public PartitionState {
        Objects.requireNonNull(partition, "partition");
        replicas = List.copyOf(replicas);
        if (replicas.isEmpty() || replicas.stream().distinct().count() != replicas.size()) {
            throw new IllegalArgumentException(partition + ": the replicas must be distinct and at least one, not "
                + replicas);
        }
        if (isr.isEmpty() || !replicas.containsAll(isr)) {
            throw new IllegalArgumentException(partition + ": the ISR " + isr + " must be a non-empty subset of the "
                + "replicas " + replicas);
        }
        isr = inReplicaOrder(replicas, isr);
        if (leader != null && !isr.contains(leader)) {
            throw new IllegalArgumentException(partition + ": the leader " + leader + " is not in the ISR " + isr);
        }
        if (leaderEpoch < 0 || partitionEpoch < 0) {
            throw new IllegalArgumentException(partition + ": epochs start at 0, not " + leaderEpoch + " and "
                + partitionEpoch);
        }
    }

    private static List<String> inReplicaOrder(List<String> replicas, Collection<String> members) {
        List<String> ordered = new ArrayList<>();
        for (String replica : replicas) {
            if (members.contains(replica)) {
                ordered.add(replica);
            }
        }
        return List.copyOf(ordered);
    }

    /** Whether some replica leads. */
    public boolean hasLeader() {
        return leader != null;
    }

    /** The same partition with another ISR, in the same leader epoch and the next partition epoch. */
    public PartitionState withIsr(Collection<String> newIsr) {
        return new PartitionState(partition, replicas, leader, List.copyOf(newIsr), leaderEpoch, partitionEpoch + 1);
    }

    /**
     * The same partition led by {@code newLeader} (null for none) with {@code newIsr}, in the next leader epoch
     * and the next partition epoch.
     */
    public PartitionState withLeader(String newLeader, Collection<String> newIsr) {
        return new PartitionState(partition, replicas, newLeader, List.copyOf(newIsr), leaderEpoch + 1,
            partitionEpoch + 1);
    }

    @Override
    public String toString() {
        return partition + "[leader " + (leader == null ? "none" : leader) + " epoch " + leaderEpoch + ", isr "
            + isr + ", replicas " + replicas + ", partition epoch " + partitionEpoch + "]";
    }
}

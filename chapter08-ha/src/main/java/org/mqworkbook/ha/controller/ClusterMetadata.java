package org.mqworkbook.ha.controller;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.mqworkbook.ha.quorum.LogEntry;
import org.mqworkbook.ha.quorum.RaftNode;

/**
 * The cluster's metadata, as the records of the metadata log make it: every controller replays the committed
 * records into one of these, in log order, so that every controller that has applied entry 40 holds the same
 * metadata (KRaft's {@code MetadataImage}). The active controller keeps a second one that also holds what it
 * has written and not yet seen committed, and decides from that (see {@link QuorumController}).
 *
 * <p>Replay checks each record against the state it changes, and throws {@link IllegalStateException} on one
 * that does not fit (a fence of an incarnation that is not registered, a partition change that does not raise
 * the partition epoch): a controller that wrote such a record has a bug, and the simulation says so at once.
 * Given code.
 *
 * <p>Thread-safety: not thread safe; one thread, its controller's, replays and reads it.
 */
public final class ClusterMetadata implements RaftNode.StateMachine {
    private final Map<String, BrokerRegistration> brokers = new TreeMap<>();
    private final Map<String, PartitionState> partitions = new TreeMap<>();
    private long lastApplied;

    /** Empty metadata: no brokers, no partitions, nothing applied. */
    public ClusterMetadata() {
    }

    /** A copy, which changes independently of this one. */
    public ClusterMetadata copy() {
        ClusterMetadata copy = new ClusterMetadata();
        copy.brokers.putAll(brokers);
        copy.partitions.putAll(partitions);
        copy.lastApplied = lastApplied;
        return copy;
    }

    /** Raft's callback: entry {@code index} is committed; replays its records (a no-op entry has none). */
    @Override
    public void apply(long index, LogEntry entry) {
        if (!entry.command().equals(LogEntry.NO_OP)) {
            MetadataRecord.decodeAll(entry.command()).forEach(this::replay);
        }
        lastApplied = index;
    }

    /** Changes this metadata as {@code record} says. */
    public void replay(MetadataRecord record) {
        if (record instanceof MetadataRecord.RegisterBroker register) {
            BrokerRegistration before = brokers.get(register.broker());
            if (before != null && before.brokerEpoch() >= register.brokerEpoch()) {
                throw new IllegalStateException("a registration of " + register.broker() + " in epoch "
                    + register.brokerEpoch() + " after one in epoch " + before.brokerEpoch());
            }
            brokers.put(register.broker(), new BrokerRegistration(register.broker(), register.brokerEpoch(), true));
        } else if (record instanceof MetadataRecord.FenceBroker fence) {
            brokers.put(fence.broker(), registered(fence.broker(), fence.brokerEpoch(), record).withFenced(true));
        } else if (record instanceof MetadataRecord.UnfenceBroker unfence) {
            brokers.put(unfence.broker(), registered(unfence.broker(), unfence.brokerEpoch(), record)
                .withFenced(false));
        } else if (record instanceof MetadataRecord.PartitionChange change) {
            PartitionState state = change.state();
            PartitionState before = partitions.get(state.partition());
            if (before != null && (state.partitionEpoch() <= before.partitionEpoch()
                || state.leaderEpoch() < before.leaderEpoch()
                || state.leaderEpoch() == before.leaderEpoch() && !Objects.equals(state.leader(),
                before.leader()))) {
                throw new IllegalStateException("the change " + state + " does not follow " + before + ": every "
                    + "change raises the partition epoch, and a new leader raises the leader epoch");
            }
            partitions.put(state.partition(), state);
        }
    }

    private BrokerRegistration registered(String broker, long brokerEpoch, MetadataRecord record) {
        BrokerRegistration registration = brokers.get(broker);
        if (registration == null || registration.brokerEpoch() != brokerEpoch) {
            throw new IllegalStateException(record.encode() + ": the registration of " + broker + " is "
                + registration);
        }
        return registration;
    }

    /** The index of the last entry replayed into this metadata. */
    public long lastApplied() {
        return lastApplied;
    }

    /** Broker {@code id}'s registration, or null if it never registered. */
    public BrokerRegistration broker(String id) {
        return brokers.get(id);
    }

    /** Every registered broker, by id. */
    public Collection<BrokerRegistration> brokers() {
        return Collections.unmodifiableCollection(brokers.values());
    }

    /** Whether broker {@code id} is registered and unfenced: whether it may lead and be in an ISR. */
    public boolean isActive(String id) {
        BrokerRegistration registration = brokers.get(id);
        return registration != null && !registration.fenced();
    }

    /** Partition {@code name}, or null if there is none. */
    public PartitionState partition(String name) {
        return partitions.get(name);
    }

    /** Every partition, by name. */
    public Collection<PartitionState> partitions() {
        return Collections.unmodifiableCollection(partitions.values());
    }

    /** The partitions of which {@code broker} holds a replica, by name. */
    public List<PartitionState> partitionsOf(String broker) {
        List<PartitionState> hosted = new ArrayList<>();
        for (PartitionState partition : partitions.values()) {
            if (partition.replicas().contains(broker)) {
                hosted.add(partition);
            }
        }
        return hosted;
    }

    @Override
    public String toString() {
        return "metadata at " + lastApplied + ": brokers " + brokers.values() + ", partitions " + partitions.values();
    }
}

package org.mqworkbook.ha.controller;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.mqworkbook.ha.quorum.RaftMessage;
import org.mqworkbook.ha.quorum.RaftNode;
import org.mqworkbook.ha.quorum.RaftStorage;

/**
 * One controller of the cluster (exercise 8.6, the book's Broker 集群设计): a node of the Raft quorum of 8.5
 * whose state machine is the cluster's metadata. The quorum's leader is the <em>active</em> controller, as in
 * KRaft; it alone answers brokers and decides, and every decision is a record in the metadata log. The others
 * replay the committed records and wait to be elected.
 *
 * <pre>
 *  broker b2 ── Register ──────────► active controller: write "register-broker b2 epoch=14"; once committed,
 *            ◄─ Registered(14) ─────  b2 is incarnation 14, fenced
 *  b2 ── Heartbeat(14), every 100 ms ──► the first one unfences b2; each one renews b2's session
 *  (b1 stops heartbeating)              ── b1's session lapses: write in one go
 *                                          "fence-broker b1 epoch=9"
 *                                          "partition orders-0 ... leader=b2 isr=b2,b3 leader-epoch=5 ..."
 *  b1, deposed, ── AlterPartition(epoch 4, isr=[b1]) ──► refused FENCED_LEADER_EPOCH: it leads nothing
 * </pre>
 *
 * <p>The exercise is the controller's three decisions: whom to elect when a partition's leader must change
 * ({@link #elect}), what fencing a broker changes ({@link #fencingChanges}), and when a leader's request to
 * change its ISR is accepted ({@link #onAlterPartition}). Registration, sessions and heartbeats, writing to and
 * answering after the log, and taking over as active controller are given.
 *
 * <p>Decisions are made from the <em>latest</em> metadata: the committed metadata and every record this
 * controller has written since, committed or not, as KRaft's active controller does. That is safe because a
 * Raft leader's uncommitted entries are the ones its term will commit, and it lets two decisions in a row see
 * each other: a heartbeat that arrives while the unfence record of the one before is in flight does not
 * write another. Answers wait until what they report is committed: a broker must never act on a decision a
 * later controller may not know of. A controller that stops leading drops its latest metadata and the answers
 * it owed; the brokers time out and ask the next.
 *
 * <p>Thread-safety: not thread safe. One thread drives a controller, as it drives a {@link RaftNode}.
 */
public final class QuorumController {
    /**
     * A broker whose last heartbeat is older than this is fenced: Kafka's {@code broker.session.timeout.ms},
     * 9 s by default, with heartbeats every 2 s; ours are shorter, in the same ratio, for the simulation.
     */
    public static final Duration SESSION_TIMEOUT = Duration.ofMillis(600);

    /** Where the controller's answers to brokers go. */
    public interface BrokerOutbox {
        /** Sends {@code message} to broker {@code broker}, or loses it: the network decides. */
        void send(String broker, ControllerMessage message);
    }

    private final String id;
    private final Clock clock;
    private final BrokerOutbox brokers;
    private final Duration sessionTimeout;
    private final boolean uncleanLeaderElection;
    private final ClusterMetadata committed = new ClusterMetadata();
    private final RaftNode raft;

    /** The term in which this controller is active, or 0 while it is not. */
    private long activeTerm;
    /** Active: the committed metadata and every record written since. Null while not active. */
    private ClusterMetadata latest;
    /** Active: each broker → when its session lapses unless it heartbeats. */
    private final Map<String, Long> sessionDeadlines = new TreeMap<>();
    /** Active: the answers owed, by the index that must be committed before each goes. */
    private final NavigableMap<Long, List<Runnable>> waiting = new TreeMap<>();

    /**
     * Controller {@code id} of the quorum {@code voters}, over {@code storage} (empty for a new controller, the
     * saved one after a restart).
     *
     * @param quorum                where its Raft messages go
     * @param brokers               where its answers to brokers go
     * @param sessionTimeout        how long a broker's session lasts without a heartbeat
     * @param uncleanLeaderElection Kafka's {@code unclean.leader.election.enable}: whether a replica outside the
     *                              ISR may be elected when no in-sync one can lead (off by default in Kafka)
     */
    public QuorumController(String id, Set<String> voters, RaftStorage storage, Clock clock, Random random,
                            RaftNode.Outbox quorum, BrokerOutbox brokers, Duration sessionTimeout,
                            boolean uncleanLeaderElection) {
        this.id = Objects.requireNonNull(id, "id");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.brokers = Objects.requireNonNull(brokers, "brokers");
        this.sessionTimeout = Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        this.uncleanLeaderElection = uncleanLeaderElection;
        this.raft = new RaftNode(id, voters, storage, clock, random, quorum, committed);
    }

    /** This controller's id. */
    public String id() {
        return id;
    }

    /** Its Raft node: role, term, log. Read-only for callers by convention. */
    public RaftNode raft() {
        return raft;
    }

    /** Whether it is the active controller: the leader of the quorum. */
    public boolean isActive() {
        return activeTerm != 0;
    }

    /** The committed metadata, as this controller has applied it. Read-only for callers by convention. */
    public ClusterMetadata committed() {
        return committed;
    }

    /** Handles a Raft message from controller {@code from}. */
    public void receive(String from, RaftMessage message) {
        raft.receive(from, message);
        afterEvent();
    }

    /** Handles a request from broker {@code broker}; answers it now, once committed, or not at all. */
    public void receive(String broker, ControllerMessage message) {
        afterEvent();
        if (!isActive()) {
            String active = raft.leader();
            brokers.send(broker, new ControllerMessage.Refused(message, ControllerMessage.Error.NOT_CONTROLLER,
                id + " is not the active controller" + (active == null ? "; none is known" : "; " + active
                + " is"), active));
            return;
        }
        if (message instanceof ControllerMessage.Register) {
            onRegister(broker);
        } else if (message instanceof ControllerMessage.Heartbeat heartbeat) {
            onHeartbeat(broker, heartbeat);
        } else if (message instanceof ControllerMessage.AlterPartition alter) {
            onAlterPartition(broker, alter);
        }
        afterEvent();
    }

    /** Acts on time passing: Raft's timers, and, when active, the brokers' sessions. */
    public void tick() {
        raft.tick();
        afterEvent();
        if (!isActive()) {
            return;
        }
        long now = clock.millis();
        for (Map.Entry<String, Long> session : sessionDeadlines.entrySet()) {
            if (now >= session.getValue() && latest.isActive(session.getKey())) {
                write(fencingChanges(session.getKey()), null);
            }
        }
        afterEvent();
    }

    /**
     * Active controller: creates partition {@code name} with {@code replicas} in preference order. Its ISR is
     * the replicas that are active (a new replica is empty, so in sync), and its leader the first of them, in
     * leader epoch 0 and partition epoch 0, as Kafka creates a partition.
     *
     * @return the index of the metadata entry that creates it
     * @throws IllegalStateException    if this controller is not active, or no replica is active
     * @throws IllegalArgumentException if the partition exists
     */
    public long createPartition(String name, List<String> replicas) {
        afterEvent();
        if (!isActive()) {
            throw new IllegalStateException(id + " is not the active controller; " + raft.leader() + " is");
        }
        if (latest.partition(name) != null) {
            throw new IllegalArgumentException("partition " + name + " exists: " + latest.partition(name));
        }
        List<String> active = replicas.stream().filter(latest::isActive).toList();
        if (active.isEmpty()) {
            throw new IllegalStateException("cannot create " + name + ": none of its replicas " + replicas
                + " is registered and unfenced");
        }
        PartitionState created = new PartitionState(name, replicas, active.get(0), active, 0, 0);
        write(List.of(new MetadataRecord.PartitionChange(created)), null);
        return raft.storage().lastIndex();
    }

    /**
     * The next state of {@code current}, whose ISR is to become {@code targetIsr}, when only the brokers that
     * pass {@code active} may lead: Kafka's rule, which its {@code PartitionChangeBuilder} applies.
     *
     * <ol>
     *   <li>If the current leader is in {@code targetIsr} and active, it stays leader.
     *   <li>Otherwise the new leader is the first replica, in the order of {@code current.replicas()} (the first
     *       is the preferred leader), that is in {@code targetIsr} and active. Every in-sync replica has every
     *       committed record, so any of them may lead; the order makes the choice the same on every run.
     *   <li>If none is, and unclean leader election is on, the first active replica of all leads, and becomes
     *       the whole ISR: it lacks what the old ISR had, and that is the loss an unclean election accepts.
     *   <li>If none is at all, the partition has no leader, and the ISR is {@code targetIsr}: it waits for an in-
     *       sync replica to come back.
     * </ol>
     * The result is {@code current} itself if nothing changes; {@link PartitionState#withIsr} if only the ISR
     * does (same leader epoch, next partition epoch); {@link PartitionState#withLeader} if the leader does,
     * to none included (next leader epoch, next partition epoch): one change, one step of each epoch.
     */
    PartitionState elect(PartitionState current, List<String> targetIsr, Predicate<String> active) {
        // BEGIN EXERCISE 8.6
        if (current.leader() != null && targetIsr.contains(current.leader()) && active.test(current.leader())) {
            return targetIsr.equals(current.isr()) ? current : current.withIsr(targetIsr);
        }
        for (String replica : current.replicas()) {
            if (targetIsr.contains(replica) && active.test(replica)) {
                return current.withLeader(replica, targetIsr);
            }
        }
        if (uncleanLeaderElection) {
            for (String replica : current.replicas()) {
                if (active.test(replica)) {
                    return current.withLeader(replica, List.of(replica));
                }
            }
        }
        if (current.leader() == null) {
            return targetIsr.equals(current.isr()) ? current : current.withIsr(targetIsr);
        }
        return current.withLeader(null, targetIsr);
        // END EXERCISE 8.6
    }

    /**
     * The records that fence {@code broker}'s registered incarnation, from the latest metadata: a {@link
     * MetadataRecord.FenceBroker} first, then one {@link MetadataRecord.PartitionChange} for each partition whose
     * ISR holds the broker, in partition order ({@link ClusterMetadata#partitionsOf}), from {@link #elect} with:
     * <ul>
     *   <li>as the target ISR, the ISR without the broker — unless the broker is its only member: the last
     *       in-sync replica stays in the ISR even when it is fenced, as in Kafka, so that a partition that lost
     *       every replica waits for the one that has every committed record, rather than forget which that is;
     *   <li>as active, the brokers active in the latest metadata, the fenced one excepted.
     * </ul>
     * A partition that {@link #elect} leaves unchanged gets no record.
     */
    List<MetadataRecord> fencingChanges(String broker) {
        // BEGIN EXERCISE 8.6
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new MetadataRecord.FenceBroker(broker, latest.broker(broker).brokerEpoch()));
        Predicate<String> active = other -> !other.equals(broker) && latest.isActive(other);
        for (PartitionState partition : latest.partitionsOf(broker)) {
            if (!partition.isr().contains(broker)) {
                continue;
            }
            List<String> isr = new ArrayList<>(partition.isr());
            if (isr.size() > 1) {
                isr.remove(broker);
            }
            PartitionState next = elect(partition, isr, active);
            if (next != partition) {
                records.add(new MetadataRecord.PartitionChange(next));
            }
        }
        return records;
        // END EXERCISE 8.6
    }

    /**
     * A partition leader's request to change the ISR. Refuse it ({@link #refuse}) with the first of these that
     * holds, checked in this order against the latest metadata:
     * <ol>
     *   <li>{@code UNKNOWN_TOPIC_OR_PARTITION}: there is no such partition;
     *   <li>{@code STALE_BROKER_EPOCH}: {@code request.brokerEpoch()} is not the sender's registered incarnation;
     *   <li>{@code FENCED_LEADER_EPOCH}: its leader epoch is not the partition's. A deposed leader asks from an
     *       older epoch; this check is what keeps it from shrinking the ISR to itself and acknowledging writes
     *       alone while the new leader takes others (split brain);
     *   <li>{@code NOT_LEADER_OR_FOLLOWER}: the sender does not lead the partition;
     *   <li>{@code INVALID_UPDATE_VERSION}: its partition epoch is not the partition's: the ISR it changes has
     *       changed since (a fencing, or its own earlier request);
     *   <li>{@code INELIGIBLE_REPLICA}: the ISR asked for lacks the sender, or holds a broker that is not a replica
     *       or is not active (a fenced broker must not count as in sync).
     * </ol>
     * Otherwise: if the ISR asked for is the ISR the partition has, answer {@link
     * ControllerMessage.AlterPartitionAnswer} with the partition's state at once; else write one {@link
     * MetadataRecord.PartitionChange} with {@link PartitionState#withIsr} and answer with that state once it is
     * committed ({@link #write}).
     */
    private void onAlterPartition(String broker, ControllerMessage.AlterPartition request) {
        // BEGIN EXERCISE 8.6
        PartitionState partition = latest.partition(request.partition());
        BrokerRegistration sender = latest.broker(broker);
        if (partition == null) {
            refuse(broker, request, ControllerMessage.Error.UNKNOWN_TOPIC_OR_PARTITION, "there is no partition "
                + request.partition());
        } else if (sender == null || sender.brokerEpoch() != request.brokerEpoch()) {
            refuse(broker, request, ControllerMessage.Error.STALE_BROKER_EPOCH, broker + " asks as incarnation "
                + request.brokerEpoch() + ", but its registration is " + sender);
        } else if (request.leaderEpoch() != partition.leaderEpoch()) {
            refuse(broker, request, ControllerMessage.Error.FENCED_LEADER_EPOCH, broker + " asks in leader epoch "
                + request.leaderEpoch() + ", but " + partition);
        } else if (!broker.equals(partition.leader())) {
            refuse(broker, request, ControllerMessage.Error.NOT_LEADER_OR_FOLLOWER, broker + " does not lead "
                + partition);
        } else if (request.partitionEpoch() != partition.partitionEpoch()) {
            refuse(broker, request, ControllerMessage.Error.INVALID_UPDATE_VERSION, broker + " changes partition "
                + "epoch " + request.partitionEpoch() + ", but " + partition);
        } else if (!request.isr().contains(broker) || !partition.replicas().containsAll(request.isr())
            || !request.isr().stream().allMatch(latest::isActive)) {
            refuse(broker, request, ControllerMessage.Error.INELIGIBLE_REPLICA, "the ISR " + request.isr()
                + " must hold the leader " + broker + " and only active replicas of " + partition);
        } else {
            PartitionState next = partition.withIsr(request.isr());
            if (next.isr().equals(partition.isr())) {
                brokers.send(broker, new ControllerMessage.AlterPartitionAnswer(partition));
            } else {
                write(List.of(new MetadataRecord.PartitionChange(next)),
                    () -> brokers.send(broker, new ControllerMessage.AlterPartitionAnswer(next)));
            }
        }
        // END EXERCISE 8.6
    }

    /**
     * A broker (re)registers. A restarted broker is a new incarnation that may have lost what it had not
     * forced to disk, so its old incarnation, if unfenced, is fenced first, with what that changes ({@link
     * #fencingChanges}); then the new one is registered, fenced until its first heartbeat. Its broker epoch is
     * the index of the metadata entry that registers it. A registration whose answer was lost is asked again and makes
     * another incarnation, which is harmless (Kafka's brokers send an incarnation id, which spares it).
     */
    private void onRegister(String broker) {
        BrokerRegistration before = latest.broker(broker);
        if (before != null && !before.fenced()) {
            write(fencingChanges(broker), null);
        }
        long brokerEpoch = raft.storage().lastIndex() + 1;
        write(List.of(new MetadataRecord.RegisterBroker(broker, brokerEpoch)),
            () -> brokers.send(broker, new ControllerMessage.Registered(brokerEpoch)));
        sessionDeadlines.put(broker, clock.millis() + sessionTimeout.toMillis());
    }

    /**
     * A heartbeat renews the broker's session, unfences it if it is fenced (with the leaders that lets it be,
     * {@link #unfencingChanges}), and is answered at once with the committed metadata of its partitions.
     */
    private void onHeartbeat(String broker, ControllerMessage.Heartbeat heartbeat) {
        BrokerRegistration registration = latest.broker(broker);
        if (registration == null || registration.brokerEpoch() != heartbeat.brokerEpoch()) {
            refuse(broker, heartbeat, ControllerMessage.Error.STALE_BROKER_EPOCH, broker + " heartbeats as "
                + "incarnation " + heartbeat.brokerEpoch() + ", but its registration is " + registration
                + ": register again");
            return;
        }
        sessionDeadlines.put(broker, clock.millis() + sessionTimeout.toMillis());
        if (registration.fenced()) {
            write(unfencingChanges(broker), null);
        }
        BrokerRegistration known = committed.broker(broker);
        boolean fenced = known == null || known.brokerEpoch() != heartbeat.brokerEpoch() || known.fenced();
        brokers.send(broker, new ControllerMessage.HeartbeatAnswer(heartbeat.brokerEpoch(), fenced,
            committed.lastApplied(), committed.partitionsOf(broker)));
    }

    /**
     * The records that unfence {@code broker}: an {@link MetadataRecord.UnfenceBroker}, then a leader for each of
     * its partitions that has none and may now have one ({@link #elect}, with the broker active).
     */
    private List<MetadataRecord> unfencingChanges(String broker) {
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new MetadataRecord.UnfenceBroker(broker, latest.broker(broker).brokerEpoch()));
        Predicate<String> active = other -> other.equals(broker) || latest.isActive(other);
        for (PartitionState partition : latest.partitionsOf(broker)) {
            if (!partition.hasLeader()) {
                PartitionState next = elect(partition, partition.isr(), active);
                if (next != partition) {
                    records.add(new MetadataRecord.PartitionChange(next));
                }
            }
        }
        return records;
    }

    private void refuse(String broker, ControllerMessage request, ControllerMessage.Error error, String reason) {
        brokers.send(broker, new ControllerMessage.Refused(request, error, reason, id));
    }

    /**
     * Writes {@code records} to the metadata log as one entry, so that they are committed and applied together
     * or not at all (KRaft writes a decision as one atomic batch), and to the latest metadata; sends {@code
     * answer}, if any, once that entry is committed.
     */
    private void write(List<MetadataRecord> records, Runnable answer) {
        long index = committed.lastApplied();
        if (!records.isEmpty()) {
            records.forEach(latest::replay);
            index = raft.propose(MetadataRecord.encodeAll(records));
        }
        if (answer != null) {
            waiting.computeIfAbsent(index, at -> new ArrayList<>()).add(answer);
        }
        release();
    }

    /** Takes over or steps down as the quorum's leadership changes; sends the answers now committed. */
    private void afterEvent() {
        boolean leading = raft.role() == RaftNode.Role.LEADER;
        if (leading && activeTerm != raft.term()) {
            activate();
        } else if (!leading && activeTerm != 0) {
            activeTerm = 0;
            latest = null;
            sessionDeadlines.clear();
            waiting.clear(); // the brokers will ask the next active controller
        }
        release();
    }

    /**
     * Becomes the active controller: the latest metadata is the committed one and the rest of this node's log,
     * which its term will commit; every registered broker gets a full session from now, since a new controller
     * cannot know when each last heartbeated (KRaft's new active controller does the same).
     */
    private void activate() {
        activeTerm = raft.term();
        latest = committed.copy();
        RaftStorage log = raft.storage();
        for (long index = committed.lastApplied() + 1; index <= log.lastIndex(); index++) {
            latest.apply(index, log.entry(index));
        }
        waiting.clear();
        sessionDeadlines.clear();
        long deadline = clock.millis() + sessionTimeout.toMillis();
        for (BrokerRegistration broker : latest.brokers()) {
            sessionDeadlines.put(broker.broker(), deadline);
        }
    }

    private void release() {
        while (!waiting.isEmpty() && waiting.firstKey() <= committed.lastApplied()) {
            waiting.pollFirstEntry().getValue().forEach(Runnable::run);
        }
    }

    @Override
    public String toString() {
        return id + (isActive() ? " (active)" : "") + ": " + committed;
    }
}

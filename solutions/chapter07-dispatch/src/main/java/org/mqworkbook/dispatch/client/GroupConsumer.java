package org.mqworkbook.dispatch.client;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.mqworkbook.dispatch.group.Assignment;
import org.mqworkbook.dispatch.group.HeartbeatResult;
import org.mqworkbook.dispatch.partition.RebalanceProtocol;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.protocol.ErrorKind;
import org.mqworkbook.dispatch.protocol.Message;
import org.mqworkbook.dispatch.topic.PartitionOffset;
import org.mqworkbook.dispatch.topic.Topic;
import org.mqworkbook.storage.Record;
import org.mqworkbook.storage.TimestampOffset;

/**
 * One member of a consumer group, on the client side: the loop Kafka's {@code KafkaConsumer} runs for
 * you. Not thread safe: one thread polls, processes and commits.
 *
 * <pre>{@code
 * try (GroupConsumer consumer = new GroupConsumer(client, "billing", "m1", List.of("orders"), "*", 64 * 1024)) {
 *     while (running) {
 *         for (ConsumedRecord r : consumer.poll()) {
 *             process(r);
 *         }
 *         consumer.commit();        // after processing: at least once
 *     }
 * }                                 // close() commits and leaves, so the others take over at once
 * }</pre>
 *
 * <p>Every {@link #poll()} heartbeats first, and a poll means "I have processed what the last poll
 * returned". When the group rebalances ({@code REBALANCE_NEEDED}), the member commits those positions
 * (its last chance: once it rejoins it has given up its partitions), joins again, and waits at the group's
 * barrier until every member has done the same; then it starts each partition of its new assignment from
 * the group's committed offset. When the group no longer knows it (its session expired: a long pause),
 * its positions are dropped without a commit — the commit would be refused (generation fencing) and the
 * new owner re-reads from the last commit — and it joins as a new member. That is the "eager" rebalance
 * of Kafka's classic protocol, with its auto-commit on revocation; the cooperative one keeps the
 * partitions that do not move.
 *
 * <p>What the barrier cannot do for an application: if processing one batch takes longer than the
 * group's rebalance timeout, the member is removed while it still works, and the partition's next owner
 * starts on the same records. Kafka has the same limit ({@code max.poll.interval.ms}); keep batches short.
 */
public final class GroupConsumer implements AutoCloseable {
    /**
     * How long a poll waits on the broker for a record when none is there (Kafka's
     * {@code fetch.max.wait.ms} is 500 ms too). Well inside a session timeout: a member heartbeats at
     * every poll.
     */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(500);
    /** The longest a poll waits while a cooperative join is waiting: the answer is noticed soon after. */
    private static final Duration WAIT_WHILE_JOINING = Duration.ofMillis(20);

    private final DispatchClient client;
    private final String group;
    private final String member;
    private final List<String> topics;
    private final String filter;
    private final int maxBytesPerPartition;
    private Consumer<Assignment> onAssignment = assignment -> { };
    /** The static member's instance id, or "" for a dynamic member. */
    private String instanceId = "";
    private boolean fenced;
    private Duration maxWait = DEFAULT_MAX_WAIT;
    /** Where partitions gained start instead of the committed offset, until the member holds some; or null. */
    private Instant startTime;

    private int generation;
    /** How the group rebalances, from its last answer; eager (the safe assumption) until then. */
    private RebalanceProtocol protocol = RebalanceProtocol.EAGER;
    /** A cooperative rejoin waiting at the barrier, or null. */
    private CompletableFuture<Joined> joining;
    /** Owned partition → the next offset to read, in assignment order. */
    private final Map<TopicPartition, Long> positions = new LinkedHashMap<>();
    private boolean joined;

    /**
     * @param filter               a tag subscription expression (exercise 7.5), {@code "*"} for everything
     * @param maxBytesPerPartition about how many bytes one poll fetches from each partition
     */
    public GroupConsumer(DispatchClient client, String group, String member, List<String> topics, String filter,
                         int maxBytesPerPartition) {
        this.client = Objects.requireNonNull(client, "client");
        this.group = Objects.requireNonNull(group, "group");
        this.member = Objects.requireNonNull(member, "member");
        this.topics = List.copyOf(topics);
        this.filter = Objects.requireNonNull(filter, "filter");
        this.maxBytesPerPartition = maxBytesPerPartition;
    }

    /** Called with every new assignment, after the member adopted it (the demo prints them). */
    public GroupConsumer onAssignment(Consumer<Assignment> listener) {
        this.onAssignment = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * Makes this a <em>static</em> member (Kafka's {@code group.instance.id}, KIP-345): the instance id
     * names the consumer across restarts, while the member id should be new for every run. A restart
     * within the session timeout gets the partitions back without a rebalance; so {@link #close()}
     * commits but does not leave (a Kafka static member does not send LeaveGroup either), and a member
     * that is not back within its session is removed by the timeout. Call before the first poll.
     */
    public GroupConsumer staticMember(String instance) {
        if (instance.isEmpty()) {
            throw new IllegalArgumentException("a static member needs a non-empty instance id");
        }
        this.instanceId = instance;
        return this;
    }

    /**
     * Starts the member's first partitions at {@code time} instead of at the group's committed offsets: each
     * partition it gains until it first holds one starts at the first record whose timestamp is at or after
     * {@code time} (at the partition's end if none is that late). Partitions it gains later start at the
     * committed offset, which is where the group has got to. Call before the first poll. A Kafka application
     * does the same with {@code offsetsForTimes} and {@code seek} once it is assigned its partitions; the
     * group's offsets move only when it commits.
     */
    public GroupConsumer startFromTime(Instant time) {
        this.startTime = Objects.requireNonNull(time, "time");
        return this;
    }

    /**
     * Moves every partition this member holds to the first record whose timestamp is at or after {@code time}
     * (to the partition's end if none is that late): replay the last hour, or skip what a bad deploy wrote. The
     * next {@link #commit()} makes it the group's position.
     *
     * @return the new positions
     */
    public Map<TopicPartition, Long> seekToTime(Instant time) {
        for (TopicPartition partition : positions.keySet()) {
            positions.put(partition, offsetAt(partition, time));
        }
        return positions();
    }

    /** The first offset at or after {@code time} in {@code partition}, or its end offset if none is that late. */
    private long offsetAt(TopicPartition partition, Instant time) {
        return client.offsetForTime(partition, time.toEpochMilli()).map(TimestampOffset::offset)
            .orElseGet(() -> client.offsetForTime(partition, Topic.LATEST).orElseThrow().offset());
    }

    /**
     * How long a {@link #poll()} may wait on the broker when nothing is there; zero returns at once.
     * Keep it well below the group's session timeout, since the member heartbeats once per poll.
     */
    public GroupConsumer maxWait(Duration wait) {
        if (wait.isNegative()) {
            throw new IllegalArgumentException("a negative wait: " + wait);
        }
        this.maxWait = wait;
        return this;
    }

    /**
     * Heartbeats (joining first if needed, rejoining if the group rebalances), then long-polls every
     * partition it reads at once: returns as soon as one has records, or with nothing after the
     * {@link #maxWait(Duration) wait}. In a cooperative group a rejoin does not stop it: while its join
     * waits at the barrier, the poll goes on reading the partitions it holds.
     */
    public List<ConsumedRecord> poll() {
        if (fenced) {
            throw new IllegalStateException("member " + member + " of group " + group + " was fenced by a newer "
                + "incarnation of instance " + instanceId);
        }
        if (!joined) {
            adopt(await(client.joinAsync(group, member, instanceId, topics)));
            joined = true;
        } else if (joining != null) {
            if (joining.isDone()) {
                CompletableFuture<Joined> answer = joining;
                joining = null;
                adopt(await(answer));
                if (joining == null) {
                    // The answer may have waited while this thread was busy for longer than a session: make
                    // sure the group still knows this member before reading what the answer gave it.
                    heartbeat();
                }
            }
        } else {
            heartbeat();
        }
        List<ConsumedRecord> received = new ArrayList<>();
        if (positions.isEmpty()) {
            return received; // nothing to read (more members than partitions, or waiting at an eager barrier)
        }
        List<PartitionOffset> asked = new ArrayList<>(positions.size());
        positions.forEach((partition, offset) -> asked.add(new PartitionOffset(partition, offset)));
        // While a cooperative join waits, poll briefly: the answer is picked up at the next poll.
        Duration wait = joining != null && maxWait.compareTo(WAIT_WHILE_JOINING) > 0 ? WAIT_WHILE_JOINING : maxWait;
        for (Message.Polled.Result result : client.poll(asked, maxBytesPerPartition, filter, wait)) {
            for (Record record : result.records()) {
                received.add(new ConsumedRecord(result.partition(), record));
            }
            positions.put(result.partition(), result.nextOffset());
        }
        return received;
    }

    /** Heartbeats, and acts on the answer: rejoin when the group rebalances, join afresh when removed. */
    private void heartbeat() {
        HeartbeatResult beat = client.heartbeat(group, member, generation);
        if (beat == HeartbeatResult.REBALANCE_NEEDED) {
            commit(); // what was processed, while the partitions are still this member's to commit
            rejoin();
        } else if (beat == HeartbeatResult.UNKNOWN_MEMBER) {
            positions.clear(); // expelled while paused: a commit would be refused
            adopt(await(client.joinAsync(group, member, instanceId, topics)));
        } else if (beat == HeartbeatResult.FENCED) {
            positions.clear();
            fenced = true; // another process is this instance now: rejoining would fence it in turn
            throw new IllegalStateException("member " + member + " of group " + group + " was fenced: another "
                + "consumer joined as instance " + instanceId);
        }
    }

    /**
     * Rejoins the group. Eager: gives every partition up and waits at the barrier. Cooperative: sends
     * the join and goes on reading what it holds; the answer is adopted at a later poll.
     */
    private void rejoin() {
        if (protocol == RebalanceProtocol.COOPERATIVE) {
            joining = client.joinAsync(group, member, instanceId, topics);
        } else {
            positions.clear();
            adopt(await(client.joinAsync(group, member, instanceId, topics))); // until every member has rejoined
        }
    }

    private Joined await(CompletableFuture<Joined> answer) {
        try {
            return answer.get(client.timeout().plus(DispatchClient.MAX_JOIN_WAIT).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while joining group " + group, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("joining group " + group + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer to the join of group " + group, e);
        }
    }

    /**
     * Commits the position of every owned partition: call it after processing what {@link #poll()}
     * returned. A rebalance in progress does not stop it (the member still owns its partitions until it
     * rejoins); if the group removed the member meanwhile (its session or the rebalance timed out) the
     * broker refuses it ({@code ILLEGAL_GENERATION}): the method returns false, the next poll joins again,
     * and the records since the last commit will be read again by whoever owns them now.
     *
     * @return whether the commit was accepted
     */
    public boolean commit() {
        if (positions.isEmpty()) {
            return true;
        }
        try {
            client.commitAll(group, member, generation, positions); // one request, one checkpoint
            return true;
        } catch (DispatchException e) {
            if (e.kind() != ErrorKind.ILLEGAL_GENERATION) {
                throw e;
            }
            return false; // the next poll's heartbeat says UNKNOWN_MEMBER (or REBALANCE_NEEDED) and rejoins
        }
    }

    /**
     * Takes a join's answer. Eager: every partition of the answer starts at the group's committed offset.
     * Cooperative: the partitions it keeps go on from where it is; the ones it gains start at the
     * committed offset; the ones the answer leaves out it commits and gives up, and then it rejoins at once
     * so that the second round can hand them to their new owners. If that commit is refused the group has
     * removed it meanwhile: it forgets everything and joins again as a new member.
     */
    private void adopt(Joined joined) {
        Assignment assignment = joined.assignment();
        protocol = joined.protocol();
        generation = assignment.generation();
        if (protocol == RebalanceProtocol.EAGER) {
            positions.clear();
        }
        Map<TopicPartition, Long> revoked = new LinkedHashMap<>(positions);
        revoked.keySet().removeAll(assignment.partitions());
        positions.keySet().retainAll(assignment.partitions());
        for (TopicPartition partition : assignment.partitions()) {
            if (!positions.containsKey(partition)) {
                positions.put(partition, startTime != null ? offsetAt(partition, startTime)
                    : client.committed(group, partition).orElse(0));
            }
        }
        if (!positions.isEmpty()) {
            startTime = null;
        }
        onAssignment.accept(assignment);
        if (!revoked.isEmpty()) {
            try {
                client.commitAll(group, member, generation, revoked);
            } catch (DispatchException e) {
                if (e.kind() != ErrorKind.ILLEGAL_GENERATION) {
                    throw e;
                }
                positions.clear(); // removed while it was away: what it believes it owns is lost
                adopt(await(client.joinAsync(group, member, instanceId, topics)));
                return;
            }
            joining = client.joinAsync(group, member, instanceId, topics); // the second round
        }
    }

    /** Whether a cooperative rejoin is waiting at the group's barrier while this member goes on reading. */
    public boolean rejoining() {
        return joining != null;
    }

    /** The member's partitions now (empty before the first poll). */
    public List<TopicPartition> partitions() {
        return List.copyOf(positions.keySet());
    }

    /** Each owned partition and the next offset this member will read there (what {@link #commit} commits). */
    public Map<TopicPartition, Long> positions() {
        return Map.copyOf(positions);
    }

    /** The generation the member believes it is in. */
    public int generation() {
        return generation;
    }

    /** The member's id. */
    public String member() {
        return member;
    }

    /**
     * Commits, then leaves the group so that its partitions move at once (not after a session timeout).
     * A {@link #staticMember static member} commits and stays: its restart takes its partitions back.
     */
    @Override
    public void close() {
        if (joined && !fenced) {
            try {
                commit();
            } finally {
                if (instanceId.isEmpty()) {
                    client.leave(group, member);
                }
                joined = false;
            }
        }
    }
}

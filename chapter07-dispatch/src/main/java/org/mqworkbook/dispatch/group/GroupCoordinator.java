package org.mqworkbook.dispatch.group;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.mqworkbook.dispatch.partition.PartitionAssignor;
import org.mqworkbook.dispatch.partition.Subscription;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.marker.ExerciseNotDone;
import org.mqworkbook.storage.CheckpointFile;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.StorageException;

/**
 * The coordinator of one consumer group: who is in the group, which partitions each member reads, and
 * the offsets the group has committed. Methods of this class are thread safe: every method holds one
 * lock for its whole body, so a join, an expiry and a commit are each atomic with respect to the others.
 *
 * <p>Every change of membership (a join, a leave, a session that expires) starts a new
 * <em>generation</em> and reassigns all partitions with the {@link PartitionAssignor}. The generation is
 * a fencing token: a commit is accepted only from a member of the current generation that owns the
 * partition in it. Without the fence, a member that was expelled while paused (a "zombie": a long GC
 * pause, a slow disk) wakes up and commits an old offset after the new owner has moved on, rewinding
 * the group. Kafka's {@code GroupCoordinator} does exactly this check ({@code ILLEGAL_GENERATION},
 * {@code UNKNOWN_MEMBER_ID}); since 2.5 it also fences the producer side of transactions the same way.
 *
 * <p>Simplified on purpose: Kafka's rebalance is a two-step protocol (JoinGroup, then SyncGroup with an
 * assignment computed by the group leader) during which members stop consuming; here one call assigns
 * at once. A real broker also stores committed offsets as records in the compacted
 * {@code __consumer_offsets} topic, replicated like any other; here they are chapter 6's
 * {@link CheckpointFile} (temporary file, fsync, rename, fsync of the directory), as the ack checkpoint of
 * chapter 6's durable queues is.
 */
public final class GroupCoordinator {
    /** The name of the checkpoint file inside the directory given to {@link #open}. */
    public static final String FILE = "committed-offsets.checkpoint";
    /** The checkpoint's kind and version: {@code topic#partition=offset} lines as its payload. */
    private static final String KIND = "OFFS";
    private static final int VERSION = 1;

    private final String groupId;
    private final PartitionAssignor assignor;
    /** Topic → number of partitions. Guarded by lock: a broker adds topics as they are created. */
    private Map<String, Integer> partitionsPerTopic;
    private final Duration sessionTimeout;
    private final Clock clock;
    /** The checkpoint, or null for a group whose commits live only in memory. */
    private final CheckpointFile checkpointFile;

    /*
     * One ReentrantLock rather than synchronized methods so that the rule "every method locks" is
     * visible in each method, and the rebalance helper can assert that its caller holds it.
     */
    private final ReentrantLock lock = new ReentrantLock();
    /** Member id → its state; a TreeMap so that rebalances see members in id order. Guarded by lock. */
    private final Map<String, Member> members = new TreeMap<>();
    /** Partition → the next offset the group will read from it. Guarded by lock. */
    private final Map<TopicPartition, Long> committed = new TreeMap<>();
    /** Set while {@link #commitAll} commits partition by partition: it writes one checkpoint at the end. */
    private boolean deferCheckpoint;
    /** 0 before the first join. Guarded by lock. */
    private int generation;

    /** What the coordinator knows about one member. Guarded by the coordinator's lock. */
    private static final class Member {
        Set<String> topics;
        Instant deadline;
        List<TopicPartition> owned = List.of();

        Member(Set<String> topics, Instant deadline) {
            this.topics = topics;
            this.deadline = deadline;
        }
    }

    /**
     * A group whose committed offsets live only in memory.
     *
     * @param groupId            the group's name, used in messages
     * @param assignor           decides who reads what at every rebalance
     * @param partitionsPerTopic topic → its number of partitions
     * @param sessionTimeout     a member not heard from for this long is removed by {@link #expireMembers}
     * @param clock              the time source for session deadlines
     */
    public GroupCoordinator(String groupId, PartitionAssignor assignor, Map<String, Integer> partitionsPerTopic,
                            Duration sessionTimeout, Clock clock) {
        this(groupId, assignor, partitionsPerTopic, sessionTimeout, clock, null);
    }

    /** The checkpoint of a group whose commits are kept in {@code dir}, written through {@code opener}. */
    private static CheckpointFile checkpointIn(Path dir, FileOpener opener) {
        return new CheckpointFile(dir.resolve(FILE), KIND, VERSION, opener);
    }

    private GroupCoordinator(String groupId, PartitionAssignor assignor, Map<String, Integer> partitionsPerTopic,
                             Duration sessionTimeout, Clock clock, CheckpointFile checkpointFile) {
        this.groupId = Objects.requireNonNull(groupId, "groupId");
        this.assignor = Objects.requireNonNull(assignor, "assignor");
        this.partitionsPerTopic = Map.copyOf(partitionsPerTopic);
        this.sessionTimeout = Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.checkpointFile = checkpointFile;
    }

    /**
     * A group whose commits are checkpointed in {@code dir} on the real disk.
     *
     * @see #open(String, PartitionAssignor, Map, Duration, Clock, Path, FileOpener)
     */
    public static GroupCoordinator open(String groupId, PartitionAssignor assignor,
                                        Map<String, Integer> partitionsPerTopic, Duration sessionTimeout,
                                        Clock clock, Path dir) throws IOException {
        return open(groupId, assignor, partitionsPerTopic, sessionTimeout, clock, dir, FileOpener.REAL);
    }

    /**
     * A group whose commits are checkpointed in {@code dir}, written through {@code opener} (a crash test
     * passes its simulator), with the offsets committed there before (by an earlier coordinator of this
     * group) loaded back. Membership is not durable: after a restart every member rejoins, as Kafka's
     * consumers do when their coordinator moves to another broker.
     *
     * @throws IOException if the checkpoint cannot be read; a {@link org.mqworkbook.storage.StorageException}
     *                     naming the file if it is foreign, torn, corrupt or holds a line that is not
     *                     {@code topic#partition=offset}
     */
    public static GroupCoordinator open(String groupId, PartitionAssignor assignor,
                                        Map<String, Integer> partitionsPerTopic, Duration sessionTimeout,
                                        Clock clock, Path dir, FileOpener opener) throws IOException {
        CheckpointFile file = checkpointIn(dir, opener);
        GroupCoordinator coordinator =
            new GroupCoordinator(groupId, assignor, partitionsPerTopic, sessionTimeout, clock, file);
        Optional<CheckpointFile.Content> content = file.read();
        if (content.isPresent()) {
            Properties properties = new Properties();
            properties.load(new StringReader(UTF_8.decode(content.get().payload()).toString()));
            for (String key : properties.stringPropertyNames()) {
                // The key is "topic#partition": split at the last '#', since a topic name may contain one.
                int hash = key.lastIndexOf('#');
                if (hash < 0) {
                    throw new StorageException(file.file(), "bad key '" + key + "': expected topic#partition");
                }
                try {
                    TopicPartition partition =
                        new TopicPartition(key.substring(0, hash), Integer.parseInt(key.substring(hash + 1)));
                    coordinator.committed.put(partition, Long.parseLong(properties.getProperty(key)));
                } catch (IllegalArgumentException e) {
                    throw new StorageException(file.file(), "bad entry '" + key + "=" + properties.getProperty(key)
                        + "'", e);
                }
            }
        }
        return coordinator;
    }

    /**
     * Adds {@code memberId} to the group, or updates its topics if it is already in it, and rebalances.
     *
     * @return the new generation and the member's partitions in it
     */
    public JoinResult join(String memberId, Set<String> topics) {
        lock.lock();
        try {
            // BEGIN EXERCISE 7.2
            throw new ExerciseNotDone("7.2");
            // END EXERCISE 7.2
        } finally {
            lock.unlock();
        }
    }

    /** Removes {@code memberId} from the group and rebalances; nothing happens for an unknown member. */
    public void leave(String memberId) {
        lock.lock();
        try {
            // BEGIN EXERCISE 7.2
            throw new ExerciseNotDone("7.2");
            // END EXERCISE 7.2
        } finally {
            lock.unlock();
        }
    }

    /**
     * Refreshes the member's session deadline and tells it whether it is still in the current generation.
     *
     * @param generation the generation the member believes it is in
     */
    public HeartbeatResult heartbeat(String memberId, int generation) {
        lock.lock();
        try {
            // BEGIN EXERCISE 7.2
            throw new ExerciseNotDone("7.2");
            // END EXERCISE 7.2
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes every member whose session deadline has passed on the clock, and rebalances once if any was
     * removed. Kafka's coordinator runs this from a timer per member; tests call it after advancing a
     * manual clock.
     *
     * @return how many members were removed
     */
    public int expireMembers() {
        lock.lock();
        try {
            // BEGIN EXERCISE 7.2
            throw new ExerciseNotDone("7.2");
            // END EXERCISE 7.2
        } finally {
            lock.unlock();
        }
    }

    /** The member's partitions and the generation they belong to; an empty assignment if it is unknown. */
    public Assignment assignmentOf(String memberId) {
        lock.lock();
        try {
            Member member = members.get(memberId);
            return new Assignment(generation, member == null ? List.of() : member.owned);
        } finally {
            lock.unlock();
        }
    }

    /** The current generation: 0 before the first join, then one more at every rebalance. */
    public int generation() {
        lock.lock();
        try {
            return generation;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Tells the coordinator the topics that exist now (a broker calls this when a topic is created, so a
     * member may join for it). The next rebalance uses them; the current assignment is unchanged, since no
     * member can be subscribed to a topic the coordinator did not know.
     */
    public void updateTopics(Map<String, Integer> partitionCounts) {
        lock.lock();
        try {
            this.partitionsPerTopic = Map.copyOf(partitionCounts);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A topic the group may read has grown (partitions were added): records the new counts and, if a
     * member subscribes to a topic whose count changed, rebalances so that the new partitions get owners
     * — what a Kafka consumer's metadata refresh sets off.
     *
     * @return whether the group rebalanced
     */
    public boolean topicsGrew(Map<String, Integer> partitionCounts) {
        lock.lock();
        try {
            Map<String, Integer> before = partitionsPerTopic;
            this.partitionsPerTopic = Map.copyOf(partitionCounts);
            boolean affected = members.values().stream().flatMap(m -> m.topics.stream())
                .anyMatch(topic -> !Objects.equals(before.get(topic), partitionCounts.get(topic)));
            if (affected) {
                rebalance();
            }
            return affected;
        } finally {
            lock.unlock();
        }
    }

    /** The group's members, in id order: for tools and demos that show who owns what. */
    public List<String> members() {
        lock.lock();
        try {
            return List.copyOf(members.keySet());
        } finally {
            lock.unlock();
        }
    }

    /** The group's name. */
    public String groupId() {
        return groupId;
    }

    /**
     * Records that the group has processed {@code partition} up to, not including, {@code offset}: the
     * next owner starts reading there. Checkpointed before returning when the group has a directory.
     *
     * @throws IllegalGenerationException if {@code generation} is not the current one, the member is not
     *                                    in the group, or it does not own the partition in this generation
     * @throws UncheckedIOException       if the checkpoint cannot be written
     */
    public void commit(String memberId, int generation, TopicPartition partition, long offset) {
        lock.lock();
        try {
            // BEGIN EXERCISE 7.2
            throw new ExerciseNotDone("7.2");
            // END EXERCISE 7.2
        } finally {
            lock.unlock();
        }
    }

    /**
     * Commits several partitions in one call with one checkpoint, as Kafka's {@code OffsetCommit} request
     * carries all of a member's partitions: each is fenced exactly as {@link #commit} fences it. The
     * partitions are committed in order; if one is refused, those before it stay committed (and are
     * checkpointed), the rest are not, and the refusal is thrown.
     *
     * @throws IllegalGenerationException for the first partition refused
     * @throws UncheckedIOException       if the checkpoint cannot be written
     */
    public void commitAll(String memberId, int generation, Map<TopicPartition, Long> offsets) {
        lock.lock();
        try {
            deferCheckpoint = true;
            try {
                for (Map.Entry<TopicPartition, Long> entry : offsets.entrySet()) {
                    commit(memberId, generation, entry.getKey(), entry.getValue());
                }
            } finally {
                deferCheckpoint = false;
                checkpoint();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Every committed offset of the group, by partition: a copy, for tools that show the group's lag. */
    public Map<TopicPartition, Long> committedOffsets() {
        lock.lock();
        try {
            return new TreeMap<>(committed);
        } finally {
            lock.unlock();
        }
    }

    /** The next offset the group reads from {@code partition}, or empty if nothing was committed for it. */
    public OptionalLong committed(TopicPartition partition) {
        lock.lock();
        try {
            Long offset = committed.get(partition);
            return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts a new generation and reassigns every partition among the members, telling the assignor what
     * each member owned before so that a sticky assignor can keep it. The caller holds the lock.
     */
    private void rebalance() {
        assert lock.isHeldByCurrentThread() : "rebalance needs the coordinator's lock";
        // BEGIN EXERCISE 7.2
        throw new ExerciseNotDone("7.2");
        // END EXERCISE 7.2
    }

    /**
     * Writes the committed offsets durably through the {@link CheckpointFile}, so that a crash leaves the
     * old checkpoint or the new one, never a torn mix. Forcing on every commit is slow (a real broker
     * batches commits into a log); the workbook keeps it simple. The caller holds the lock, so checkpoints
     * are written in the order of the commits they hold: a later one never holds older offsets.
     */
    private void checkpoint() {
        assert lock.isHeldByCurrentThread() : "checkpoint needs the coordinator's lock";
        if (checkpointFile == null || deferCheckpoint) {
            return;
        }
        Properties properties = new Properties();
        for (Map.Entry<TopicPartition, Long> entry : committed.entrySet()) {
            properties.setProperty(entry.getKey().topic() + "#" + entry.getKey().partition(),
                Long.toString(entry.getValue()));
        }
        try {
            StringWriter text = new StringWriter();
            properties.store(text, "committed offsets of group " + groupId);
            checkpointFile.write(ByteBuffer.wrap(text.toString().getBytes(UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot checkpoint the committed offsets of group " + groupId
                + " in " + checkpointFile.file(), e);
        }
    }
}

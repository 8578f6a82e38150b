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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.mqworkbook.dispatch.partition.PartitionAssignor;
import org.mqworkbook.dispatch.partition.RebalanceProtocol;
import org.mqworkbook.dispatch.partition.Subscription;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.storage.CheckpointFile;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.StorageException;

/**
 * The coordinator of one consumer group: who is in the group, which partitions each member reads, and
 * the offsets the group has committed. Methods of this class are thread safe: every method holds one
 * lock for its whole body, so a join, an expiry and a commit are each atomic with respect to the others.
 * The futures {@link #join} returns are completed after that lock is released, on the thread whose call
 * completed the rebalance (a join, a leave or {@link #expireMembers}): whatever a caller chains on them
 * runs there, never under the lock.
 *
 * <p><b>Generations.</b> Every change of membership (a join, a leave, a session that expires, a topic
 * that grows) starts a <em>rebalance</em>, and every rebalance that completes starts a new
 * <em>generation</em> in which the {@link PartitionAssignor} has reassigned all partitions. The
 * generation is a fencing token: a commit is accepted only from a member of the current generation that
 * owns the partition in it. Without the fence, a member that was expelled while paused (a "zombie": a
 * long GC pause, a slow disk) wakes up and commits an old offset after the new owner has moved on,
 * rewinding the group. Kafka's {@code GroupCoordinator} does exactly this check
 * ({@code ILLEGAL_GENERATION}, {@code UNKNOWN_MEMBER_ID}).
 *
 * <p><b>The join barrier.</b> A rebalance does not hand out anything until every member has rejoined.
 * Rejoining is how a member says "I have committed what I processed and stopped reading my partitions";
 * until it has, it still owns them (and may still commit them) in the current generation. So the answer
 * to every join of the round waits — the future stays incomplete — until the last known member has
 * joined, and only then does the coordinator assign and answer them all at once. A member that does not
 * rejoin within the rebalance timeout (measured on the injected clock from the start of the rebalance) is
 * removed, and the others are answered without it. This is Kafka's classic "eager" protocol: its
 * {@code PreparingRebalance} state holds JoinGroup requests in a purgatory until all members are in or
 * {@code rebalance.timeout.ms} (the consumer's {@code max.poll.interval.ms}) has passed. Without the
 * barrier, the new owner of a partition could start on it while the old owner was still processing it.
 *
 * <p><b>Static members and the cooperative protocol.</b> A static member (exercise 7.7) names itself with
 * an instance id that outlives its member id, so that a restart takes its place back without a rebalance.
 * With a cooperative assignor (exercise 7.8, {@link RebalanceProtocol#COOPERATIVE}) a rejoin gives up
 * only the partitions the member was told to give up: members keep, and keep reading, the rest through
 * the barrier, and a partition that moves reaches its new owner in a second round.
 *
 * <p>Simplified on purpose: Kafka follows the JoinGroup with a SyncGroup round trip, because its
 * assignment is computed by one of the members (the group leader); here the coordinator assigns, so the
 * join's answer carries the assignment. A real broker also stores committed offsets as records in the
 * compacted {@code __consumer_offsets} topic, replicated like any other; here they are chapter 6's
 * {@link CheckpointFile} (temporary file, fsync, rename, fsync of the directory), as the ack checkpoint of
 * chapter 6's durable queues is.
 */
public final class GroupCoordinator {
    /** The name of the checkpoint file inside the directory given to {@link #open}. */
    public static final String FILE = "committed-offsets.checkpoint";
    /** How many fenced member ids the coordinator remembers, to answer them {@code FENCED}. */
    static final int MAX_FENCED = 1000;
    /** The checkpoint's kind and version: {@code topic#partition=offset} lines as its payload. */
    private static final String KIND = "OFFS";
    private static final int VERSION = 1;

    private final String groupId;
    private final PartitionAssignor assignor;
    /** Topic → number of partitions. Guarded by lock: a broker adds topics as they are created. */
    private Map<String, Integer> partitionsPerTopic;
    private final Duration sessionTimeout;
    private final Duration rebalanceTimeout;
    private final Clock clock;
    /** The checkpoint, or null for a group whose commits live only in memory. */
    private final CheckpointFile checkpointFile;

    /*
     * One ReentrantLock rather than synchronized methods so that the rule "every method locks" is
     * visible in each method, the helpers can assert that their caller holds it, and unlock() can tell
     * the outermost hold (where join answers are sent) from a nested one.
     */
    private final ReentrantLock lock = new ReentrantLock();
    /** Member id → its state; a TreeMap so that rebalances see members in id order. Guarded by lock. */
    private final Map<String, Member> members = new TreeMap<>();
    /** Partition → the next offset the group will read from it. Guarded by lock. */
    private final Map<TopicPartition, Long> committed = new TreeMap<>();
    /**
     * Member ids of earlier incarnations of static members, fenced by a later one (exercise 7.7) → the
     * instance id: their heartbeats are answered {@code FENCED} and their joins refused. The latest
     * {@value #MAX_FENCED}, the eldest forgotten first: a client restarting forever, or inventing instance
     * ids, cannot grow it. Guarded by lock.
     */
    private final Map<String, String> fenced = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > MAX_FENCED;
        }
    };
    /** Join answers decided under the lock, sent by {@link #unlock()} once it is released. Guarded by lock. */
    private final List<Runnable> answers = new ArrayList<>();
    /** Set while {@link #commitAll} commits partition by partition: it writes one checkpoint at the end. */
    private boolean deferCheckpoint;
    /** 0 before the first rebalance completes. Guarded by lock. */
    private int generation;
    /**
     * When the rebalance in progress gives up on members that have not rejoined; null while the group is
     * stable (no rebalance in progress). Guarded by lock.
     */
    private Instant rebalanceDeadline;

    /** What the coordinator knows about one member. Guarded by the coordinator's lock. */
    private static final class Member {
        Set<String> topics;
        /** When the member's session ends unless it is heard from again. */
        Instant deadline;
        /**
         * Its partitions in the current generation. Eager: while it waits at the barrier ({@code joining}
         * set) it may no longer read or commit them, but they are still what it owned before, which the
         * sticky assignor keeps where it can. Cooperative (7.8): what it holds right now, waiting or not —
         * including the {@code revoking} ones until it rejoins.
         */
        List<TopicPartition> owned = List.of();
        /** The answer to its join in the rebalance in progress; null if it has not rejoined yet. */
        CompletableFuture<JoinResult> joining;
        /**
         * With the cooperative protocol (exercise 7.8): the partitions of {@code owned} it has been told to
         * give up. It still holds them — it may commit them — until it rejoins; then they are free.
         */
        List<TopicPartition> revoking = List.of();
        /** A static member's {@code group.instance.id} (exercise 7.7); null for a dynamic member. */
        final String instanceId;

        Member(Set<String> topics, Instant deadline, String instanceId) {
            this.topics = topics;
            this.deadline = deadline;
            this.instanceId = instanceId;
        }
    }

    /**
     * A group whose committed offsets live only in memory, and whose rebalance timeout is its session
     * timeout: a member has one session's time to rejoin.
     *
     * @param groupId            the group's name, used in messages
     * @param assignor           decides who reads what at every rebalance
     * @param partitionsPerTopic topic → its number of partitions
     * @param sessionTimeout     a member not heard from for this long is removed by {@link #expireMembers}
     * @param clock              the time source for session and rebalance deadlines
     */
    public GroupCoordinator(String groupId, PartitionAssignor assignor, Map<String, Integer> partitionsPerTopic,
                            Duration sessionTimeout, Clock clock) {
        this(groupId, assignor, partitionsPerTopic, sessionTimeout, sessionTimeout, clock, null);
    }

    /**
     * A group whose committed offsets live only in memory.
     *
     * @param rebalanceTimeout how long a rebalance waits for every member to rejoin before it removes the
     *                         ones that have not (Kafka's {@code rebalance.timeout.ms})
     */
    public GroupCoordinator(String groupId, PartitionAssignor assignor, Map<String, Integer> partitionsPerTopic,
                            Duration sessionTimeout, Duration rebalanceTimeout, Clock clock) {
        this(groupId, assignor, partitionsPerTopic, sessionTimeout, rebalanceTimeout, clock, null);
    }

    /** The checkpoint of a group whose commits are kept in {@code dir}, written through {@code opener}. */
    private static CheckpointFile checkpointIn(Path dir, FileOpener opener) {
        return new CheckpointFile(dir.resolve(FILE), KIND, VERSION, opener);
    }

    private GroupCoordinator(String groupId, PartitionAssignor assignor, Map<String, Integer> partitionsPerTopic,
                             Duration sessionTimeout, Duration rebalanceTimeout, Clock clock,
                             CheckpointFile checkpointFile) {
        this.groupId = Objects.requireNonNull(groupId, "groupId");
        this.assignor = Objects.requireNonNull(assignor, "assignor");
        this.partitionsPerTopic = Map.copyOf(partitionsPerTopic);
        this.sessionTimeout = Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        this.rebalanceTimeout = Objects.requireNonNull(rebalanceTimeout, "rebalanceTimeout");
        if (sessionTimeout.isNegative() || sessionTimeout.isZero() || rebalanceTimeout.isNegative()
            || rebalanceTimeout.isZero()) {
            throw new IllegalArgumentException("group " + groupId + " needs positive timeouts, not a session of "
                + sessionTimeout + " and a rebalance of " + rebalanceTimeout);
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.checkpointFile = checkpointFile;
    }

    /**
     * A group whose commits are checkpointed in {@code dir} on the real disk, with a rebalance timeout
     * equal to its session timeout.
     *
     * @see #open(String, PartitionAssignor, Map, Duration, Duration, Clock, Path, FileOpener)
     */
    public static GroupCoordinator open(String groupId, PartitionAssignor assignor,
                                        Map<String, Integer> partitionsPerTopic, Duration sessionTimeout,
                                        Clock clock, Path dir) throws IOException {
        return open(groupId, assignor, partitionsPerTopic, sessionTimeout, sessionTimeout, clock, dir,
            FileOpener.REAL);
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
                                        Duration rebalanceTimeout, Clock clock, Path dir, FileOpener opener)
        throws IOException {
        CheckpointFile file = checkpointIn(dir, opener);
        GroupCoordinator coordinator = new GroupCoordinator(groupId, assignor, partitionsPerTopic, sessionTimeout,
            rebalanceTimeout, clock, file);
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
     * Joins {@code memberId} to the group for {@code topics}: a new member, a member rejoining after its
     * heartbeat answered {@link HeartbeatResult#REBALANCE_NEEDED}, or a member changing its topics. A join
     * starts a rebalance if none is in progress, and from then on the member cannot commit until it is
     * answered; with the eager protocol it has given up all its partitions, with the cooperative one only
     * those it was told to give up (7.8). The answer waits at the barrier until every member of the group has
     * joined this round (or the rebalance timed out and {@link #expireMembers} removed the others), then
     * carries the new generation and the member's partitions in it. A repeated join in a stable group with
     * the same topics (an answer the member never received) is answered at once with what it owns.
     *
     * @return the member's generation and partitions once the rebalance completes; fails with an
     *         {@link IllegalGenerationException} if the member leaves before that
     */
    public CompletableFuture<JoinResult> join(String memberId, Set<String> topics) {
        lock.lock();
        try {
            refuseFenced(memberId);
            return joinMember(memberId, null, topics);
        } finally {
            unlock();
        }
    }

    /**
     * Joins a <em>static</em> member (Kafka's {@code group.instance.id}, KIP-345): {@code instanceId}
     * names the consumer instance across restarts, {@code memberId} one run of it. A member id that is
     * not in the group, with an instance id another member has, is that instance restarted (a member id
     * fenced earlier is refused before anything else): it takes the previous
     * incarnation's place — its partitions, its generation, its place at a barrier — and the previous
     * member id is fenced (its heartbeats are answered {@link HeartbeatResult#FENCED}, its commits and a
     * join it had waiting are refused). In a stable group, with the same topics, the restarted member
     * gets its partitions back at once: no rebalance, the rest of the group never notices. Otherwise the
     * join is {@link #join(String, Set)}'s.
     *
     * @throws IllegalArgumentException if {@code memberId} is already in the group as a dynamic member or
     *                                  as another instance
     */
    public CompletableFuture<JoinResult> join(String memberId, String instanceId, Set<String> topics) {
        Objects.requireNonNull(instanceId, "instanceId");
        lock.lock();
        try {
            refuseFenced(memberId); // before anything: an old incarnation must not fence the live one in turn
            // BEGIN EXERCISE 7.7
            Member same = members.get(memberId);
            if (same != null && !instanceId.equals(same.instanceId)) {
                throw new IllegalArgumentException("member " + memberId + " of group " + groupId + " is already "
                    + (same.instanceId == null ? "a dynamic member" : "instance " + same.instanceId)
                    + "; a restarted instance " + instanceId + " needs a new member id");
            }
            String previous = null;
            for (Map.Entry<String, Member> entry : members.entrySet()) {
                if (instanceId.equals(entry.getValue().instanceId)) {
                    previous = entry.getKey();
                }
            }
            if (previous != null && !previous.equals(memberId)) {
                Member incarnation = members.remove(previous);
                if (incarnation.joining != null) {
                    CompletableFuture<JoinResult> waiting = incarnation.joining;
                    IllegalGenerationException fence = new IllegalGenerationException("member " + previous
                        + " of group " + groupId + " was fenced: instance " + instanceId + " rejoined as "
                        + memberId);
                    answers.add(() -> waiting.completeExceptionally(fence));
                    incarnation.joining = null; // the new incarnation joins in its place, below
                }
                fenced.put(previous, instanceId);
                members.put(memberId, incarnation);
            }
            return joinMember(memberId, instanceId, topics);
            // END EXERCISE 7.7
        } finally {
            unlock();
        }
    }

    /**
     * Refuses a join from a member id that a later incarnation of its static instance has fenced (7.7):
     * let back in, the old process would take the instance's place and fence the live one. Kafka answers
     * such a join {@code FENCED_INSTANCE_ID}.
     */
    private void refuseFenced(String memberId) {
        String instance = fenced.get(memberId);
        if (instance != null && !members.containsKey(memberId)) {
            throw new IllegalGenerationException("member " + memberId + " of group " + groupId + " was fenced: "
                + "instance " + instance + " has rejoined under another member id; this process must stop");
        }
    }

    /**
     * Refuses, before anything changes, a join that the group's assignor could not assign (an assignor may
     * refuse a group with an {@link IllegalArgumentException}; the chapter's own ones assign any group since the
     * sticky ones handle different subscriptions). Found at the join, the member is told why; found at the end
     * of the barrier, every waiting join would be stuck.
     * Asks the assignor once with the group as it would be; joins are rare, and a group's size is bounded.
     */
    private void requireAssignable(String memberId, Set<String> topics) {
        Map<String, Subscription> group = new TreeMap<>();
        members.forEach((id, member) -> group.put(id, new Subscription(member.topics, member.owned)));
        group.put(memberId, new Subscription(Set.copyOf(topics), List.of()));
        try {
            assignor.assign(group, partitionsPerTopic);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("group " + groupId + " cannot take member " + memberId + " with topics "
                + new TreeSet<>(topics) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Every join goes through here. A member coming back with partitions it was told to give up (the
     * cooperative protocol, 7.8) hands them over first; then it enters the barrier. The caller holds the
     * lock.
     */
    private CompletableFuture<JoinResult> joinMember(String memberId, String instanceId, Set<String> topics) {
        assert lock.isHeldByCurrentThread() : "joinMember needs the coordinator's lock";
        Member known = members.get(memberId);
        if (known == null || !known.topics.equals(topics)) {
            requireAssignable(memberId, topics);
        }
        if (known != null && !known.revoking.isEmpty()) {
            handOver(known);
        }
        return enterBarrier(memberId, instanceId, topics);
    }

    /**
     * The join itself: adds the member (a new one with {@code instanceId}, null for a dynamic member),
     * or updates a known member's topics, and returns the answer that waits at the barrier. The caller
     * holds the lock.
     */
    private CompletableFuture<JoinResult> enterBarrier(String memberId, String instanceId, Set<String> topics) {
        assert lock.isHeldByCurrentThread() : "enterBarrier needs the coordinator's lock";
        // BEGIN EXERCISE 7.2
        Instant now = clock.instant();
        Member member = members.get(memberId);
        if (member == null) {
            member = new Member(Set.copyOf(topics), now.plus(sessionTimeout), instanceId);
            members.put(memberId, member);
        } else {
            member.deadline = now.plus(sessionTimeout);
            if (!rebalancing() && member.topics.equals(topics)) {
                return CompletableFuture.completedFuture(new JoinResult(generation, member.owned));
            }
            member.topics = Set.copyOf(topics);
        }
        if (!rebalancing()) {
            startRebalance(now);
        }
        if (member.joining == null) {
            member.joining = new CompletableFuture<>(); // from here on it has given up its partitions
        }
        CompletableFuture<JoinResult> answer = member.joining;
        completeRebalanceIfReady(); // the last member in lets everyone through
        return answer;
        // END EXERCISE 7.2
    }

    /**
     * Removes {@code memberId} from the group; nothing happens for an unknown member. The others must
     * rejoin to share its partitions, so this starts a rebalance — or, if one is in progress and the member
     * was the last one the barrier waited for, completes it.
     */
    public void leave(String memberId) {
        lock.lock();
        try {
            // BEGIN EXERCISE 7.2
            Member member = members.remove(memberId);
            if (member == null) {
                return;
            }
            if (member.joining != null) {
                CompletableFuture<JoinResult> waiting = member.joining;
                IllegalGenerationException left = new IllegalGenerationException("member " + memberId
                    + " left group " + groupId + " while its join waited for the rebalance");
                answers.add(() -> waiting.completeExceptionally(left));
            }
            if (!members.isEmpty() && !rebalancing()) {
                startRebalance(clock.instant());
            }
            completeRebalanceIfReady();
            // END EXERCISE 7.2
        } finally {
            unlock();
        }
    }

    /**
     * Refreshes the member's session deadline and tells it whether to go on: {@code OK} in a stable group
     * when its generation is the current one; {@code REBALANCE_NEEDED} while a rebalance is in progress,
     * when its generation is old, or while it still holds partitions it was told to give up (7.8) —
     * commit, then {@link #join} again; {@code UNKNOWN_MEMBER} if the group does not know it (it left, or
     * was removed); {@code FENCED} for an earlier incarnation of a static member (7.7), which must stop.
     *
     * @param generation the generation the member believes it is in
     */
    public HeartbeatResult heartbeat(String memberId, int generation) {
        lock.lock();
        try {
            if (fenced.containsKey(memberId) && !members.containsKey(memberId)) {
                return HeartbeatResult.FENCED; // an earlier incarnation of a static member (7.7): stop
            }
            Member revoker = members.get(memberId);
            if (revoker != null && !revoker.revoking.isEmpty()) {
                revoker.deadline = clock.instant().plus(sessionTimeout);
                return HeartbeatResult.REBALANCE_NEEDED; // 7.8: give up what you were told to, then rejoin
            }
            // BEGIN EXERCISE 7.2
            Member member = members.get(memberId);
            if (member == null) {
                return HeartbeatResult.UNKNOWN_MEMBER;
            }
            member.deadline = clock.instant().plus(sessionTimeout);
            return rebalancing() || generation != this.generation
                ? HeartbeatResult.REBALANCE_NEEDED : HeartbeatResult.OK;
            // END EXERCISE 7.2
        } finally {
            unlock();
        }
    }

    /**
     * The coordinator's timer, on the injected clock: removes every member whose session deadline has
     * passed, and, once a rebalance has waited its whole rebalance timeout, every member that has not
     * rejoined; then starts or completes the rebalance that their leaving calls for. A member waiting at
     * the barrier is not expired: it is waiting for the coordinator, not silent. Kafka's coordinator runs
     * this from a timer per member; the broker calls it periodically, tests after advancing a manual clock.
     *
     * @return how many members were removed
     */
    public int expireMembers() {
        lock.lock();
        try {
            // BEGIN EXERCISE 7.2
            Instant now = clock.instant();
            // A deadline equal to now has not passed yet: the member had exactly the timeout to speak.
            boolean barrierTimedOut = rebalancing() && rebalanceDeadline.isBefore(now);
            int before = members.size();
            members.values().removeIf(member -> member.joining == null
                && (barrierTimedOut || member.deadline.isBefore(now)));
            int removed = before - members.size();
            if (removed > 0 && !members.isEmpty() && !rebalancing()) {
                startRebalance(now); // one rebalance for all of them, not one generation per expired member
            }
            completeRebalanceIfReady();
            return removed;
            // END EXERCISE 7.2
        } finally {
            unlock();
        }
    }

    /**
     * The member's partitions and the generation they belong to: what it may read now. Empty if it is
     * unknown, or if it has rejoined and waits for an eager rebalance to complete; with the cooperative
     * protocol a waiting member goes on reading what it holds, and partitions it must give up are left
     * out.
     */
    public Assignment assignmentOf(String memberId) {
        lock.lock();
        try {
            Member member = members.get(memberId);
            if (member == null || member.joining != null && assignor.protocol() == RebalanceProtocol.EAGER) {
                return new Assignment(generation, List.of());
            }
            List<TopicPartition> reading = new ArrayList<>(member.owned);
            reading.removeAll(member.revoking);
            return new Assignment(generation, reading);
        } finally {
            unlock();
        }
    }

    /** The current generation: 0 before the first rebalance completes, then one more at every rebalance. */
    public int generation() {
        lock.lock();
        try {
            return generation;
        } finally {
            unlock();
        }
    }

    /**
     * Whether a rebalance is in progress: it has started (a join, a leave, an expiry, a topic that grew)
     * and not completed yet — until every member has rejoined or the rebalance timeout removed the rest.
     */
    public boolean rebalancing() {
        lock.lock();
        try {
            return rebalanceDeadline != null;
        } finally {
            unlock();
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
            unlock();
        }
    }

    /**
     * A topic the group may read has grown (partitions were added): records the new counts and, if a
     * member subscribes to a topic whose count changed, starts a rebalance so that the new partitions get
     * owners once the members have rejoined — what a Kafka consumer's metadata refresh sets off.
     *
     * @return whether the group is rebalancing because of it
     */
    public boolean topicsGrew(Map<String, Integer> partitionCounts) {
        lock.lock();
        try {
            Map<String, Integer> before = partitionsPerTopic;
            this.partitionsPerTopic = Map.copyOf(partitionCounts);
            boolean affected = members.values().stream().flatMap(m -> m.topics.stream())
                .anyMatch(topic -> !Objects.equals(before.get(topic), partitionCounts.get(topic)));
            if (affected && rebalanceDeadline == null) {
                startRebalance(clock.instant());
            }
            return affected;
        } finally {
            unlock();
        }
    }

    /** The group's members, in id order: for tools and demos that show who owns what. */
    public List<String> members() {
        lock.lock();
        try {
            return List.copyOf(members.keySet());
        } finally {
            unlock();
        }
    }

    /** Whether a static member with this instance id is in the group (its restart replaces it). */
    public boolean hasInstance(String instanceId) {
        lock.lock();
        try {
            return members.values().stream().anyMatch(member -> instanceId.equals(member.instanceId));
        } finally {
            unlock();
        }
    }

    /** How the group rebalances: as its assignor says ({@link PartitionAssignor#protocol()}). */
    public RebalanceProtocol protocol() {
        return assignor.protocol();
    }

    /** The group's name. */
    public String groupId() {
        return groupId;
    }

    /**
     * Records that the group has processed {@code partition} up to, not including, {@code offset}: the
     * next owner starts reading there. Checkpointed before returning when the group has a directory. A
     * member that has not rejoined yet may still commit while a rebalance is in progress — that is how it
     * hands its partitions over — but not after it has rejoined.
     *
     * @throws IllegalGenerationException if {@code generation} is not the current one, the member is not
     *                                    in the group, it has rejoined and given up its partitions, or it
     *                                    does not own the partition in this generation
     * @throws UncheckedIOException       if the checkpoint cannot be written
     */
    public void commit(String memberId, int generation, TopicPartition partition, long offset) {
        lock.lock();
        try {
            // BEGIN EXERCISE 7.2
            Member member = members.get(memberId);
            if (member == null || generation != this.generation || member.joining != null
                || !member.owned.contains(partition)) {
                throw new IllegalGenerationException("group " + groupId + " refuses the commit of offset " + offset
                    + " for " + partition + " by member " + memberId + " in generation " + generation
                    + ": the current generation is " + this.generation + " and "
                    + (member == null ? memberId + " is not a member"
                        : member.joining != null ? memberId + " has rejoined and given up its partitions"
                        : memberId + " owns " + member.owned));
            }
            committed.put(partition, offset);
            checkpoint();
            // END EXERCISE 7.2
        } finally {
            unlock();
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
            unlock();
        }
    }

    /** Every committed offset of the group, by partition: a copy, for tools that show the group's lag. */
    public Map<TopicPartition, Long> committedOffsets() {
        lock.lock();
        try {
            return new TreeMap<>(committed);
        } finally {
            unlock();
        }
    }

    /** The next offset the group reads from {@code partition}, or empty if nothing was committed for it. */
    public OptionalLong committed(TopicPartition partition) {
        lock.lock();
        try {
            Long offset = committed.get(partition);
            return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
        } finally {
            unlock();
        }
    }

    /**
     * Starts a rebalance at {@code now}: from here on every member must rejoin, and {@link #expireMembers}
     * removes those that have not by {@code now + rebalanceTimeout}. The caller holds the lock.
     */
    private void startRebalance(Instant now) {
        assert lock.isHeldByCurrentThread() : "startRebalance needs the coordinator's lock";
        // BEGIN EXERCISE 7.2
        rebalanceDeadline = now.plus(rebalanceTimeout);
        // END EXERCISE 7.2
    }

    /**
     * Completes the rebalance in progress if no member is missing any more: starts a new generation,
     * reassigns every partition among the members ({@link #assignAll}), and answers every waiting join
     * ({@link #answer}). A rebalance left with no members is simply over. Does nothing while a member
     * has not rejoined. The caller holds the lock.
     */
    private void completeRebalanceIfReady() {
        assert lock.isHeldByCurrentThread() : "completeRebalanceIfReady needs the coordinator's lock";
        // BEGIN EXERCISE 7.2
        if (rebalanceDeadline == null) {
            return;
        }
        for (Member member : members.values()) {
            if (member.joining == null) {
                return; // still owns its partitions: the barrier holds
            }
        }
        rebalanceDeadline = null;
        if (members.isEmpty()) {
            return;
        }
        generation++;
        Map<String, List<TopicPartition>> assignment = assignAll();
        for (Map.Entry<String, Member> entry : members.entrySet()) {
            answer(entry.getValue(), assignment.getOrDefault(entry.getKey(), List.of()));
        }
        // END EXERCISE 7.2
    }

    /**
     * Asks the assignor to assign every partition among the members, telling it what each owned before
     * (so that a sticky assignor can keep it); returns member id → its partitions. The caller holds the
     * lock.
     *
     * <p>Assignors order members by the names they are given. A static member (7.7) is given its
     * instance id, so that a restart — a new member id — keeps its place in that order and so its
     * partitions, and static members come before dynamic ones, each kind sorted by its id, as Kafka's
     * {@code AbstractPartitionAssignor.MemberInfo} sorts them. The names are prefixed to keep the two
     * kinds apart; the assignor never shows them to anyone.
     */
    private Map<String, List<TopicPartition>> assignAll() {
        assert lock.isHeldByCurrentThread() : "assignAll needs the coordinator's lock";
        Map<String, Subscription> subscriptions = new TreeMap<>();
        Map<String, String> memberNamed = new HashMap<>();
        for (Map.Entry<String, Member> entry : members.entrySet()) {
            Member member = entry.getValue();
            String name = member.instanceId != null ? "1 static " + member.instanceId : "2 dynamic " + entry.getKey();
            subscriptions.put(name, new Subscription(member.topics, member.owned));
            memberNamed.put(name, entry.getKey());
        }
        Map<String, List<TopicPartition>> byName = assignor.assign(subscriptions, partitionsPerTopic);
        Map<String, List<TopicPartition>> byMember = new TreeMap<>();
        byName.forEach((name, partitions) -> byMember.put(memberNamed.get(name), partitions));
        if (assignor.protocol() == RebalanceProtocol.COOPERATIVE) {
            withholdMoving(byMember);
        }
        return byMember;
    }

    /**
     * Answers a member's waiting join with {@code partitions}: they are what it holds from now on, with
     * the ones it must still give up (the cooperative protocol's {@code revoking}: it may commit them until
     * it rejoins); its session starts again from the answer; the future completes once the lock is
     * released. The caller holds the lock.
     */
    private void answer(Member member, List<TopicPartition> partitions) {
        assert lock.isHeldByCurrentThread() : "answer needs the coordinator's lock";
        List<TopicPartition> holds = new ArrayList<>(partitions);
        holds.addAll(member.revoking);
        holds.sort(null);
        member.owned = List.copyOf(holds);
        member.deadline = clock.instant().plus(sessionTimeout);
        CompletableFuture<JoinResult> waiting = member.joining;
        JoinResult result = new JoinResult(generation, partitions);
        answers.add(() -> waiting.complete(result));
        member.joining = null;
    }

    /**
     * The cooperative protocol's first round (KIP-429): in {@code target}, the assignor's assignment,
     * holds back every partition that another member still holds, and records on each member the
     * partitions it holds but is not assigned ({@code revoking}): it must give them up, and the round
     * after its rejoin hands them to their new owners. With every partition held by at most one member,
     * no partition is ever handed to a second one while the first may still be processing it. The
     * caller holds the lock.
     */
    private void withholdMoving(Map<String, List<TopicPartition>> target) {
        assert lock.isHeldByCurrentThread() : "withholdMoving needs the coordinator's lock";
        // BEGIN EXERCISE 7.8
        Map<TopicPartition, String> holders = new HashMap<>();
        members.forEach((id, member) -> member.owned.forEach(partition -> holders.put(partition, id)));
        for (Map.Entry<String, Member> entry : members.entrySet()) {
            String id = entry.getKey();
            Member member = entry.getValue();
            List<TopicPartition> given = new ArrayList<>();
            for (TopicPartition partition : target.getOrDefault(id, List.of())) {
                String holder = holders.get(partition);
                if (holder == null || holder.equals(id)) {
                    given.add(partition); // free, or already its own
                }
            }
            target.put(id, given);
            List<TopicPartition> revoking = new ArrayList<>(member.owned);
            revoking.removeAll(given);
            member.revoking = List.copyOf(revoking);
        }
        // END EXERCISE 7.8
    }

    /**
     * A member that was told to give up partitions has come back to rejoin: they are free now (it no
     * longer holds them), and the group needs a second round to hand them to their new owners, so a
     * rebalance starts if none is in progress. The caller holds the lock.
     */
    private void handOver(Member member) {
        assert lock.isHeldByCurrentThread() : "handOver needs the coordinator's lock";
        // BEGIN EXERCISE 7.8
        List<TopicPartition> kept = new ArrayList<>(member.owned);
        kept.removeAll(member.revoking);
        member.owned = List.copyOf(kept);
        member.revoking = List.of();
        if (!rebalancing()) {
            startRebalance(clock.instant());
        }
        // END EXERCISE 7.8
    }

    /** How many fenced member ids the coordinator remembers now (a test checks the bound). */
    int fencedCount() {
        lock.lock();
        try {
            return fenced.size();
        } finally {
            unlock();
        }
    }

    /**
     * Releases the lock and, if this was the outermost hold, completes the join answers decided under it.
     * Outside the lock because a future runs its dependents on the thread that completes it: a server's
     * reply, a test's assertion, a member's next request. Run under the lock, one slow or blocking
     * dependent would stall every member of the group, and one that waits for another thread which is
     * itself waiting for this lock would never finish.
     */
    private void unlock() {
        List<Runnable> ready = List.of();
        if (lock.getHoldCount() == 1 && !answers.isEmpty()) {
            ready = List.copyOf(answers);
            answers.clear();
        }
        lock.unlock();
        ready.forEach(Runnable::run);
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

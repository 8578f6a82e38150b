package org.mqworkbook.dispatch.broker;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.mqworkbook.dispatch.group.Assignment;
import org.mqworkbook.dispatch.group.GroupCoordinator;
import org.mqworkbook.dispatch.group.HeartbeatResult;
import org.mqworkbook.dispatch.group.IllegalGenerationException;
import org.mqworkbook.dispatch.group.JoinResult;
import org.mqworkbook.dispatch.partition.PartitionAssignor;
import org.mqworkbook.dispatch.partition.RebalanceProtocol;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.routing.ExchangeType;
import org.mqworkbook.dispatch.routing.HeaderValue;
import org.mqworkbook.dispatch.routing.TagFilter;
import org.mqworkbook.dispatch.topic.FetchResult;
import org.mqworkbook.dispatch.topic.PartitionOffset;
import org.mqworkbook.dispatch.topic.Topic;
import org.mqworkbook.marker.ExerciseNotDone;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.Header;
import org.mqworkbook.storage.LogConfig;
import org.mqworkbook.storage.Record;
import org.mqworkbook.storage.TimestampOffset;

/**
 * Chapter 7's broker: topics of partitioned logs (chapter 6) and the consumer groups that read them. It
 * is what {@link org.mqworkbook.dispatch.server.DispatchServer} serves over the network; every method
 * can also be called in process. Thread safe: topics and groups are in concurrent maps, each topic's
 * logs and each group's coordinator are thread safe themselves.
 *
 * <pre>
 *  dir/
 *  ├── topics/orders-0/ orders-1/ orders-2/    each a chapter 6 log; the topic's size is the directory count
 *  └── groups/billing/committed-offsets.properties     one per group, written atomically (exercise 7.2)
 * </pre>
 *
 * <p>A produce is acknowledged once its record is on disk ({@link Topic#awaitDurable}); concurrent
 * producers share fsyncs through chapter 6's group commit. A fetch names a partition and an offset and
 * is not fenced (Kafka does not fence reads either): only commits are, by generation and ownership.
 * Group membership lives in memory; committed offsets survive a restart, and members simply rejoin.
 */
public final class TopicBroker implements Closeable {
    /** The header that carries a record's RocketMQ-style tag, matched by a fetch's {@link TagFilter}. */
    public static final String TAG_HEADER = "tag";

    /** Group names follow the topic-name rule: they become directory names. */
    private static final Pattern LEGAL_GROUP = Topic.LEGAL_NAME;

    private final Path dir;
    private final BrokerConfig config;
    private final Clock clock;
    /** How every file of the broker is opened: the real disk, or a crash test's simulator. */
    private final FileOpener opener;
    private final ConcurrentMap<String, Topic> topics = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, GroupCoordinator> groups = new ConcurrentHashMap<>();
    /** Serialises topic creation and group creation, so that every group hears of every new topic. */
    private final Object catalogLock = new Object();
    /** Told the partition of every record appended: how parked long polls learn there is something new. */
    private final List<Consumer<TopicPartition>> appendListeners = new CopyOnWriteArrayList<>();

    /** The exchanges and their bindings, durable; set once by {@link #open}. */
    private ExchangeCatalog exchanges;

    private TopicBroker(Path dir, BrokerConfig config, Clock clock, FileOpener opener) {
        this.dir = dir;
        this.config = config;
        this.clock = clock;
        this.opener = opener;
    }

    /**
     * Opens the broker whose data is in {@code dir}, reopening (and recovering) every topic found in
     * {@code dir/topics}. Groups are opened when first used; their committed offsets are read back then.
     */
    public static TopicBroker open(Path dir, BrokerConfig config, Clock clock) throws IOException {
        return open(dir, config, clock, FileOpener.REAL);
    }

    /** {@link #open(Path, BrokerConfig, Clock)}, with every file opened through {@code opener}. */
    public static TopicBroker open(Path dir, BrokerConfig config, Clock clock, FileOpener opener)
        throws IOException {
        TopicBroker broker = new TopicBroker(dir, Objects.requireNonNull(config, "config"),
            Objects.requireNonNull(clock, "clock"), Objects.requireNonNull(opener, "opener"));
        Path topicsDir = Files.createDirectories(dir.resolve("topics"));
        Files.createDirectories(dir.resolve("groups"));
        Pattern partitionDir = Pattern.compile("(.+)-(0|[1-9]\\d{0,3})");
        Set<String> names = new java.util.TreeSet<>();
        try (Stream<Path> entries = Files.list(topicsDir)) {
            for (Path entry : entries.filter(Files::isDirectory).toList()) {
                Matcher m = partitionDir.matcher(entry.getFileName().toString());
                if (m.matches()) {
                    names.add(m.group(1));
                }
            }
        }
        try {
            for (String name : names) {
                int partitions = Topic.partitionsOnDisk(topicsDir, name);
                broker.topics.put(name, Topic.open(topicsDir, name, partitions, config.log(), opener, clock));
            }
            broker.exchanges = ExchangeCatalog.open(dir, opener);
        } catch (IOException | RuntimeException e) {
            broker.closeQuietly(e);
            throw e;
        }
        return broker;
    }

    // ---------------------------------------------------------------------------------------------
    // Topics
    // ---------------------------------------------------------------------------------------------

    /**
     * Creates the topic, or returns it if it exists with the same number of partitions.
     *
     * @throws IllegalArgumentException if it exists with another number, or the name or count is illegal
     */
    public Topic createTopic(String name, int partitions) throws IOException {
        synchronized (catalogLock) {
            Topic existing = topics.get(name);
            if (existing != null) {
                if (existing.partitionCount() != partitions) {
                    throw new IllegalArgumentException("topic " + name + " already exists with "
                        + existing.partitionCount() + " partitions, not " + partitions);
                }
                return existing;
            }
            if (topics.size() >= config.maxTopics()) {
                throw new IllegalArgumentException("the broker already has " + topics.size()
                    + " topics, its limit (maxTopics); topic " + name + " was not created");
            }
            Topic topic = Topic.open(dir.resolve("topics"), name, partitions, config.log(), opener, clock);
            topics.put(name, topic);
            Map<String, Integer> counts = partitionCounts();
            for (GroupCoordinator group : groups.values()) {
                group.updateTopics(counts);
            }
            return topic;
        }
    }

    /**
     * Grows a topic to {@code partitions} partitions (Kafka's {@code CreatePartitions}); asking for the count
     * it has is a no-op. Every group with a member subscribed to the topic rebalances, so the new partitions
     * get owners. Records already in the topic stay where they are; keys may choose other partitions from
     * now on (see {@link Topic#addPartitions}).
     *
     * @return the topic's partition count now
     * @throws UnknownTopicException    if there is no such topic
     * @throws IllegalArgumentException if {@code partitions} is fewer than it has, or more than the limit
     */
    public int addPartitions(String name, int partitions) throws IOException {
        synchronized (catalogLock) {
            Topic topic = requireTopic(name);
            int before = topic.partitionCount();
            int now = topic.addPartitions(dir.resolve("topics"), partitions, config.log(), opener, clock);
            if (now != before) {
                Map<String, Integer> counts = partitionCounts();
                for (GroupCoordinator group : groups.values()) {
                    group.topicsGrew(counts);
                }
            }
            return now;
        }
    }

    /** The topic of that name, if it exists. */
    public Optional<Topic> topic(String name) {
        return Optional.ofNullable(topics.get(name));
    }

    /** Every topic's name and number of partitions, sorted by name. */
    public Map<String, Integer> partitionCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        topics.forEach((name, topic) -> counts.put(name, topic.partitionCount()));
        return counts;
    }

    /**
     * Appends a record to the topic (the key chooses the partition) and returns once it is on disk.
     *
     * @param tag the RocketMQ-style tag stored in the {@link #TAG_HEADER} header, or null for none
     * @throws UnknownTopicException    if there is no such topic
     * @throws IllegalArgumentException if the record is too large or the tag is not a legal tag
     */
    public PartitionOffset produce(String topicName, byte[] key, byte[] value, String tag)
        throws IOException, InterruptedException {
        Topic topic = requireTopic(topicName);
        PartitionOffset appended = append(topic, key, value, tag);
        topic.awaitDurable(appended);
        return appended;
    }

    /**
     * Declares a RabbitMQ-style exchange (durable: it survives a restart, as its bindings do).
     *
     * @param type {@code direct}, {@code fanout}, {@code topic} or {@code headers}
     * @return whether it was created now (false: it existed, with this type)
     * @throws IllegalArgumentException for an unknown type, an illegal name, or a name taken by another type
     */
    public boolean declareExchange(String name, String type) throws IOException {
        ExchangeType parsed;
        try {
            parsed = ExchangeType.valueOf(type.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + type + "' is not an exchange type: use direct, fanout, topic or "
                + "headers");
        }
        return exchanges.declare(name, parsed);
    }

    /**
     * Binds a queue — here a topic, which must exist — to an exchange: with {@code key} for a direct,
     * fanout or topic exchange, with {@code arguments} for a headers exchange (the other is ignored).
     *
     * @throws UnknownTopicException    if the queue's topic does not exist
     * @throws IllegalArgumentException if the exchange does not exist or refuses the binding
     */
    public void bind(String exchange, String queue, String key, Map<String, HeaderValue> arguments)
        throws IOException {
        requireTopic(queue);
        if (exchanges.exchanges().get(exchange) == ExchangeType.HEADERS) {
            exchanges.bind(exchange, queue, arguments);
        } else if (!arguments.isEmpty()) {
            throw new IllegalArgumentException("exchange '" + exchange + "' is not a headers exchange: bind queue '"
                + queue + "' with a key, not with the header arguments " + arguments.keySet());
        } else {
            exchanges.bind(exchange, queue, key);
        }
    }

    /**
     * Publishes a record to an exchange: appends it to every queue (topic) the exchange routes it to, in
     * queue-name order, and returns where it went — nothing if no binding matched, as RabbitMQ drops an
     * unroutable message. Not waited for: the caller acknowledges once every append is durable. The
     * headers route the record (a headers exchange) and are not stored with it.
     *
     * @throws IllegalArgumentException if the exchange does not exist, the routing key is too long or the
     *                                  record too large
     */
    public List<PartitionOffset> publish(String exchange, String routingKey, Map<String, HeaderValue> headers,
                                         byte[] key, byte[] value) throws IOException {
        if (headers.size() > ExchangeCatalog.MAX_ARGUMENTS * 2) {
            throw new IllegalArgumentException("a publish to exchange '" + exchange + "' carries " + headers.size()
                + " headers; at most " + ExchangeCatalog.MAX_ARGUMENTS * 2);
        }
        List<Topic> queues = new ArrayList<>();
        for (String queue : new TreeSet<>(exchanges.route(exchange, routingKey, headers))) {
            queues.add(requireTopic(queue)); // every queue first: a missing one refuses the publish, not half of it
        }
        List<PartitionOffset> appended = new ArrayList<>();
        for (Topic queue : queues) {
            // An append can still fail after others succeeded (a full disk): the client is refused and the
            // copies already appended stay — a retry delivers them again, at least once.
            appended.add(append(queue, key, value, null));
        }
        return appended;
    }

    /** The broker's exchanges and their bindings. */
    public ExchangeCatalog exchanges() {
        return exchanges;
    }

    /**
     * Appends a record to the topic without waiting for the disk: the server's way, which acknowledges
     * once {@link Topic#awaitDurable} says so, without holding a thread meanwhile.
     *
     * @param tag the tag, or null for none
     * @throws IllegalArgumentException if the record is too large or the tag is not a legal tag
     */
    public PartitionOffset append(Topic topic, byte[] key, byte[] value, String tag) throws IOException {
        List<Header> headers = List.of();
        if (tag != null) {
            TagFilter.requireLegalTag(tag);
            headers = List.of(new Header(TAG_HEADER, tag.getBytes(StandardCharsets.UTF_8)));
        }
        PartitionOffset appended = topic.append(key, value, headers);
        for (Consumer<TopicPartition> listener : appendListeners) {
            listener.accept(appended.partition());
        }
        return appended;
    }

    /**
     * Calls {@code listener} with the partition of every record appended from now on, on the appending
     * thread (so it must be quick: the server only hands the news to another thread). The record is in
     * the log, readable, when the listener runs; it may not be durable yet.
     *
     * @return what to run to stop listening (a server does when it closes; the broker may outlive it)
     */
    public Runnable onAppend(Consumer<TopicPartition> listener) {
        appendListeners.add(Objects.requireNonNull(listener, "listener"));
        return () -> appendListeners.remove(listener);
    }

    /**
     * Reads one partition from {@code offset} on, up to about {@code maxBytes} (capped by
     * {@link BrokerConfig#maxFetchBytes()}), and delivers only the records whose tag the filter accepts.
     *
     * @throws UnknownTopicException                            if there is no such topic
     * @throws IllegalArgumentException                         if there is no such partition
     * @throws org.mqworkbook.storage.OffsetOutOfRangeException if the partition does not hold the offset
     */
    public FetchResult fetch(String topicName, int partition, long offset, int maxBytes, TagFilter filter)
        throws IOException {
        Topic topic = requireTopic(topicName);
        int budget = Math.max(1, Math.min(maxBytes, config.maxFetchBytes()));
        // BEGIN EXERCISE 7.6
        throw new ExerciseNotDone("7.6");
        // END EXERCISE 7.6
    }

    /**
     * Where one partition reaches a time; see {@link Topic#offsetForTime}. Kafka's {@code ListOffsets}, which
     * consumers use to seek by time.
     *
     * @throws UnknownTopicException if there is no such topic
     */
    public Optional<TimestampOffset> offsetForTime(String topicName, int partition, long timestamp)
        throws IOException {
        return requireTopic(topicName).offsetForTime(partition, timestamp);
    }

    /** The record's tag (the {@link #TAG_HEADER} header), or null if it has none. */
    public static String tagOf(Record record) {
        for (Header header : record.headers()) {
            if (header.key().equals(TAG_HEADER)) {
                return new String(header.value(), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private Topic requireTopic(String name) {
        Topic topic = topics.get(name);
        if (topic == null) {
            throw new UnknownTopicException(name);
        }
        return topic;
    }

    // ---------------------------------------------------------------------------------------------
    // Groups
    // ---------------------------------------------------------------------------------------------

    /** The longest member id or instance id a join may name: Kafka's limit on a topic name, for the same reason. */
    private static final int MAX_ID_LENGTH = 249;

    private static String abbreviate(String id) {
        return id.length() <= 60 ? id : id.substring(0, 60) + "… (" + id.length() + " characters)";
    }

    /**
     * Adds the member to the group (creating the group on first use) for the given topics; the answer
     * completes with its generation and partitions once the group's rebalance does
     * ({@link GroupCoordinator#join}). The group's rebalance timeout is its session timeout.
     *
     * @throws UnknownTopicException    if one of the topics does not exist
     * @throws IllegalArgumentException if the group name is illegal or no topic is named
     */
    public CompletableFuture<JoinResult> join(String group, String member, Set<String> topicNames)
        throws IOException {
        return join(group, member, null, topicNames);
    }

    /**
     * Joins a member as {@link #join(String, String, Set)} does; with an {@code instanceId}, as a static
     * member ({@link GroupCoordinator#join(String, String, Set)}): a restart within its session gets its
     * partitions back without a rebalance.
     *
     * @param instanceId the member's {@code group.instance.id}, or null for a dynamic member
     */
    public CompletableFuture<JoinResult> join(String group, String member, String instanceId, Set<String> topicNames)
        throws IOException {
        if (topicNames.isEmpty()) {
            throw new IllegalArgumentException("member " + member + " of group " + group + " subscribes to no topic");
        }
        for (String name : topicNames) {
            requireTopic(name);
        }
        if (member.isEmpty()) {
            throw new IllegalArgumentException("a member of group " + group + " needs a non-empty id");
        }
        if (member.length() > MAX_ID_LENGTH || instanceId != null
            && (instanceId.isEmpty() || instanceId.length() > MAX_ID_LENGTH)) {
            throw new IllegalArgumentException("member id '" + abbreviate(member) + "' and instance id '"
                + abbreviate(String.valueOf(instanceId)) + "' of group " + group + ": each needs 1 to "
                + MAX_ID_LENGTH + " characters");
        }
        GroupCoordinator coordinator = group(group); // only now: a refused join must not create the group
        // The check and the join under one monitor: two joins at once must not both pass a limit of one more.
        synchronized (coordinator) {
            List<String> members = coordinator.members();
            if (members.size() >= config.maxMembers() && !members.contains(member)
                && (instanceId == null || !coordinator.hasInstance(instanceId))) {
                throw new IllegalArgumentException("group " + group + " already has " + members.size()
                    + " members, its limit (maxMembers); " + member + " was not admitted");
            }
            return instanceId == null ? coordinator.join(member, topicNames)
                : coordinator.join(member, instanceId, topicNames);
        }
    }

    /**
     * How the group rebalances, eager or cooperative: the broker's assignor decides for every group
     * ({@link org.mqworkbook.dispatch.partition.PartitionAssignor#protocol()}).
     */
    public RebalanceProtocol protocol(String group) throws IOException {
        GroupCoordinator coordinator = existingGroup(group);
        return coordinator == null ? config.assignor().get().protocol() : coordinator.protocol();
    }

    /** Refreshes the member's session; see {@link GroupCoordinator#heartbeat}. */
    public HeartbeatResult heartbeat(String group, String member, int generation) throws IOException {
        GroupCoordinator coordinator = existingGroup(group);
        return coordinator == null ? HeartbeatResult.UNKNOWN_MEMBER : coordinator.heartbeat(member, generation);
    }

    /** The member's current partitions and generation. */
    public Assignment assignment(String group, String member) throws IOException {
        GroupCoordinator coordinator = existingGroup(group);
        return coordinator == null ? new Assignment(0, List.of()) : coordinator.assignmentOf(member);
    }

    /** Removes the member from the group and rebalances. */
    public void leave(String group, String member) throws IOException {
        GroupCoordinator coordinator = existingGroup(group);
        if (coordinator != null) {
            coordinator.leave(member);
        }
    }

    /** Commits the group's next offset for a partition; fenced, see {@link GroupCoordinator#commit}. */
    public void commit(String group, String member, int generation, TopicPartition partition, long offset)
        throws IOException {
        requireCommittable(group, partition, offset);
        GroupCoordinator coordinator = existingGroup(group);
        if (coordinator == null) {
            throw new IllegalGenerationException("group " + group + " does not exist: member " + member
                + " cannot commit offset " + offset + " for " + partition + "; join first");
        }
        coordinator.commit(member, generation, partition, offset);
    }

    /**
     * Commits several partitions of one member with one checkpoint; see
     * {@link GroupCoordinator#commitAll}. Every offset is checked against its log's end first.
     */
    public void commitAll(String group, String member, int generation, Map<TopicPartition, Long> offsets)
        throws IOException {
        for (Map.Entry<TopicPartition, Long> entry : offsets.entrySet()) {
            requireCommittable(group, entry.getKey(), entry.getValue());
        }
        GroupCoordinator coordinator = existingGroup(group);
        if (coordinator == null) {
            throw new IllegalGenerationException("group " + group + " does not exist: member " + member
                + " cannot commit " + offsets + "; join first");
        }
        coordinator.commitAll(member, generation, offsets);
    }

    private void requireCommittable(String group, TopicPartition partition, long offset) {
        Topic topic = requireTopic(partition.topic());
        long end = topic.endOffset(partition.partition());
        if (offset < 0 || offset > end) {
            throw new IllegalArgumentException("group " + group + " cannot commit offset " + offset + " for "
                + partition + ", whose log ends at " + end);
        }
    }

    /** The group's committed offset for the partition, if any. */
    public OptionalLong committed(String group, TopicPartition partition) throws IOException {
        GroupCoordinator coordinator = existingGroup(group);
        return coordinator == null ? OptionalLong.empty() : coordinator.committed(partition);
    }

    /** Each member of the group and its partitions, in member order: what the rebalancing demo prints. */
    public Map<String, List<TopicPartition>> owners(String group) throws IOException {
        GroupCoordinator coordinator = existingGroup(group);
        Map<String, List<TopicPartition>> owners = new TreeMap<>();
        if (coordinator == null) {
            return owners;
        }
        for (String member : coordinator.members()) {
            owners.put(member, coordinator.assignmentOf(member).partitions());
        }
        return owners;
    }

    /**
     * The group's lag on every partition it reads or has committed: each partition of every topic one of
     * its members is assigned, or that it committed an offset for, in partition order.
     */
    public List<PartitionLag> lags(String group) throws IOException {
        GroupCoordinator coordinator = existingGroup(group);
        if (coordinator == null) {
            return List.of();
        }
        Set<String> topicNames = new TreeSet<>();
        for (String member : coordinator.members()) {
            coordinator.assignmentOf(member).partitions().forEach(p -> topicNames.add(p.topic()));
        }
        Map<TopicPartition, Long> committed = coordinator.committedOffsets();
        committed.keySet().forEach(p -> topicNames.add(p.topic()));
        List<PartitionLag> lags = new ArrayList<>();
        for (String name : topicNames) {
            Topic topic = topics.get(name);
            if (topic == null) {
                continue; // committed offsets of a topic that is gone: nothing to be behind on
            }
            for (int p = 0; p < topic.partitionCount(); p++) {
                TopicPartition partition = new TopicPartition(name, p);
                Long offset = committed.get(partition);
                lags.add(new PartitionLag(partition, offset == null ? OptionalLong.empty() : OptionalLong.of(offset),
                    topic.endOffset(p)));
            }
        }
        return lags;
    }

    /** The group's current generation (0 before anyone joined). */
    public int generation(String group) throws IOException {
        GroupCoordinator coordinator = existingGroup(group);
        return coordinator == null ? 0 : coordinator.generation();
    }

    /**
     * Timer work for the logs: each partition records now and then how far it is flushed, so that recovery
     * after a crash can tell a torn tail from damage ({@code Log.checkpointRecoveryPoint}).
     */
    public void checkpointRecoveryPoints() throws IOException {
        for (Topic topic : topics.values()) {
            topic.checkpointRecoveryPointsIfDue();
        }
    }

    /** Expires the members of every group whose sessions timed out; returns how many were removed. */
    public int expireMembers() {
        int removed = 0;
        for (GroupCoordinator group : groups.values()) {
            removed += group.expireMembers();
        }
        return removed;
    }

    /**
     * The group's coordinator if the group exists — in memory, or on disk from before a restart — and
     * null otherwise: asking about a group (a typo in {@code describe}) must not create it.
     */
    private GroupCoordinator existingGroup(String name) throws IOException {
        GroupCoordinator group = groups.get(name);
        if (group != null) {
            return group;
        }
        if (LEGAL_GROUP.matcher(name).matches() && Files.isDirectory(dir.resolve("groups").resolve(name))) {
            return group(name);
        }
        return null;
    }

    /** The group's coordinator, created (or its committed offsets loaded) on first use. */
    private GroupCoordinator group(String name) throws IOException {
        GroupCoordinator group = groups.get(name);
        if (group != null) {
            return group;
        }
        if (!LEGAL_GROUP.matcher(name).matches()) {
            throw new IllegalArgumentException("illegal group name '" + name + "': use 1 to 249 characters "
                + "from a-z, A-Z, 0-9, '.', '_' and '-', other than '.' and '..'");
        }
        synchronized (catalogLock) {
            group = groups.get(name);
            if (group == null) {
                if (groups.size() >= config.maxGroups()) {
                    throw new IllegalArgumentException("the broker already has " + groups.size()
                        + " groups, its limit (maxGroups); group " + name + " was not created");
                }
                Path groupDir = Files.createDirectories(dir.resolve("groups").resolve(name));
                group = GroupCoordinator.open(name, config.assignor().get(), partitionCounts(),
                    config.sessionTimeout(), config.sessionTimeout(), clock, groupDir, opener);
                groups.put(name, group);
            }
            return group;
        }
    }

    /** The broker's limits and policies. */
    public BrokerConfig config() {
        return config;
    }

    /** The broker's data directory. */
    public Path dir() {
        return dir;
    }

    /** Flushes and closes every topic. */
    @Override
    public void close() throws IOException {
        Topic.closeAll(topics.values());
    }

    private void closeQuietly(Exception cause) {
        try {
            close();
        } catch (IOException | UncheckedIOException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * The broker's limits and policies. Immutable.
     *
     * @param log            every partition's log configuration (chapter 6)
     * @param assignor       a new assignor for each group
     * @param sessionTimeout how long a member may stay silent before it is removed
     * @param maxFetchBytes  the most bytes one fetch returns (about: at least one record), bounding answers
     * @param maxTopics      the most topics the broker creates
     * @param maxGroups      the most groups the broker creates
     * @param maxMembers     the most members one group admits (Kafka's {@code group.max.size}); every
     *                       join rebalances the whole group, so the limit also bounds that work
     */
    public record BrokerConfig(LogConfig log, Supplier<PartitionAssignor> assignor, Duration sessionTimeout,
                               int maxFetchBytes, int maxTopics, int maxGroups, int maxMembers) {
        /** Kafka's {@code session.timeout.ms} is 45 s; 10 s lets demos show an expiry without a long wait. */
        public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(10);

        /** Checks the limits. */
        public BrokerConfig {
            Objects.requireNonNull(log, "log");
            Objects.requireNonNull(assignor, "assignor");
            Objects.requireNonNull(sessionTimeout, "sessionTimeout");
            if (maxFetchBytes < 1 || maxTopics < 1 || maxGroups < 1 || maxMembers < 1) {
                throw new IllegalArgumentException("maxFetchBytes, maxTopics, maxGroups and maxMembers must be "
                    + "positive");
            }
        }

        /** A configuration that admits up to 1,000 members per group. */
        public BrokerConfig(LogConfig log, Supplier<PartitionAssignor> assignor, Duration sessionTimeout,
                            int maxFetchBytes, int maxTopics, int maxGroups) {
            this(log, assignor, sessionTimeout, maxFetchBytes, maxTopics, maxGroups, 1000);
        }

        /** Default logs, the given assignor, a 10 s session, fetches of at most 1 MiB, 1,000 topics and groups. */
        public static BrokerConfig defaults(Supplier<PartitionAssignor> assignor) {
            return new BrokerConfig(LogConfig.DEFAULT, assignor, DEFAULT_SESSION_TIMEOUT, 1 << 20, 1000, 1000);
        }

        /** The same configuration with another session timeout. */
        public BrokerConfig withSessionTimeout(Duration timeout) {
            return new BrokerConfig(log, assignor, timeout, maxFetchBytes, maxTopics, maxGroups, maxMembers);
        }

        /** The same configuration with another log configuration. */
        public BrokerConfig withLog(LogConfig logConfig) {
            return new BrokerConfig(logConfig, assignor, sessionTimeout, maxFetchBytes, maxTopics, maxGroups,
                maxMembers);
        }
    }
}

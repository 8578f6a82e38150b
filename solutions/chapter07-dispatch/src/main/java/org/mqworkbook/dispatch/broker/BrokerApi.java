package org.mqworkbook.dispatch.broker;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.mqworkbook.dispatch.group.Assignment;
import org.mqworkbook.dispatch.group.HeartbeatResult;
import org.mqworkbook.dispatch.group.JoinResult;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.routing.HeaderValue;
import org.mqworkbook.dispatch.routing.TagFilter;
import org.mqworkbook.dispatch.topic.FetchResult;
import org.mqworkbook.dispatch.topic.PartitionOffset;
import org.mqworkbook.dispatch.topic.Topic;
import org.mqworkbook.storage.Header;
import org.mqworkbook.storage.Record;
import org.mqworkbook.storage.TimestampOffset;

/**
 * Chapter 7's broker as a server (or a test, or chapter 8's simulation) sees it: one method per request
 * a client can make, each answering with a {@link CompletableFuture}. No Netty type and no socket appear
 * here; {@link org.mqworkbook.dispatch.server.DispatchServer} only decodes a frame, calls one of these
 * methods and encodes what the future completes with. Kafka is built the same way: its network layer
 * hands requests to {@code KafkaApis}, whose produce parks in a purgatory until its condition holds.
 *
 * <p>What completes later, and on which thread:
 *
 * <ul>
 *   <li>{@link #produce} appends on the calling thread (so one caller's records keep its order) and
 *       completes on the durability thread once an fsync covers the record, one fsync shared by every
 *       record waiting on that partition. Chapter 8 puts replication between the two: "appended" is no
 *       longer "acknowledged".
 *   <li>{@link #poll} answers at once if any partition has something new; otherwise it parks until a
 *       record is appended to one of them or its wait is over, and completes on one of the poll threads.
 *   <li>{@link #join} waits at the group's barrier until every member has rejoined, or until the
 *       rebalance timeout removes the ones that have not; it completes on the thread whose request (or
 *       whose housekeeping) completed the rebalance.
 *   <li>Every other method runs on the calling thread and returns a completed future. They return
 *       futures anyway because their successors will not all be quick: a commit that waits for its
 *       replicas.
 * </ul>
 *
 * <p>Failures complete the future exceptionally with the broker's exception, unwrapped:
 * {@link UnknownTopicException}, {@link org.mqworkbook.storage.OffsetOutOfRangeException},
 * {@link org.mqworkbook.storage.UnreadableOffsetsException},
 * {@link org.mqworkbook.dispatch.group.IllegalGenerationException}, {@link IllegalArgumentException} for
 * a bad argument, {@link ShuttingDownException} once {@link #close()} has begun. A method never throws.
 *
 * <p>Thread safe: any thread may call any method, concurrently. The {@link TopicBroker} underneath is not
 * closed with this API: whoever opened it closes it, after {@link #close()}.
 */
public final class BrokerApi implements AutoCloseable {
    /** The longest a {@link #poll} may wait for a record (Kafka's default fetch wait is 500 ms). */
    public static final int MAX_POLL_WAIT_MILLIS = 30_000;

    /**
     * The most partitions one poll may name. A member's poll names every partition it owns; this bounds
     * the fetches one request can cost and keeps its answer inside a frame whatever a client sends.
     */
    public static final int MAX_POLL_PARTITIONS = 4096;

    /** How many partitions' fsyncs run at once by default (see {@link #BrokerApi(TopicBroker, int, int)}). */
    public static final int DEFAULT_SYNC_THREADS = 1;

    /** One partition's answer to a poll: what a fetch from its offset delivered. */
    public record Polled(TopicPartition partition, FetchResult fetched) {
        /** Checks the fields. */
        public Polled {
            Objects.requireNonNull(partition, "partition");
            Objects.requireNonNull(fetched, "fetched");
        }
    }

    /**
     * A group as {@code describe} shows it: its generation, each member's partitions in member order, and
     * its lag on every partition it reads.
     */
    public record GroupDescription(int generation, Map<String, List<TopicPartition>> owners,
                                   List<PartitionLag> lags) {
        /** Copies the map, keeping its order, and the list. */
        public GroupDescription {
            owners = Collections.unmodifiableMap(new LinkedHashMap<>(owners));
            lags = List.copyOf(lags);
        }
    }

    private final TopicBroker broker;
    private final DurabilityWaiter durability;
    private final PollWaiters waiters = new PollWaiters();
    /** Poll timeouts, woken polls' fetches, and the periodic member expiry and recovery-point checkpoint. */
    private final ScheduledThreadPoolExecutor timers;
    /** Polls parked now, so that close() can answer them. */
    private final Set<CompletableFuture<List<Polled>>> parkedPolls = ConcurrentHashMap.newKeySet();
    /** Joins waiting at a group's barrier, so that close() can answer them. */
    private final Set<CompletableFuture<JoinResult>> parkedJoins = ConcurrentHashMap.newKeySet();
    private final Runnable stopListening;
    private volatile boolean closed;

    /** An API with one sync thread and two poll threads. */
    public BrokerApi(TopicBroker broker) {
        this(broker, DEFAULT_SYNC_THREADS, 2);
    }

    /**
     * @param syncThreads how many partitions' fsyncs may run at once (1: one after another); the load
     *                    harness compares the two
     * @param pollThreads threads that answer woken and timed-out polls, and run the periodic housekeeping
     */
    public BrokerApi(TopicBroker broker, int syncThreads, int pollThreads) {
        this.broker = Objects.requireNonNull(broker, "broker");
        if (syncThreads < 1 || pollThreads < 1) {
            throw new IllegalArgumentException("need at least 1 sync thread and 1 poll thread, not " + syncThreads
                + " and " + pollThreads);
        }
        durability = new DurabilityWaiter("dispatch-durability", syncThreads);
        timers = new ScheduledThreadPoolExecutor(pollThreads, new DefaultThreadFactory("dispatch-poll", true));
        // On close, timeouts and housekeeping not yet due are dropped; what runs is let finish (see close()).
        timers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        timers.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        timers.setRemoveOnCancelPolicy(true);
        stopListening = broker.onAppend(waiters::appended);
        timers.scheduleWithFixedDelay(this::housekeeping, 500, 500, TimeUnit.MILLISECONDS);
    }

    /** The broker underneath: its configuration, its topics, for what is not a request (tests, demos). */
    public TopicBroker broker() {
        return broker;
    }

    /** Creates a topic (or finds the one that exists); completes with its partition count. */
    public CompletableFuture<Integer> createTopic(String topic, int partitions) {
        return now(() -> broker.createTopic(topic, partitions).partitionCount());
    }

    /**
     * Grows a topic to {@code partitions} partitions and completes with its count; groups that read it
     * rebalance. See {@link TopicBroker#addPartitions}.
     */
    public CompletableFuture<Integer> addPartitions(String topic, int partitions) {
        return now(() -> broker.addPartitions(topic, partitions));
    }

    /**
     * Appends a record to the topic (the key chooses the partition; null goes round-robin) and completes
     * with where it went once it is on disk.
     *
     * @param tag the RocketMQ-style tag, or null for none
     */
    public CompletableFuture<PartitionOffset> produce(String topicName, byte[] key, byte[] value, String tag) {
        CompletableFuture<PartitionOffset> answer = new CompletableFuture<>();
        if (closed) {
            return CompletableFuture.failedFuture(new ShuttingDownException());
        }
        try {
            Topic topic = broker.topic(topicName).orElseThrow(() -> new UnknownTopicException(topicName));
            PartitionOffset appended = broker.append(topic, key, value, tag);
            durability.whenDurable(topic, appended, failure -> {
                if (failure == null) {
                    answer.complete(appended);
                } else {
                    answer.completeExceptionally(failure);
                }
            });
        } catch (Exception e) {
            answer.completeExceptionally(e);
        }
        return answer;
    }

    /** Declares an exchange; completes with whether it was created now. See {@link TopicBroker#declareExchange}. */
    public CompletableFuture<Boolean> declareExchange(String name, String type) {
        return now(() -> broker.declareExchange(name, type));
    }

    /** Binds a queue (a topic) to an exchange, durably. See {@link TopicBroker#bind}. */
    public CompletableFuture<Void> bind(String exchange, String queue, String key, Map<String, HeaderValue> arguments) {
        return now(() -> {
            broker.bind(exchange, queue, key, arguments);
            return null;
        });
    }

    /**
     * Publishes to an exchange: completes with where the record went once every copy is on disk (an empty
     * list if nothing was bound to match). See {@link TopicBroker#publish}.
     */
    public CompletableFuture<List<PartitionOffset>> publish(String exchange, String routingKey,
                                                            Map<String, HeaderValue> headers, byte[] key,
                                                            byte[] value) {
        if (closed) {
            return CompletableFuture.failedFuture(new ShuttingDownException());
        }
        List<PartitionOffset> appended;
        try {
            appended = broker.publish(exchange, routingKey, headers, key, value);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
        List<CompletableFuture<PartitionOffset>> copies = new ArrayList<>();
        for (PartitionOffset copy : appended) {
            CompletableFuture<PartitionOffset> durable = new CompletableFuture<>();
            Topic topic = broker.topic(copy.partition().topic()).orElseThrow();
            durability.whenDurable(topic, copy, failure -> {
                if (failure == null) {
                    durable.complete(copy);
                } else {
                    durable.completeExceptionally(failure);
                }
            });
            copies.add(durable);
        }
        return CompletableFuture.allOf(copies.toArray(CompletableFuture[]::new)).thenApply(done -> appended);
    }

    /** Reads one partition from {@code offset}: see {@link TopicBroker#fetch}. */
    public CompletableFuture<FetchResult> fetch(String topic, int partition, long offset, int maxBytes,
                                                String filter) {
        return now(() -> broker.fetch(topic, partition, offset, maxBytes, TagFilter.parse(filter)));
    }

    /**
     * A long poll over several partitions, each from its own offset, sharing one byte budget
     * ({@link TopicBroker.BrokerConfig#maxFetchBytes()}) so that the answer stays bounded however many
     * partitions it names. Completes at once if any partition has something new or {@code maxWaitMillis}
     * is 0; otherwise when a record is appended to one of them, or empty-handed after {@code maxWaitMillis}.
     *
     * @param positions each partition and the offset to read it from, at least one
     */
    public CompletableFuture<List<Polled>> poll(List<PartitionOffset> positions, int maxBytes, int maxWaitMillis,
                                                String filter) {
        if (closed) {
            return CompletableFuture.failedFuture(new ShuttingDownException());
        }
        CompletableFuture<List<Polled>> answer = new CompletableFuture<>();
        try {
            if (positions.isEmpty()) {
                throw new IllegalArgumentException("a poll must name at least one partition");
            }
            if (positions.size() > MAX_POLL_PARTITIONS) {
                throw new IllegalArgumentException("a poll may name at most " + MAX_POLL_PARTITIONS
                    + " partitions, not " + positions.size());
            }
            Set<TopicPartition> distinct = new HashSet<>();
            for (PartitionOffset position : positions) {
                if (!distinct.add(position.partition())) {
                    throw new IllegalArgumentException("a poll names " + position.partition() + " twice");
                }
            }
            if (maxWaitMillis < 0 || maxWaitMillis > MAX_POLL_WAIT_MILLIS) {
                throw new IllegalArgumentException("a poll may wait 0 to " + MAX_POLL_WAIT_MILLIS + " ms, not "
                    + maxWaitMillis);
            }
            TagFilter tags = TagFilter.parse(filter);
            List<Polled> results = pollOnce(positions, maxBytes, tags);
            if (maxWaitMillis == 0 || progressed(positions, results)) {
                answer.complete(results);
            } else {
                park(positions, maxBytes, maxWaitMillis, tags, answer);
            }
        } catch (Exception e) {
            answer.completeExceptionally(e);
        }
        return answer;
    }

    private void park(List<PartitionOffset> positions, int maxBytes, int maxWaitMillis, TagFilter tags,
                      CompletableFuture<List<Polled>> answer) throws IOException {
        List<TopicPartition> partitions = new ArrayList<>(positions.size());
        for (PartitionOffset position : positions) {
            partitions.add(position.partition());
        }
        AtomicReference<ScheduledFuture<?>> timeout = new AtomicReference<>();
        parkedPolls.add(answer);
        PollWaiters.Parked parked = waiters.park(partitions, () -> {
            // Woken once: by a record, by its timeout, or by close(). The fetch runs on a poll thread, never on
            // the appending producer's thread that woke it.
            ScheduledFuture<?> timer = timeout.get();
            if (timer != null) {
                timer.cancel(false);
            }
            try {
                timers.execute(() -> {
                    List<Polled> results;
                    try {
                        results = pollOnce(positions, maxBytes, tags);
                    } catch (Exception e) {
                        parkedPolls.remove(answer);
                        answer.completeExceptionally(e);
                        return;
                    }
                    parkedPolls.remove(answer); // before completing: whoever sees the answer sees it unparked
                    answer.complete(results);
                });
            } catch (RejectedExecutionException shuttingDown) {
                parkedPolls.remove(answer);
                answer.completeExceptionally(new ShuttingDownException());
            }
        });
        try {
            timeout.set(timers.schedule(parked::wake, maxWaitMillis, TimeUnit.MILLISECONDS));
        } catch (RejectedExecutionException shuttingDown) {
            parked.wake();
            return;
        }
        // A record appended between the fetch above and park() woke nobody: look once more.
        for (PartitionOffset position : positions) {
            Topic topic = broker.topic(position.partition().topic()).orElseThrow();
            if (topic.endOffset(position.partition().partition()) > position.offset()) {
                parked.wake();
                break;
            }
        }
    }

    /** Fetches each partition in turn, sharing one byte budget; a partition after it is spent gets nothing. */
    private List<Polled> pollOnce(List<PartitionOffset> positions, int maxBytes, TagFilter tags) throws IOException {
        long budget = broker.config().maxFetchBytes();
        int perPartition = Math.max(1, Math.min(maxBytes, broker.config().maxFetchBytes()));
        List<Polled> results = new ArrayList<>(positions.size());
        for (PartitionOffset position : positions) {
            TopicPartition partition = position.partition();
            if (budget <= 0) {
                Topic topic = broker.topic(partition.topic()).orElseThrow(
                    () -> new UnknownTopicException(partition.topic()));
                results.add(new Polled(partition, new FetchResult(List.of(), position.offset(),
                    topic.endOffset(partition.partition()))));
                continue;
            }
            FetchResult fetched = broker.fetch(partition.topic(), partition.partition(), position.offset(),
                (int) Math.min(perPartition, budget), tags);
            for (Record record : fetched.records()) {
                budget -= wireSize(record);
            }
            results.add(new Polled(partition, fetched));
        }
        return results;
    }

    private static boolean progressed(List<PartitionOffset> positions, List<Polled> results) {
        for (int i = 0; i < results.size(); i++) {
            FetchResult fetched = results.get(i).fetched();
            if (!fetched.records().isEmpty() || fetched.nextOffset() != positions.get(i).offset()) {
                return true;
            }
        }
        return false;
    }

    /** About how many bytes a record takes in an answer: what the shared budget counts. */
    public static long wireSize(Record record) {
        long size = 28L + (record.key() == null ? 0 : record.key().length)
            + (record.value() == null ? 0 : record.value().length);
        for (Header header : record.headers()) {
            size += 6L + header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }

    /**
     * Joins (or rejoins) a group; completes once the group's rebalance does. See {@link TopicBroker#join}.
     */
    public CompletableFuture<JoinResult> join(String group, String member, List<String> topics) {
        return join(group, member, null, topics);
    }

    /**
     * Joins (or rejoins) a group, as a static member when {@code instanceId} is not null; see
     * {@link TopicBroker#join(String, String, String, java.util.Set)}.
     */
    public CompletableFuture<JoinResult> join(String group, String member, String instanceId, List<String> topics) {
        CompletableFuture<JoinResult> answer = new CompletableFuture<>();
        parkedJoins.add(answer);
        answer.whenComplete((result, failure) -> parkedJoins.remove(answer));
        now(() -> broker.join(group, member, instanceId, new HashSet<>(topics))).whenComplete((joining, refused) -> {
            if (refused != null) {
                answer.completeExceptionally(refused);
            } else {
                joining.whenComplete((result, failure) -> {
                    if (failure != null) {
                        answer.completeExceptionally(failure);
                    } else {
                        answer.complete(result);
                    }
                });
            }
        });
        if (closed) {
            answer.completeExceptionally(new ShuttingDownException()); // close() may have missed it
        }
        return answer;
    }

    /** Refreshes the member's session; see {@link TopicBroker#heartbeat}. */
    public CompletableFuture<HeartbeatResult> heartbeat(String group, String member, int generation) {
        return now(() -> broker.heartbeat(group, member, generation));
    }

    /** The member's current partitions and generation (Kafka's SyncGroup answer). */
    public CompletableFuture<Assignment> assignment(String group, String member) {
        return now(() -> broker.assignment(group, member));
    }

    /** Commits the group's next offset for one partition; fenced by generation and ownership. */
    public CompletableFuture<Void> commit(String group, String member, int generation, PartitionOffset next) {
        return now(() -> {
            broker.commit(group, member, generation, next.partition(), next.offset());
            return null;
        });
    }

    /** Commits several partitions' next offsets at once, all or none; see {@link TopicBroker#commitAll}. */
    public CompletableFuture<Void> commitAll(String group, String member, int generation,
                                             Map<TopicPartition, Long> offsets) {
        return now(() -> {
            broker.commitAll(group, member, generation, offsets);
            return null;
        });
    }

    /** Removes the member from the group, which rebalances. */
    public CompletableFuture<Void> leave(String group, String member) {
        return now(() -> {
            broker.leave(group, member);
            return null;
        });
    }

    /** Where a partition reaches a time; see {@link TopicBroker#offsetForTime}. */
    public CompletableFuture<Optional<TimestampOffset>> offsetForTime(String topic, int partition, long timestamp) {
        return now(() -> broker.offsetForTime(topic, partition, timestamp));
    }

    /** The group's committed offset for the partition, if it has one. */
    public CompletableFuture<OptionalLong> committed(String group, TopicPartition partition) {
        return now(() -> broker.committed(group, partition));
    }

    /** The group's generation, who owns which partitions, and how far behind it is on each. */
    public CompletableFuture<GroupDescription> describe(String group) {
        return now(() -> new GroupDescription(broker.generation(group), broker.owners(group), broker.lags(group)));
    }

    /** How many polls are parked now, waiting for a record (tests and the server's idle watch use it). */
    public int parkedPolls() {
        return parkedPolls.size();
    }

    private void housekeeping() {
        // A periodic task that throws is never run again: each step reports its failure and the next goes on.
        try {
            broker.expireMembers();
        } catch (RuntimeException e) {
            System.err.println("expiring group members failed: " + e);
        }
        try {
            broker.checkpointRecoveryPoints();
        } catch (IOException | RuntimeException e) {
            System.err.println("writing the partitions' recovery points failed: " + e);
        }
    }

    /** A step that runs now, on the calling thread. */
    @FunctionalInterface
    private interface Step<T> {
        T run() throws Exception;
    }

    private <T> CompletableFuture<T> now(Step<T> step) {
        if (closed) {
            return CompletableFuture.failedFuture(new ShuttingDownException());
        }
        try {
            return CompletableFuture.completedFuture(step.run());
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Refuses new requests, answers parked polls and joins with {@link ShuttingDownException}, acknowledges the
     * records already appended once their fsync is done, and stops the threads. Idempotent. The broker
     * underneath stays open.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopListening.run();
        // shutdown(), not shutdownNow(): interrupting a poll thread in the middle of a fetch would close the
        // segment's FileChannel for good (an interrupted FileChannel read closes the channel), and every fsync
        // after it would fail. Fetches already running finish; their polls are answered.
        timers.shutdown();
        try {
            if (!timers.awaitTermination(10, TimeUnit.SECONDS)) {
                System.err.println("poll threads still busy after 10 s; closing anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (CompletableFuture<List<Polled>> parked : List.copyOf(parkedPolls)) {
            parked.completeExceptionally(new ShuttingDownException());
        }
        parkedPolls.clear();
        for (CompletableFuture<JoinResult> parked : List.copyOf(parkedJoins)) {
            parked.completeExceptionally(new ShuttingDownException());
        }
        durability.close();
    }
}

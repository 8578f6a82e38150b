package org.mqworkbook.dispatch.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.mqworkbook.dispatch.group.Assignment;
import org.mqworkbook.dispatch.group.HeartbeatResult;
import org.mqworkbook.dispatch.partition.RebalanceProtocol;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.protocol.Message;
import org.mqworkbook.dispatch.protocol.MessageCodec;
import org.mqworkbook.dispatch.routing.HeaderValue;
import org.mqworkbook.dispatch.topic.FetchResult;
import org.mqworkbook.dispatch.topic.PartitionOffset;
import org.mqworkbook.dispatch.topic.Topic;
import org.mqworkbook.inmemory.protocol.Frame;
import org.mqworkbook.inmemory.protocol.WireFrame;
import org.mqworkbook.storage.TimestampOffset;

/**
 * A connection to a {@link org.mqworkbook.dispatch.server.DispatchServer}. Every request has an
 * asynchronous form (a {@link CompletableFuture}, so a producer can pipeline) and most a blocking one
 * that waits at most the client's timeout. Thread safe: requests may be sent from any thread; answers are
 * matched by correlation id. A refused request completes exceptionally with a {@link DispatchException}.
 */
public final class DispatchClient implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;
    /**
     * How much longer than other requests a join may wait for its answer: the rebalance timeout of the
     * broker's groups (their session timeout) is meant to stay below it. Kafka's consumer waits for a
     * JoinGroup answer as long as its {@code max.poll.interval.ms} plus 5 seconds.
     */
    public static final Duration MAX_JOIN_WAIT = Duration.ofMinutes(5);

    private final Duration timeout;
    private final AtomicInteger correlationIds = new AtomicInteger();
    /** Requests sent and not answered yet, by correlation id; shared with the channel's AnswerHandler. */
    private final Map<Integer, CompletableFuture<WireFrame>> pending;

    private DispatchClient(EventLoopGroup group, Channel channel, Duration timeout,
                           Map<Integer, CompletableFuture<WireFrame>> pending) {
        this.group = group;
        this.channel = channel;
        this.timeout = timeout;
        this.pending = pending;
    }

    /** Connects with a 10-second request timeout. */
    public static DispatchClient connect(String host, int port) throws IOException {
        return connect(host, port, Duration.ofSeconds(10));
    }

    /**
     * Connects to the broker.
     *
     * @param timeout how long a blocking request waits for its answer
     * @throws IOException if the connection cannot be made
     */
    public static DispatchClient connect(String host, int port, Duration timeout) throws IOException {
        EventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("dispatch-client", true));
        Map<Integer, CompletableFuture<WireFrame>> pending = new ConcurrentHashMap<>();
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    MessageCodec.install(ch.pipeline(), MessageCodec.DEFAULT_MAX_FRAME_BYTES);
                    ch.pipeline().addLast(new AnswerHandler(pending));
                }
            });
        ChannelFuture connected = bootstrap.connect(host, port).awaitUninterruptibly();
        if (!connected.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("cannot connect to " + host + ":" + port + ": " + connected.cause().getMessage(),
                connected.cause());
        }
        return new DispatchClient(group, connected.channel(), timeout, pending);
    }

    // ---------------------------------------------------------------------------------------------
    // Requests
    // ---------------------------------------------------------------------------------------------

    /** Creates a topic (or confirms it exists with that many partitions). */
    public void createTopic(String topic, int partitions) {
        await(send(id -> new Message.CreateTopic(id, topic, partitions)));
    }

    /** Grows a topic to {@code partitions} partitions (never fewer); groups that read it rebalance. */
    public int addPartitions(String topic, int partitions) {
        return (int) ((Message.Ok) await(send(id -> new Message.AddPartitions(id, topic, partitions)))).value();
    }

    /** Produces a record; completes once it is on disk. {@code tag} may be null. */
    public CompletableFuture<PartitionOffset> produceAsync(String topic, byte[] key, byte[] value, String tag) {
        return send(id -> new Message.Produce(id, topic, key, value, tag == null ? "" : tag))
            .thenApply(answer -> {
                Message.Produced produced = (Message.Produced) answer;
                return new PartitionOffset(new TopicPartition(topic, produced.partition()), produced.offset());
            });
    }

    /** Produces a record and waits until it is on disk. */
    public PartitionOffset produce(String topic, byte[] key, byte[] value, String tag) {
        return await(produceAsync(topic, key, value, tag));
    }

    /** Fetches records of one partition from an offset through a tag filter expression ("*" for all). */
    public FetchResult fetch(TopicPartition partition, long offset, int maxBytes, String filter) {
        Message.Records records = (Message.Records) await(send(id -> new Message.Fetch(id, partition.topic(),
            partition.partition(), offset, maxBytes, filter)));
        return new FetchResult(records.records(), records.nextOffset(), records.endOffset());
    }

    /**
     * Long-polls several partitions: answers as soon as one has something new, or with nothing after
     * {@code maxWait}. The results come in the order of {@code positions}.
     */
    public List<Message.Polled.Result> poll(List<PartitionOffset> positions, int maxBytes, String filter,
                                            Duration maxWait) {
        int waitMillis = (int) Math.min(maxWait.toMillis(), Integer.MAX_VALUE);
        CompletableFuture<Message> answer =
            send(id -> new Message.Poll(id, filter, maxBytes, waitMillis, positions));
        return ((Message.Polled) await(answer, timeout.plus(maxWait))).results();
    }

    /**
     * Declares an exchange ({@code direct}, {@code fanout}, {@code topic} or {@code headers}); declaring it
     * again with the same type changes nothing.
     *
     * @return whether it was created now
     */
    public boolean declareExchange(String name, String type) {
        return ((Message.Ok) await(send(id -> new Message.DeclareExchange(id, name, type)))).value() == 1;
    }

    /** Binds a queue (a topic) to a direct, fanout or topic exchange with a binding key or pattern. */
    public void bind(String exchange, String queue, String key) {
        await(send(id -> new Message.Bind(id, exchange, queue, key, Map.of())));
    }

    /** Binds a queue (a topic) to a headers exchange with {@code x-match} and header arguments. */
    public void bindHeaders(String exchange, String queue, Map<String, HeaderValue> arguments) {
        await(send(id -> new Message.Bind(id, exchange, queue, "", arguments)));
    }

    /**
     * Publishes to an exchange; returns where each copy went, once all are on disk — nothing if no binding
     * matched (the record is dropped, as RabbitMQ drops an unroutable message).
     */
    public List<PartitionOffset> publish(String exchange, String routingKey, Map<String, HeaderValue> headers,
                                         byte[] key, byte[] value) {
        return ((Message.Published) await(send(id -> new Message.Publish(id, exchange, routingKey, key, value,
            headers)))).copies();
    }

    /**
     * Joins a group for some topics; returns the generation and the member's partitions once the group's
     * rebalance completes, which may take up to the group's rebalance timeout (every other member must
     * rejoin first). Waits at most the client's timeout plus {@link #MAX_JOIN_WAIT}.
     */
    public Assignment join(String group, String member, List<String> topics) {
        return join(group, member, "", topics);
    }

    /**
     * Joins a group as {@link #join(String, String, List)} does; with a non-empty {@code instanceId}, as a
     * static member (Kafka's {@code group.instance.id}): a restart with a new member id and the same
     * instance id gets the partitions back without a rebalance, and fences the earlier incarnation.
     */
    public Assignment join(String group, String member, String instanceId, List<String> topics) {
        return await(joinAsync(group, member, instanceId, topics), timeout.plus(MAX_JOIN_WAIT)).assignment();
    }

    /**
     * Sends a join and returns at once: the future completes with the answer once the group's rebalance
     * completes. Requests sent meanwhile on this connection are answered as usual — a cooperative member
     * goes on polling its partitions while its join waits at the barrier. The caller bounds the wait.
     */
    public CompletableFuture<Joined> joinAsync(String group, String member, String instanceId, List<String> topics) {
        return send(id -> new Message.Join(id, group, member, topics, instanceId)).thenApply(answer -> {
            Message.Assigned assigned = (Message.Assigned) answer;
            return new Joined(new Assignment(assigned.generation(), assigned.partitions()),
                assigned.protocol() == Message.Assigned.COOPERATIVE ? RebalanceProtocol.COOPERATIVE
                    : RebalanceProtocol.EAGER);
        });
    }

    /** Refreshes the member's session and says whether its generation is still current. */
    public HeartbeatResult heartbeat(String group, String member, int generation) {
        long value = ((Message.Ok) await(send(id -> new Message.Heartbeat(id, group, member, generation)))).value();
        if (value < 0 || value >= HeartbeatResult.values().length) {
            throw new IllegalStateException("the broker answered a heartbeat with " + value
                + ", which is not a heartbeat result");
        }
        return HeartbeatResult.values()[(int) value];
    }

    /** The member's current assignment. */
    public Assignment sync(String group, String member) {
        Message.Assigned assigned = (Message.Assigned) await(send(id -> new Message.Sync(id, group, member)));
        return new Assignment(assigned.generation(), assigned.partitions());
    }

    /** Commits the group's next offset of a partition (fenced by generation and ownership). */
    public void commit(String group, String member, int generation, TopicPartition partition, long offset) {
        await(send(id -> new Message.Commit(id, group, member, generation, partition.topic(), partition.partition(),
            offset)));
    }

    /** Commits several partitions of one member in one request (one checkpoint on the broker). */
    public void commitAll(String group, String member, int generation, Map<TopicPartition, Long> offsets) {
        List<PartitionOffset> positions = new ArrayList<>(offsets.size());
        offsets.forEach((partition, offset) -> positions.add(new PartitionOffset(partition, offset)));
        await(send(id -> new Message.CommitAll(id, group, member, generation, positions)));
    }

    /** Leaves the group. */
    public void leave(String group, String member) {
        await(send(id -> new Message.Leave(id, group, member)));
    }

    /**
     * The first record of a partition whose timestamp is at or after {@code timestamp} (milliseconds since
     * 1970): its offset and its own timestamp; or, for {@link Topic#LATEST} and {@link Topic#EARLIEST}, the
     * partition's end and start offsets (timestamp -1). Kafka's {@code offsetsForTimes}, for one partition.
     *
     * @return empty if no record is that late
     */
    public Optional<TimestampOffset> offsetForTime(TopicPartition partition, long timestamp) {
        Message.OffsetAt at = (Message.OffsetAt) await(send(id -> new Message.ListOffsets(id, partition.topic(),
            partition.partition(), timestamp)));
        return at.offset() < 0 ? Optional.empty() : Optional.of(new TimestampOffset(at.timestamp(), at.offset()));
    }

    /** The group's committed offset of a partition, if any. */
    public OptionalLong committed(String group, TopicPartition partition) {
        long value = ((Message.Ok) await(send(id -> new Message.Committed(id, group, partition.topic(),
            partition.partition())))).value();
        return value < 0 ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /** Who is in the group, what each member owns, and the group's lag per partition (Describe v1). */
    public Message.Group describe(String group) {
        return (Message.Group) await(send(id -> new Message.Describe(id, group, 1)));
    }

    /**
     * Asks the broker which API keys and versions it reads: chapter 7's broker lists its own and
     * {@code ApiVersions}; another chapter's broker lists its own, which is how a client finds out it
     * is talking to the wrong one.
     */
    public Frame.Versions apiVersions() {
        WireFrame answer = await(sendFrame(Frame.ApiVersions::new));
        if (answer instanceof Frame.Versions versions) {
            return versions;
        }
        throw new IllegalStateException("the broker answered ApiVersions with " + answer);
    }

    /** Sends any frame and returns its answer, for tests of the protocol itself. */
    public CompletableFuture<Message> send(IntFunction<Message> request) {
        return sendFrame(request::apply).thenApply(answer -> {
            if (answer instanceof Message message) {
                return message;
            }
            throw new IllegalStateException("the broker answered with a frame that is not chapter 7's: " + answer);
        });
    }

    private CompletableFuture<WireFrame> sendFrame(IntFunction<WireFrame> request) {
        int id = correlationIds.incrementAndGet();
        WireFrame message = request.apply(id); // first: if building it throws, nothing is left pending
        CompletableFuture<WireFrame> answer = new CompletableFuture<>();
        pending.put(id, answer);
        channel.writeAndFlush(message).addListener(future -> {
            if (!future.isSuccess()) {
                pending.remove(id);
                answer.completeExceptionally(new IOException("could not send the request: " + future.cause(),
                    future.cause()));
            }
        });
        return answer;
    }

    private <T> T await(CompletableFuture<T> future) {
        return await(future, timeout);
    }

    private <T> T await(CompletableFuture<T> future, Duration limit) {
        try {
            return future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer from the broker within " + limit, e);
        }
    }

    /** How long a blocking request waits for its answer. */
    public Duration timeout() {
        return timeout;
    }

    /** Whether the connection is open. */
    public boolean isConnected() {
        return channel.isActive();
    }

    /** Closes the connection; requests still waiting fail. */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** Completes each request's future with its answer; fails them all if the connection closes. */
    private static final class AnswerHandler extends SimpleChannelInboundHandler<WireFrame> {
        private final Map<Integer, CompletableFuture<WireFrame>> pending;

        AnswerHandler(Map<Integer, CompletableFuture<WireFrame>> pending) {
            this.pending = pending;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WireFrame message) {
            CompletableFuture<WireFrame> answer = pending.remove(message.correlationId());
            if (answer == null) {
                if (message instanceof Message.Error error) {
                    System.err.println("broker: " + error.kind() + ": " + error.message());
                }
                return;
            }
            if (message instanceof Message.Error error) {
                answer.completeExceptionally(new DispatchException(error.kind(), error.message()));
            } else {
                answer.complete(message);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            IOException closed = new IOException("the connection to the broker closed");
            pending.values().forEach(answer -> answer.completeExceptionally(closed));
            pending.clear();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

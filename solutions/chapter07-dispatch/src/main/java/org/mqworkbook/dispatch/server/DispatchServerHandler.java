package org.mqworkbook.dispatch.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.mqworkbook.dispatch.broker.BrokerApi;
import org.mqworkbook.dispatch.broker.PartitionLag;
import org.mqworkbook.dispatch.broker.ShuttingDownException;
import org.mqworkbook.dispatch.broker.UnknownTopicException;
import org.mqworkbook.dispatch.group.IllegalGenerationException;
import org.mqworkbook.dispatch.partition.RebalanceProtocol;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.protocol.ErrorKind;
import org.mqworkbook.dispatch.protocol.Message;
import org.mqworkbook.dispatch.topic.PartitionOffset;
import org.mqworkbook.inmemory.protocol.Frame;
import org.mqworkbook.inmemory.protocol.FrameHeader;
import org.mqworkbook.inmemory.protocol.ProtocolException;
import org.mqworkbook.inmemory.protocol.WireFrame;
import org.mqworkbook.inmemory.server.ConnectionGuard;
import org.mqworkbook.storage.OffsetOutOfRangeException;
import org.mqworkbook.storage.UnreadableOffsetsException;

/**
 * One connection's requests: decodes nothing itself (the codec before it does), calls the
 * {@link BrokerApi} for each request, and writes what its future completes with. Everything the broker
 * does — appending, waiting for the fsync, parking a long poll — is behind that API; what stays here is
 * what belongs to a connection. Thread safety and ordering:
 *
 * <ul>
 *   <li>Netty calls {@code channelRead0} on the connection's event loop, which never touches the disk:
 *       it counts the request and hands it to the connection's own request thread ({@code ordered}, one
 *       of the server's request threads, always the same one for this connection).
 *   <li>On that thread requests are handed to the broker one at a time, in the order they arrived. That
 *       is what keeps a pipelining producer's records in order: its second record is appended after its
 *       first. A produce's answer comes later, once its record is durable, so the next request is
 *       appended meanwhile and shares the fsync.
 *   <li>At most {@code maxInFlight} requests, holding at most about {@code maxBytesInFlight} bytes
 *       (their own bytes, and for a fetch the answer it may produce), are waiting, running or being
 *       written per connection; beyond that the server stops reading the connection (TCP then slows the
 *       client down) until it is below half of both. A request counts until its answer has left for the
 *       socket, so a client that never reads cannot make the server hold its answers either.
 * </ul>
 *
 * <p>Every refused request gets an {@link Message.Error} naming what was wrong, and the connection
 * keeps being served; only a malformed frame closes it, since its frame boundaries are then lost.
 */
final class DispatchServerHandler extends SimpleChannelInboundHandler<WireFrame> {
    private final Channel channel;
    private final BrokerApi api;
    private final EventExecutor ordered;
    private final int maxInFlight;
    private final long maxBytesInFlight;
    /** The connection's watch: pauses and resumes reading, and closes the connection when silent or idle. */
    private final ConnectionGuard.Watch watch;
    /** Requests read and not yet answered onto the socket. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Bytes those requests hold or reserve for their answers (see {@link #cost}). */
    private final AtomicLong bytesInFlight = new AtomicLong();
    /**
     * Polls the broker holds, waiting for a record, and joins waiting for their group's rebalance: while
     * there are any, the connection is not idle.
     */
    private final AtomicInteger heldByBroker = new AtomicInteger();

    DispatchServerHandler(Channel channel, BrokerApi api, EventExecutor ordered, int maxInFlight,
                          long maxBytesInFlight, ConnectionGuard.Watch watch) {
        this.channel = channel;
        this.api = api;
        this.ordered = ordered;
        this.maxInFlight = maxInFlight;
        this.maxBytesInFlight = maxBytesInFlight;
        this.watch = watch;
        // A parked poll or join is a connection waiting for the broker, not an idle one. An answer stuck in the
        // outbound buffer is not: a client that does not read is closed once it has stalled for the idle timeout.
        watch.waitingFor(() -> heldByBroker.get() > 0);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WireFrame frame) {
        // ApiVersions and a misdirected answer are answered here, uncounted (cost 0): each answer is small and
        // written at once, and a client that floods them without reading is stopped by the write-buffer water
        // marks (ConnectionGuard pauses reading while the channel is not writable).
        if (frame instanceof Frame.ApiVersions asked) {
            reply(Message.versions(asked.correlationId()), 0);
            return;
        }
        if (!(frame instanceof Message message) || !message.api().isRequest()) {
            reply(new Message.Error(frame.correlationId(), ErrorKind.UNKNOWN_COMMAND, FrameHeader.hex(frame.apiKey())
                + " is an answer from a broker, not a request"), 0);
            return;
        }
        long cost = cost(message);
        int requests = inFlight.incrementAndGet();
        long bytes = bytesInFlight.addAndGet(cost);
        if (requests >= maxInFlight || bytes >= maxBytesInFlight) {
            watch.pauseReading(ConnectionGuard.Pause.IN_FLIGHT, true); // back-pressure: resumed in answered()
        }
        try {
            ordered.execute(() -> execute(message, cost));
        } catch (RejectedExecutionException e) {
            reply(new Message.Error(message.correlationId(), ErrorKind.BUSY, "the broker is shutting down"), cost);
        }
    }

    /**
     * What a request costs in memory until its answer has left: the bytes it carries, and for a fetch the
     * answer it may produce. Counting answers too is what keeps a client that never reads from making the
     * server hold a megabyte of records for every 30-byte fetch it sends.
     */
    private long cost(Message request) {
        if (request instanceof Message.Produce produce) {
            return 256L + produce.value().length + (produce.key() == null ? 0 : produce.key().length);
        }
        if (request instanceof Message.Publish publish) {
            return 256L + publish.value().length + (publish.key() == null ? 0 : publish.key().length)
                + 600L * publish.headers().size();
        }
        if (request instanceof Message.Bind bind) {
            return 256L + 600L * bind.arguments().size(); // each argument is two strings of up to 255 bytes and more
        }
        if (request instanceof Message.Fetch fetch) {
            return 256L + Math.max(0, Math.min(fetch.maxBytes(), api.broker().config().maxFetchBytes()));
        }
        if (request instanceof Message.Poll) {
            return 256L + api.broker().config().maxFetchBytes(); // the budget its answer shares (see pollOnce)
        }
        return 256;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable problem = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (problem instanceof ProtocolException error) {
            ChannelFutureListener after = error.closesConnection() ? ChannelFutureListener.CLOSE : future -> { };
            channel.writeAndFlush(new Message.Error(error.correlationId(), ErrorKind.of(error.code()),
                error.getMessage())).addListener(after);
        } else if (problem instanceof IOException) {
            ctx.close(); // the peer reset the connection: nothing to answer
        } else {
            System.err.println("connection " + channel.remoteAddress() + " closed after: " + problem);
            ctx.close();
        }
    }

    /**
     * Runs on the connection's request thread, one request at a time: calls the broker, and answers when
     * its future completes (at once for most requests; later for a produce waiting for its fsync or a
     * parked poll, on the broker's thread that completes it).
     */
    private void execute(Message request, long cost) {
        int id = request.correlationId();
        CompletableFuture<? extends Message> answer;
        try {
            answer = call(request, id);
        } catch (RuntimeException e) {
            // Building the call's arguments refused a field (a negative partition, say): an answer all the same,
            // or the request would stay counted in flight and its client would wait for ever.
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((message, failure) -> reply(failure == null ? message : errorFor(id, failure), cost));
    }

    /** The broker call for one request, and how its result becomes the answer frame. */
    private CompletableFuture<? extends Message> call(Message request, int id) {
        CompletableFuture<? extends Message> answer;
        if (request instanceof Message.Produce produce) {
            answer = api.produce(produce.topic(), produce.key(), produce.value(),
                    produce.tag().isEmpty() ? null : produce.tag())
                .thenApply(at -> new Message.Produced(id, at.partition().partition(), at.offset()));
        } else if (request instanceof Message.Fetch fetch) {
            answer = api.fetch(fetch.topic(), fetch.partition(), fetch.offset(), fetch.maxBytes(), fetch.filter())
                .thenApply(result -> new Message.Records(id, result.nextOffset(), result.endOffset(),
                    result.records()));
        } else if (request instanceof Message.Poll poll) {
            answer = poll(poll);
        } else if (request instanceof Message.AddPartitions grow) {
            answer = api.addPartitions(grow.topic(), grow.partitions()).thenApply(count -> new Message.Ok(id, count));
        } else if (request instanceof Message.DeclareExchange declare) {
            answer = api.declareExchange(declare.name(), declare.type())
                .thenApply(created -> new Message.Ok(id, created ? 1 : 0));
        } else if (request instanceof Message.Bind bind) {
            answer = api.bind(bind.exchange(), bind.queue(), bind.key(), bind.arguments())
                .thenApply(done -> new Message.Ok(id, 0));
        } else if (request instanceof Message.Publish publish) {
            answer = api.publish(publish.exchange(), publish.routingKey(), publish.headers(), publish.key(),
                    publish.value())
                .thenApply(copies -> new Message.Published(id, copies));
        } else if (request instanceof Message.CreateTopic create) {
            answer = api.createTopic(create.topic(), create.partitions()).thenApply(count -> new Message.Ok(id, count));
        } else if (request instanceof Message.Join join) {
            heldByBroker.incrementAndGet(); // until the whole group has rejoined
            answer = api.join(join.group(), join.member(), join.instanceId().isEmpty() ? null : join.instanceId(),
                    join.topics())
                .whenComplete((joined, failure) -> heldByBroker.decrementAndGet())
                .thenApply(joined -> new Message.Assigned(id, joined.generation(), joined.partitions(),
                    cooperative(join.group()) ? Message.Assigned.COOPERATIVE : Message.Assigned.EAGER, 1));
        } else if (request instanceof Message.Heartbeat beat) {
            answer = api.heartbeat(beat.group(), beat.member(), beat.generation())
                .thenApply(result -> new Message.Ok(id, result.ordinal()));
        } else if (request instanceof Message.Sync sync) {
            answer = api.assignment(sync.group(), sync.member())
                .thenApply(assigned -> new Message.Assigned(id, assigned.generation(), assigned.partitions()));
        } else if (request instanceof Message.Commit commit) {
            answer = api.commit(commit.group(), commit.member(), commit.generation(),
                    new PartitionOffset(new TopicPartition(commit.topic(), commit.partition()), commit.offset()))
                .thenApply(done -> new Message.Ok(id, commit.offset()));
        } else if (request instanceof Message.CommitAll commit) {
            Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
            for (PartitionOffset next : commit.offsets()) {
                offsets.put(next.partition(), next.offset());
            }
            answer = api.commitAll(commit.group(), commit.member(), commit.generation(), offsets)
                .thenApply(done -> new Message.Ok(id, offsets.size()));
        } else if (request instanceof Message.Leave leave) {
            answer = api.leave(leave.group(), leave.member()).thenApply(done -> new Message.Ok(id, 0));
        } else if (request instanceof Message.ListOffsets list) {
            answer = api.offsetForTime(list.topic(), list.partition(), list.timestamp())
                .thenApply(found -> found.map(at -> new Message.OffsetAt(id, at.offset(), at.timestamp()))
                    .orElseGet(() -> new Message.OffsetAt(id, -1, -1)));
        } else if (request instanceof Message.Committed committed) {
            answer = api.committed(committed.group(), new TopicPartition(committed.topic(), committed.partition()))
                .thenApply(offset -> new Message.Ok(id, offset.orElse(-1)));
        } else if (request instanceof Message.Describe describe) {
            answer = api.describe(describe.group()).thenApply(group -> {
                List<Message.Group.Member> members = new ArrayList<>();
                group.owners().forEach((member, partitions) -> members.add(new Message.Group.Member(member,
                    partitions)));
                List<Message.Group.Lag> lags = new ArrayList<>();
                if (describe.version() >= 1) { // a version 0 client gets the answer it can read
                    for (PartitionLag lag : group.lags()) {
                        lags.add(new Message.Group.Lag(lag.partition(), lag.committed().orElse(-1),
                            lag.endOffset()));
                    }
                }
                return new Message.Group(id, group.generation(), members, lags, describe.version());
            });
        } else {
            answer = CompletableFuture.completedFuture(
                new Message.Error(id, ErrorKind.UNKNOWN_COMMAND, request.api() + " is not a request"));
        }
        return answer;
    }

    /** Whether the group rebalances cooperatively (its members keep their partitions while they rejoin). */
    private boolean cooperative(String group) {
        try {
            return api.broker().protocol(group) == RebalanceProtocol.COOPERATIVE;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A long poll: while the broker holds it, the connection is waiting, not idle. */
    private CompletableFuture<Message.Polled> poll(Message.Poll poll) {
        heldByBroker.incrementAndGet();
        return api.poll(poll.positions(), poll.maxBytes(), poll.maxWaitMillis(), poll.filter())
            .whenComplete((results, failure) -> heldByBroker.decrementAndGet())
            .thenApply(results -> {
                List<Message.Polled.Result> answer = new ArrayList<>(results.size());
                for (BrokerApi.Polled result : results) {
                    answer.add(new Message.Polled.Result(result.partition(), result.fetched().nextOffset(),
                        result.fetched().endOffset(), result.fetched().records()));
                }
                return new Message.Polled(poll.correlationId(), answer);
            });
    }

    /** The error frame for a refused request: the kind from the exception's type, its message as is. */
    static Message.Error errorFor(int correlationId, Throwable failure) {
        Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
            : failure;
        ErrorKind kind;
        if (e instanceof UnknownTopicException) {
            kind = ErrorKind.UNKNOWN_TOPIC;
        } else if (e instanceof OffsetOutOfRangeException) {
            kind = ErrorKind.OFFSET_OUT_OF_RANGE;
        } else if (e instanceof UnreadableOffsetsException) {
            kind = ErrorKind.UNREADABLE_RECORDS;
        } else if (e instanceof IllegalGenerationException) {
            kind = ErrorKind.ILLEGAL_GENERATION;
        } else if (e instanceof ShuttingDownException) {
            kind = ErrorKind.BUSY;
        } else if (e instanceof IllegalArgumentException) {
            kind = ErrorKind.INVALID_ARGUMENT;
        } else {
            kind = ErrorKind.INTERNAL_ERROR; // a bug, a full disk, or an exercise not done yet
        }
        return new Message.Error(correlationId, kind, e.getMessage() != null ? e.getMessage() : e.toString());
    }

    /**
     * Sends an answer. {@code cost}: what the answered request was counted for in flight (0 for an
     * answer to no counted request); released once the answer has been written to the socket, not when
     * it was queued — a client that does not read its answers keeps them counted, so reading stays off.
     */
    private void reply(WireFrame answer, long cost) {
        channel.writeAndFlush(answer).addListener((ChannelFutureListener) future -> {
            if (!future.isSuccess() && future.channel().isActive()) {
                System.err.println("could not send " + answer + ": " + future.cause());
                future.channel().close();
            }
            if (cost > 0) {
                answered(cost);
            }
        });
    }

    /** A counted answer has left (or the connection is gone): resume reading once below half the limits. */
    private void answered(long cost) {
        int requests = inFlight.decrementAndGet();
        long bytes = bytesInFlight.addAndGet(-cost);
        if (requests <= maxInFlight / 2 && bytes <= maxBytesInFlight / 2) {
            watch.pauseReading(ConnectionGuard.Pause.IN_FLIGHT, false);
        }
    }
}

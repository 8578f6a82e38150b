package org.mqworkbook.dispatch.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.mqworkbook.dispatch.broker.TopicBroker;
import org.mqworkbook.dispatch.broker.UnknownTopicException;
import org.mqworkbook.dispatch.group.Assignment;
import org.mqworkbook.dispatch.group.HeartbeatResult;
import org.mqworkbook.dispatch.group.IllegalGenerationException;
import org.mqworkbook.dispatch.group.JoinResult;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.protocol.ErrorKind;
import org.mqworkbook.dispatch.protocol.Message;
import org.mqworkbook.dispatch.protocol.ProtocolError;
import org.mqworkbook.dispatch.routing.TagFilter;
import org.mqworkbook.dispatch.topic.FetchResult;
import org.mqworkbook.dispatch.topic.PartitionOffset;
import org.mqworkbook.dispatch.topic.Topic;
import org.mqworkbook.inmemory.server.ConnectionGuard;
import org.mqworkbook.storage.Header;
import org.mqworkbook.storage.OffsetOutOfRangeException;
import org.mqworkbook.storage.Record;
import org.mqworkbook.storage.UnreadableOffsetsException;

/**
 * One connection's requests. Thread safety and ordering:
 *
 * <ul>
 *   <li>Netty calls {@code channelRead0} on the connection's event loop, which never touches the disk:
 *       it counts the request and hands it to the connection's own request thread ({@code ordered}, one
 *       of the server's request threads, always the same one for this connection).
 *   <li>On that thread requests run one at a time, in the order they arrived. That is what keeps a
 *       pipelining producer's records in order: its second record is appended after its first.
 *   <li>A produce does not wait for its fsync there: the record is appended, and the
 *       {@link DurabilityWaiter} answers once it is on disk, so the next request can be appended
 *       meanwhile and share the fsync.
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
final class DispatchServerHandler extends SimpleChannelInboundHandler<Message> {
    /** The longest a {@link Message.Poll} may wait for a record (Kafka's default fetch wait is 500 ms). */
    static final int MAX_POLL_WAIT_MILLIS = 30_000;

    private final Channel channel;
    private final TopicBroker broker;
    private final EventExecutor ordered;
    private final DurabilityWaiter durability;
    private final PollWaiters waiters;
    private final int maxInFlight;
    private final long maxBytesInFlight;
    /** The connection's watch: pauses and resumes reading, and closes the connection when silent or idle. */
    private final ConnectionGuard.Watch watch;
    /** Requests read and not yet answered onto the socket. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Bytes those requests hold or reserve for their answers (see {@link #cost}). */
    private final AtomicLong bytesInFlight = new AtomicLong();
    /** Polls parked in the broker, waiting for a record: while there are any, the connection is not idle. */
    private final AtomicInteger parkedPolls = new AtomicInteger();

    DispatchServerHandler(Channel channel, TopicBroker broker, EventExecutor ordered, DurabilityWaiter durability,
                          PollWaiters waiters, int maxInFlight, long maxBytesInFlight, ConnectionGuard.Watch watch) {
        this.channel = channel;
        this.broker = broker;
        this.ordered = ordered;
        this.durability = durability;
        this.waiters = waiters;
        this.maxInFlight = maxInFlight;
        this.maxBytesInFlight = maxBytesInFlight;
        this.watch = watch;
        // A parked poll is a connection waiting for the broker, not an idle one. An answer stuck in the outbound
        // buffer is not: a client that does not read is closed once it has stalled for the idle timeout.
        watch.waitingFor(() -> parkedPolls.get() > 0);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Message message) {
        if (!message.api().isRequest()) {
            reply(new Message.Error(message.correlationId(), ErrorKind.UNKNOWN_COMMAND,
                message.api() + " is an answer from the broker, not a request"), 0);
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
        if (request instanceof Message.Fetch fetch) {
            return 256L + Math.max(0, Math.min(fetch.maxBytes(), broker.config().maxFetchBytes()));
        }
        if (request instanceof Message.Poll) {
            return 256L + broker.config().maxFetchBytes(); // the budget its answer shares (see pollOnce)
        }
        return 256;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable problem = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (problem instanceof ProtocolError error) {
            ChannelFutureListener after = error.isFatal() ? ChannelFutureListener.CLOSE : future -> { };
            channel.writeAndFlush(new Message.Error(error.correlationId(), error.kind(), error.getMessage()))
                .addListener(after);
        } else if (problem instanceof IOException) {
            ctx.close(); // the peer reset the connection: nothing to answer
        } else {
            System.err.println("connection " + channel.remoteAddress() + " closed after: " + problem);
            ctx.close();
        }
    }

    /** Runs on the connection's request thread, one request at a time. */
    private void execute(Message request, long cost) {
        int id = request.correlationId();
        try {
            if (request instanceof Message.Produce produce) {
                produce(produce, cost);
            } else if (request instanceof Message.Fetch fetch) {
                FetchResult result = broker.fetch(fetch.topic(), fetch.partition(), fetch.offset(), fetch.maxBytes(),
                    TagFilter.parse(fetch.filter()));
                reply(new Message.Records(id, result.nextOffset(), result.endOffset(), result.records()), cost);
            } else if (request instanceof Message.Poll poll) {
                poll(poll, cost);
            } else if (request instanceof Message.CreateTopic create) {
                int partitions = broker.createTopic(create.topic(), create.partitions()).partitionCount();
                reply(new Message.Ok(id, partitions), cost);
            } else if (request instanceof Message.Join join) {
                JoinResult joined = broker.join(join.group(), join.member(), new HashSet<>(join.topics()));
                reply(new Message.Assigned(id, joined.generation(), joined.partitions()), cost);
            } else if (request instanceof Message.Heartbeat beat) {
                HeartbeatResult result = broker.heartbeat(beat.group(), beat.member(), beat.generation());
                reply(new Message.Ok(id, result.ordinal()), cost);
            } else if (request instanceof Message.Sync sync) {
                Assignment assignment = broker.assignment(sync.group(), sync.member());
                reply(new Message.Assigned(id, assignment.generation(), assignment.partitions()), cost);
            } else if (request instanceof Message.Commit commit) {
                broker.commit(commit.group(), commit.member(), commit.generation(),
                    new TopicPartition(commit.topic(), commit.partition()), commit.offset());
                reply(new Message.Ok(id, commit.offset()), cost);
            } else if (request instanceof Message.CommitAll commit) {
                Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
                for (Message.Poll.Position position : commit.offsets()) {
                    offsets.put(position.partition(), position.offset());
                }
                broker.commitAll(commit.group(), commit.member(), commit.generation(), offsets);
                reply(new Message.Ok(id, offsets.size()), cost);
            } else if (request instanceof Message.Leave leave) {
                broker.leave(leave.group(), leave.member());
                reply(new Message.Ok(id, 0), cost);
            } else if (request instanceof Message.Committed committed) {
                TopicPartition partition = new TopicPartition(committed.topic(), committed.partition());
                reply(new Message.Ok(id, broker.committed(committed.group(), partition).orElse(-1)), cost);
            } else if (request instanceof Message.Describe describe) {
                List<Message.Group.Member> members = new ArrayList<>();
                for (Map.Entry<String, List<TopicPartition>> owner : broker.owners(describe.group()).entrySet()) {
                    members.add(new Message.Group.Member(owner.getKey(), owner.getValue()));
                }
                reply(new Message.Group(id, broker.generation(describe.group()), members), cost);
            } else {
                reply(new Message.Error(id, ErrorKind.UNKNOWN_COMMAND, request.api() + " is not a request"), cost);
            }
        } catch (Exception e) {
            reply(errorFor(id, e), cost);
        }
    }

    /**
     * A long poll: answers at once if any partition has something new (or the poll may not wait);
     * otherwise parks until a record is appended to one of its partitions or {@code maxWaitMillis}
     * passes, then answers with whatever is there.
     */
    private void poll(Message.Poll poll, long cost) throws IOException {
        if (poll.positions().isEmpty()) {
            throw new IllegalArgumentException("a poll must name at least one partition");
        }
        if (poll.maxWaitMillis() < 0 || poll.maxWaitMillis() > MAX_POLL_WAIT_MILLIS) {
            throw new IllegalArgumentException("a poll may wait 0 to " + MAX_POLL_WAIT_MILLIS + " ms, not "
                + poll.maxWaitMillis());
        }
        TagFilter filter = TagFilter.parse(poll.filter());
        List<Message.Polled.Result> results = pollOnce(poll, filter);
        if (poll.maxWaitMillis() == 0 || progressed(poll, results)) {
            reply(new Message.Polled(poll.correlationId(), results), cost);
            return;
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (Message.Poll.Position position : poll.positions()) {
            partitions.add(position.partition());
        }
        AtomicReference<ScheduledFuture<?>> timeout = new AtomicReference<>();
        parkedPolls.incrementAndGet();
        PollWaiters.Parked parked = waiters.park(partitions, () -> {
            parkedPolls.decrementAndGet(); // woken once: by a record, by its timeout, or by shutdown
            ScheduledFuture<?> timer = timeout.get();
            if (timer != null) {
                timer.cancel(false);
            }
            try {
                ordered.execute(() -> answerPoll(poll, filter, cost));
            } catch (RejectedExecutionException shuttingDown) {
                reply(new Message.Error(poll.correlationId(), ErrorKind.BUSY, "the broker is shutting down"), cost);
            }
        });
        timeout.set(ordered.schedule(parked::wake, poll.maxWaitMillis(), TimeUnit.MILLISECONDS));
        // A record appended between the fetch above and park() woke nobody: look once more.
        for (Message.Poll.Position position : poll.positions()) {
            Topic topic = broker.topic(position.partition().topic()).orElseThrow();
            if (topic.endOffset(position.partition().partition()) > position.offset()) {
                parked.wake();
                break;
            }
        }
    }

    /** Runs a woken poll's fetch and answers it, on the connection's request thread. */
    private void answerPoll(Message.Poll poll, TagFilter filter, long cost) {
        try {
            reply(new Message.Polled(poll.correlationId(), pollOnce(poll, filter)), cost);
        } catch (Exception e) {
            reply(errorFor(poll.correlationId(), e), cost);
        }
    }

    /**
     * Fetches each partition of the poll in turn from its offset, sharing one byte budget
     * ({@link TopicBroker.BrokerConfig#maxFetchBytes()}) so that the answer stays bounded however many
     * partitions it names; a partition reached after the budget is spent is answered with no records.
     */
    private List<Message.Polled.Result> pollOnce(Message.Poll poll, TagFilter filter) throws IOException {
        long budget = broker.config().maxFetchBytes();
        int perPartition = Math.max(1, Math.min(poll.maxBytes(), broker.config().maxFetchBytes()));
        List<Message.Polled.Result> results = new ArrayList<>(poll.positions().size());
        for (Message.Poll.Position position : poll.positions()) {
            TopicPartition partition = position.partition();
            if (budget <= 0) {
                Topic topic = broker.topic(partition.topic()).orElseThrow(
                    () -> new UnknownTopicException(partition.topic()));
                results.add(new Message.Polled.Result(partition, position.offset(),
                    topic.endOffset(partition.partition()), List.of()));
                continue;
            }
            FetchResult fetched = broker.fetch(partition.topic(), partition.partition(), position.offset(),
                (int) Math.min(perPartition, budget), filter);
            for (Record record : fetched.records()) {
                budget -= wireSize(record);
            }
            results.add(new Message.Polled.Result(partition, fetched.nextOffset(), fetched.endOffset(),
                fetched.records()));
        }
        return results;
    }

    private static boolean progressed(Message.Poll poll, List<Message.Polled.Result> results) {
        for (int i = 0; i < results.size(); i++) {
            Message.Polled.Result result = results.get(i);
            if (!result.records().isEmpty() || result.nextOffset() != poll.positions().get(i).offset()) {
                return true;
            }
        }
        return false;
    }

    /** About how many bytes a record takes in an answer. */
    private static long wireSize(Record record) {
        long size = 28L + (record.key() == null ? 0 : record.key().length)
            + (record.value() == null ? 0 : record.value().length);
        for (Header header : record.headers()) {
            size += 6L + header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }

    private void produce(Message.Produce produce, long cost) throws IOException {
        int id = produce.correlationId();
        Topic topic = broker.topic(produce.topic()).orElseThrow(() -> new UnknownTopicException(produce.topic()));
        PartitionOffset appended = broker.append(topic, produce.key(), produce.value(),
            produce.tag().isEmpty() ? null : produce.tag());
        durability.whenDurable(topic, appended, failure -> reply(failure == null
            ? new Message.Produced(id, appended.partition().partition(), appended.offset())
            : errorFor(id, failure), cost));
    }

    /** The error frame for a refused request: the kind from the exception's type, its message as is. */
    static Message.Error errorFor(int correlationId, Exception e) {
        ErrorKind kind;
        if (e instanceof UnknownTopicException) {
            kind = ErrorKind.UNKNOWN_TOPIC;
        } else if (e instanceof OffsetOutOfRangeException) {
            kind = ErrorKind.OFFSET_OUT_OF_RANGE;
        } else if (e instanceof UnreadableOffsetsException) {
            kind = ErrorKind.UNREADABLE_RECORDS;
        } else if (e instanceof IllegalGenerationException) {
            kind = ErrorKind.ILLEGAL_GENERATION;
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
    private void reply(Message answer, long cost) {
        channel.writeAndFlush(answer).addListener((ChannelFutureListener) future -> {
            if (!future.isSuccess() && future.channel().isActive()) {
                System.err.println("could not send " + answer.api() + ": " + future.cause());
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

package org.mqworkbook.inmemory.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.mqworkbook.inmemory.Broker;
import org.mqworkbook.inmemory.BrokerException;
import org.mqworkbook.inmemory.Delivery;
import org.mqworkbook.inmemory.ErrorCode;
import org.mqworkbook.inmemory.MessageQueue;
import org.mqworkbook.inmemory.QueueConfig;
import org.mqworkbook.inmemory.RequestExecutor;
import org.mqworkbook.inmemory.Subscription;
import org.mqworkbook.inmemory.protocol.Frame;
import org.mqworkbook.inmemory.protocol.Protocol;
import org.mqworkbook.inmemory.protocol.ProtocolException;

/**
 * The broker's behaviour on one connection: each decoded request becomes a task for the
 * {@link RequestExecutor}; answers and pushed deliveries are written back to the channel. Methods of
 * this class are thread safe: one instance serves one connection, from several threads at once.
 *
 * <p>Who calls what: Netty calls the {@code channel...} and {@code exceptionCaught} methods on the
 * connection's event-loop thread; the request methods run on executor worker threads, several at a
 * time if the client pipelines requests;
 * long-poll and subscription callbacks run on whichever thread made a message deliverable (another
 * connection's worker, the timer); {@link #answerLongPollsEmpty()} runs on the thread closing the
 * server. So the fields are final, the per-connection state is in concurrent collections, and every
 * write goes through {@link Channel#writeAndFlush}, which Netty hands to the event loop in call order
 * when called from another thread.
 *
 * <p>The event loop never calls the broker and never waits. A broker call may take a queue's lock, and
 * one event loop serves many connections: a wait there would stall all of them. That is why requests
 * go through {@link RequestExecutor#trySubmit}, which answers "no" at once instead of blocking
 * ({@code BUSY}), and why publishing uses {@link MessageQueue#tryPublish} ({@code QUEUE_FULL}) rather
 * than the blocking {@link MessageQueue#publish}: with N workers, N producers waiting on full queues
 * would stop every other client, including the consumers who would make space. (RabbitMQ instead stops
 * reading from a publishing connection while memory is short; Kafka answers at once and lets the
 * producer's own buffer fill.)
 *
 * <p>Every broker call is wrapped: a {@link BrokerException} becomes an error frame with its code, any
 * other {@link RuntimeException} (a bug, or an exercise not done yet) becomes {@code INTERNAL_ERROR},
 * and the connection keeps being served.
 *
 * <p>Back-pressure: at most {@code maxInFlight} requests of one connection are accepted and unanswered
 * (an answer counts as given once it is written to the socket). At the limit the server stops reading the
 * connection, as Kafka mutes a channel; a request that was already read is answered {@code BUSY}. The
 * {@link ConnectionGuard.Watch} also stops reading while the outbound buffer is above its high water mark.
 * So a client that never reads its answers costs the server a bounded number of bytes, not one frame per
 * request it sends.
 */
public final class BrokerServerHandler extends SimpleChannelInboundHandler<Frame> {
    private final Channel channel;
    private final Broker broker;
    private final RequestExecutor executor;
    /** Names this connection as a consumer in the broker: whoever holds a delivery, may ack it. */
    private final String consumerId;
    /** This connection's push subscriptions, by queue name: at most one per queue. */
    private final ConcurrentMap<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    /** This connection's long polls that have not been answered yet. */
    private final Set<LongPoll> longPolls = ConcurrentHashMap.newKeySet();
    private final int maxInFlight;
    private final ConnectionGuard.Watch watch;
    /** Requests accepted and not yet answered (their answer not yet written to the socket). Any thread. */
    private final AtomicInteger inFlight = new AtomicInteger();

    /**
     * @param maxInFlight requests of this connection accepted and not yet answered before reading pauses
     * @param watch       the connection's watch, which pauses and resumes reading
     */
    public BrokerServerHandler(Channel channel, Broker broker, RequestExecutor executor, int maxInFlight,
                               ConnectionGuard.Watch watch) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.broker = Objects.requireNonNull(broker, "broker");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.maxInFlight = maxInFlight;
        this.watch = Objects.requireNonNull(watch, "watch");
        this.consumerId = consumerId(channel);
    }

    /** Whether the connection waits for the broker (a parked long poll, a subscription): not idle then. */
    boolean isWaiting() {
        return !longPolls.isEmpty() || !subscriptions.isEmpty();
    }

    /** The consumer id the broker knows a connection by, from its channel id: {@code conn-3f2a1b0c}. */
    public static String consumerId(Channel channel) {
        return "conn-" + channel.id().asShortText();
    }

    // ---------------------------------------------------------------------------------------------
    // Event loop: hand requests over, never execute them here
    // ---------------------------------------------------------------------------------------------

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        // On Java 21 this would switch on the record itself (case Frame.Publish p -> publish(p)) without
        // the casts; on Java 17 switching on the opcode gives the same check that no command is missed.
        Runnable request = switch (frame.opcode()) {
            case DECLARE_QUEUE -> () -> declareQueue((Frame.DeclareQueue) frame);
            case PUBLISH -> () -> publish((Frame.Publish) frame);
            case RECEIVE -> () -> receive((Frame.Receive) frame);
            case SUBSCRIBE -> () -> subscribe((Frame.Subscribe) frame);
            case CANCEL -> () -> cancel((Frame.Cancel) frame);
            case ACK -> () -> ack((Frame.Ack) frame);
            case REJECT -> () -> reject((Frame.Reject) frame);
            case API_VERSIONS -> () -> answer(Frame.Versions.ofChapter5(frame.correlationId()));
            case OK, DELIVER, EMPTY, ERROR, VERSIONS -> null; // answers: only the broker sends them
        };
        int correlationId = frame.correlationId();
        if (request == null) {
            reply(new Frame.Error(correlationId, ErrorCode.UNKNOWN_COMMAND,
                frame.opcode().describe() + " is an answer from the broker, not a request"));
            return;
        }
        if (inFlight.get() >= maxInFlight) {
            // read before reading paused, in the same batch of bytes: refused without being executed
            reply(new Frame.Error(correlationId, ErrorCode.BUSY, "this connection has " + inFlight.get()
                + " requests in flight, its limit; read the answers, then retry"));
            return;
        }
        if (inFlight.incrementAndGet() >= maxInFlight) {
            watch.pauseReading(ConnectionGuard.Pause.IN_FLIGHT, true);
        }
        boolean accepted;
        try {
            accepted = executor.trySubmit(() -> execute(correlationId, request));
        } catch (RuntimeException e) {
            answered();
            reply(internalError(correlationId, e));
            return;
        }
        if (!accepted) {
            answered();
            reply(executor.isShutdown()
                ? new Frame.Error(correlationId, ErrorCode.SHUTTING_DOWN, "the broker is shutting down")
                : new Frame.Error(correlationId, ErrorCode.BUSY, "the broker's request queue is full ("
                    + executor.queued() + " requests waiting); retry later"));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // The consumer is gone: requeue what it held, drop its long polls and subscriptions. This must
        // happen even while the server shuts down (the executor then refuses work), and consumerGone
        // never waits, so running it right here on the event loop is the fallback.
        boolean accepted;
        try {
            accepted = executor.trySubmit(this::releaseEverything);
        } catch (RuntimeException e) {
            accepted = false;
        }
        if (!accepted) {
            releaseEverything();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ProtocolException e) {
            Frame.Error answer = new Frame.Error(e.correlationId(), e.code(), e.getMessage());
            ChannelFuture written = ctx.writeAndFlush(answer);
            if (e.closesConnection()) {
                written.addListener(ChannelFutureListener.CLOSE); // after the error frame is on its way
            }
            return;
        }
        if (!(cause instanceof IOException)) { // a client resetting its connection is not news
            System.err.println(consumerId + ": closing the connection after an unexpected error: " + cause);
        }
        ctx.close();
    }

    // ---------------------------------------------------------------------------------------------
    // Worker threads: execute one request and answer it
    // ---------------------------------------------------------------------------------------------

    /** Runs one request on a worker; every failure becomes an error answer, and the worker goes on. */
    private void execute(int correlationId, Runnable request) {
        try {
            request.run();
        } catch (BrokerException e) {
            answer(new Frame.Error(correlationId, e.code(), e.getMessage()));
        } catch (RuntimeException e) {
            answer(internalError(correlationId, e));
        }
    }

    private void declareQueue(Frame.DeclareQueue request) {
        if (request.visibilityTimeoutMillis() > Protocol.MAX_VISIBILITY_TIMEOUT_MILLIS) {
            throw new BrokerException(ErrorCode.INVALID_ARGUMENT, "visibility timeout of "
                + request.visibilityTimeoutMillis() + " ms is longer than the "
                + Protocol.MAX_VISIBILITY_TIMEOUT_MILLIS + " ms accepted");
        }
        // The other limits keep the broker's defaults; the protocol could carry them as more fields.
        QueueConfig config = QueueConfig.DEFAULT.capacity(request.capacity())
            .visibilityTimeout(Duration.ofMillis(request.visibilityTimeoutMillis()));
        broker.declareQueue(request.queue(), config);
        answer(new Frame.Ok(request.correlationId(), 0));
    }

    private void publish(Frame.Publish request) {
        MessageQueue queue = broker.queue(request.queue());
        OptionalLong id = queue.tryPublish(request.body());
        if (id.isEmpty()) {
            answer(new Frame.Error(request.correlationId(), ErrorCode.QUEUE_FULL, "queue '" + queue.name()
                + "' holds " + queue.config().capacity() + " ready messages, its capacity; retry later"));
            return;
        }
        answer(new Frame.Ok(request.correlationId(), id.getAsLong()));
    }

    private void receive(Frame.Receive request) {
        if (request.waitMillis() > Protocol.MAX_WAIT_MILLIS) {
            throw new BrokerException(ErrorCode.INVALID_ARGUMENT, "wait of " + request.waitMillis()
                + " ms is longer than the " + Protocol.MAX_WAIT_MILLIS + " ms accepted");
        }
        MessageQueue queue = broker.queue(request.queue());
        LongPoll poll = new LongPoll(request.correlationId(), queue);
        longPolls.add(poll);
        try {
            queue.receive(consumerId, Duration.ofMillis(request.waitMillis()), poll);
        } catch (RuntimeException e) {
            longPolls.remove(poll); // refused, so never called back; execute() answers the error
            throw e;
        }
    }

    private void subscribe(Frame.Subscribe request) {
        String name = request.queue();
        if (subscriptions.containsKey(name)) {
            throw alreadySubscribed(name);
        }
        MessageQueue queue = broker.queue(name);
        int correlationId = request.correlationId();
        // The queue may call the handler before subscribe() returns (a message is ready): the client
        // can see Deliver frames before the Ok, and is written to expect that.
        Subscription subscription = queue.subscribe(consumerId, request.prefetch(),
            delivery -> deliverSafely(correlationId, queue, delivery, false));
        if (subscriptions.putIfAbsent(name, subscription) != null) { // a concurrent Subscribe won
            subscription.cancel();
            throw alreadySubscribed(name);
        }
        if (!channel.isActive()) {
            // The connection closed while this request waited; its clean-up may have run already and
            // missed this subscription, which would otherwise stay in the queue for ever.
            subscriptions.remove(name, subscription);
            subscription.cancel();
            return;
        }
        answer(new Frame.Ok(correlationId, 0));
    }

    private void cancel(Frame.Cancel request) {
        Subscription subscription = subscriptions.remove(request.queue());
        if (subscription != null) {
            subscription.cancel();
        }
        answer(new Frame.Ok(request.correlationId(), subscription == null ? 0 : 1));
    }

    private void ack(Frame.Ack request) {
        if (!broker.queue(request.queue()).ack(consumerId, request.tag())) {
            throw unknownTag(request.queue(), request.tag());
        }
        answer(new Frame.Ok(request.correlationId(), 1));
    }

    private void reject(Frame.Reject request) {
        if (!broker.queue(request.queue()).reject(consumerId, request.tag(), request.requeue())) {
            throw unknownTag(request.queue(), request.tag());
        }
        answer(new Frame.Ok(request.correlationId(), 1));
    }

    // ---------------------------------------------------------------------------------------------
    // Any thread: deliveries, clean-up, answers
    // ---------------------------------------------------------------------------------------------

    /**
     * Sends a delivery to this connection's client, or gives it back if the connection is gone.
     *
     * <p>Called from inside the queue's hand-off loop, so it must not throw: an exception would skip the
     * hand-offs of other consumers queued behind this one.
     */
    private void deliverSafely(int correlationId, MessageQueue queue, Delivery delivery, boolean isAnswer) {
        try {
            if (!channel.isActive()) {
                // The connection closed between the queue choosing this consumer and this write. Give
                // the message back now instead of leaving it invisible until its visibility timeout. (If
                // it closes just after this check, channelInactive runs later and requeues it.)
                queue.consumerGone(consumerId);
                return;
            }
            Frame deliver = Frame.Deliver.of(correlationId, delivery);
            if (isAnswer) {
                answer(deliver);
            } else {
                reply(deliver);
            }
        } catch (RuntimeException ignored) {
            // consumerGone failed (an exercise not done yet?): the visibility timeout will requeue it
        }
    }

    /** The connection closed: cancel its subscriptions and let the broker requeue what it held. */
    private void releaseEverything() {
        for (Subscription subscription : subscriptions.values()) {
            subscription.cancel();
        }
        subscriptions.clear();
        try {
            broker.consumerGone(consumerId);
        } catch (RuntimeException ignored) {
            // consumerGone failed (an exercise not done yet?): deliveries wait for their visibility timeout
        }
    }

    /**
     * Answers every long poll of this connection that is still waiting with {@link Frame.Empty}: the
     * server is shutting down, and a parked {@code Receive} is a request it accepted and must answer.
     */
    void answerLongPollsEmpty() {
        for (LongPoll poll : longPolls) {
            poll.complete(Optional.empty());
        }
    }

    /**
     * Sends the answer to an accepted request; once it is written to the socket, the request no longer
     * counts as in flight (a client that does not read keeps it counted, so its reading stays paused).
     */
    private void answer(Frame frame) {
        channel.writeAndFlush(frame).addListener(future -> {
            answered();
            if (!future.isSuccess() && channel.isActive()) {
                System.err.println(consumerId + ": could not send " + frame + ": " + future.cause());
                channel.close();
            }
        });
    }

    /** One request fewer in flight; reading resumes once half the limit is free again. */
    private void answered() {
        if (inFlight.decrementAndGet() <= maxInFlight / 2) {
            watch.pauseReading(ConnectionGuard.Pause.IN_FLIGHT, false);
        }
    }

    /** Sends a frame that answers no counted request: an error for a refused one, a pushed delivery. */
    private void reply(Frame frame) {
        ChannelFutureListener onFailure = future -> {
            // On a closed channel a write fails as a matter of course: the client left. On an open one
            // the frame could not be encoded, a bug: say so and close rather than leave the client
            // waiting for an answer that will never come.
            if (!future.isSuccess() && future.channel().isActive()) {
                System.err.println(consumerId + ": could not send " + frame + ": " + future.cause());
                future.channel().close();
            }
        };
        channel.writeAndFlush(frame).addListener(onFailure);
    }

    private static Frame.Error internalError(int correlationId, RuntimeException e) {
        return new Frame.Error(correlationId, ErrorCode.INTERNAL_ERROR,
            e.getMessage() != null ? e.getMessage() : e.toString());
    }

    private static BrokerException alreadySubscribed(String queue) {
        return new BrokerException(ErrorCode.INVALID_ARGUMENT,
            "this connection already subscribes to queue '" + queue + "'; cancel that subscription first");
    }

    private static BrokerException unknownTag(String queue, long tag) {
        return new BrokerException(ErrorCode.UNKNOWN_DELIVERY_TAG, "delivery tag " + tag + " of queue '"
            + queue + "' is not held by this connection: already settled, expired, or never delivered");
    }

    /**
     * One {@code Receive} waiting for its answer. The queue calls it back once; shutdown may answer it
     * first. Whoever wins the compare-and-set answers, so the client gets exactly one frame.
     */
    private final class LongPoll implements Consumer<Optional<Delivery>> {
        private final int correlationId;
        private final MessageQueue queue;
        private final AtomicBoolean answered = new AtomicBoolean();

        LongPoll(int correlationId, MessageQueue queue) {
            this.correlationId = correlationId;
            this.queue = queue;
        }

        /** The queue's callback: runs inside its hand-off loop, so it does not throw (see deliverSafely). */
        @Override
        public void accept(Optional<Delivery> result) {
            complete(result);
        }

        void complete(Optional<Delivery> result) {
            if (!answered.compareAndSet(false, true)) {
                // Shutdown answered Empty already, then the queue found a message for this poll. Nobody
                // will process that delivery: hand it back.
                result.ifPresent(delivery -> {
                    try {
                        queue.consumerGone(consumerId);
                    } catch (RuntimeException ignored) {
                        // the visibility timeout will requeue it
                    }
                });
                return;
            }
            longPolls.remove(this);
            if (result.isPresent()) {
                deliverSafely(correlationId, queue, result.get(), true);
            } else {
                answer(new Frame.Empty(correlationId));
            }
        }
    }
}

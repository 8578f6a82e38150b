package org.mqworkbook.inmemory.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.mqworkbook.inmemory.Delivery;
import org.mqworkbook.inmemory.ErrorCode;
import org.mqworkbook.inmemory.protocol.Frame;
import org.mqworkbook.inmemory.protocol.FrameDecoder;
import org.mqworkbook.inmemory.protocol.FrameEncoder;

/**
 * A connection to a broker, with one blocking method per request. Methods of this class are thread
 * safe: threads may share one client and call it at the same time.
 *
 * <pre>{@code
 * try (BrokerClient client = BrokerClient.connect("127.0.0.1", 7070)) {
 *     client.declareQueue("orders", 1000, Duration.ofSeconds(30));
 *     long id = client.publish("orders", "hello".getBytes(UTF_8));
 *     client.receive("orders", Duration.ofSeconds(5)).ifPresent(d -> client.ack("orders", d.tag()));
 * }
 * }</pre>
 *
 * <p>Each request gets a new correlation id and a future in a map of pending requests; the I/O thread
 * completes the future when the answer with that id arrives, in whatever order answers come. The
 * calling thread waits for its future, at most the request timeout, and an error answer becomes a
 * {@link BrokerClientException} that carries the broker's {@link ErrorCode}. If the connection closes,
 * every pending future fails at once instead of waiting for its timeout.
 *
 * <p>Two threads work for the client. The I/O thread (Netty's event loop) reads and writes frames and
 * must never wait, so the blocking methods refuse to run on it. Push deliveries are handed to a single
 * delivery thread, one at a time and in arrival order, so a subscription's handler may call blocking
 * methods such as {@link #ack} (RabbitMQ's Java client dispatches to consumers the same way). Its queue
 * cannot grow without limit: the broker pushes at most {@code prefetch} unacknowledged deliveries.
 */
public final class BrokerClient implements AutoCloseable {
    /** How long a request waits for its answer unless told otherwise (a receive also waits its wait). */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final String address;
    private final Duration requestTimeout;
    private final RetryPolicy publishRetry;
    private final AtomicInteger lastCorrelationId = new AtomicInteger();
    /** Requests waiting for their answer, by correlation id. */
    private final ConcurrentMap<Integer, CompletableFuture<Frame>> pending = new ConcurrentHashMap<>();
    /** Live subscriptions, by the correlation id of their Subscribe, which their deliveries carry. */
    private final ConcurrentMap<Integer, PushSubscription> subscriptions = new ConcurrentHashMap<>();
    private final ExecutorService deliveryThread =
        Executors.newSingleThreadExecutor(new DefaultThreadFactory("mq-client-deliveries", true));
    private final EventLoopGroup group =
        new NioEventLoopGroup(1, new DefaultThreadFactory("mq-client-io", true));
    private final Channel channel;
    /** A connection-level error frame (correlation id 0) the broker sent before closing. Read by callers. */
    private volatile Frame.Error brokerError;

    /** Connects with the default request timeout and {@link RetryPolicy#DEFAULT}. */
    public static BrokerClient connect(String host, int port) {
        return connect(host, port, DEFAULT_REQUEST_TIMEOUT, RetryPolicy.DEFAULT);
    }

    /**
     * Connects to the broker at {@code host:port}.
     *
     * @param requestTimeout how long to wait for the connection and for each answer
     * @param publishRetry   how {@link #publish} retries when the broker refuses with a retryable error
     * @throws BrokerClientException if the connection cannot be made
     */
    public static BrokerClient connect(String host, int port, Duration requestTimeout,
                                       RetryPolicy publishRetry) {
        return new BrokerClient(host, port, requestTimeout, publishRetry);
    }

    private BrokerClient(String host, int port, Duration requestTimeout, RetryPolicy publishRetry) {
        this.address = host + ":" + port;
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.publishRetry = Objects.requireNonNull(publishRetry, "publishRetry");
        Bootstrap bootstrap = new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, requestTimeout.toMillis()))
            .handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new FrameDecoder(), new FrameEncoder(), new AnswerHandler());
                }
            });
        ChannelFuture connected = bootstrap.connect(host, port).awaitUninterruptibly();
        if (!connected.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            deliveryThread.shutdown();
            throw new BrokerClientException(
                "cannot connect to " + address + ": " + connected.cause().getMessage(), connected.cause());
        }
        channel = connected.channel();
        channel.closeFuture().addListener(closed -> failEverythingPending());
    }

    // ---------------------------------------------------------------------------------------------
    // Requests
    // ---------------------------------------------------------------------------------------------

    /**
     * Asks the broker which API keys and versions it reads ({@link Frame.ApiVersions}): what a client
     * checks before relying on a command, and how it finds out it has reached another chapter's broker.
     */
    public Frame.Versions apiVersions() {
        Frame answer = call(new Frame.ApiVersions(nextCorrelationId()), requestTimeout);
        if (answer instanceof Frame.Versions versions) {
            return versions;
        }
        throw unexpected(answer);
    }

    /**
     * Declares a queue, or checks that it exists with this configuration.
     *
     * @throws BrokerClientException {@code QUEUE_CONFLICT} if it exists with another configuration,
     *                               {@code INVALID_ARGUMENT} for a bad name or limit
     */
    public void declareQueue(String queue, int capacity, Duration visibilityTimeout) {
        call(new Frame.DeclareQueue(nextCorrelationId(), queue, capacity, visibilityTimeout.toMillis()),
            requestTimeout);
    }

    /**
     * Publishes a message. When the broker refuses with a retryable error ({@code QUEUE_FULL},
     * {@code BUSY}), waits and tries again as the {@link RetryPolicy} says, then gives up.
     *
     * @return the message's id in its queue
     * @throws BrokerClientException the broker's last refusal once the attempts are used up, or any
     *                               other failure at once
     */
    public long publish(String queue, byte[] body) {
        for (int attempt = 1; ; attempt++) {
            try {
                return ok(call(new Frame.Publish(nextCorrelationId(), queue, body), requestTimeout)).value();
            } catch (BrokerClientException e) {
                if (!e.isRetryable() || attempt >= publishRetry.maxAttempts()) {
                    throw attempt == 1 ? e : new BrokerClientException(e.code().orElseThrow(),
                        e.getMessage() + " (gave up after " + attempt + " attempts)");
                }
                pause(publishRetry.backoff(attempt));
            }
        }
    }

    /**
     * Takes one message, waiting up to {@code wait} for one to arrive (a long poll). The message stays
     * invisible to other consumers until {@link #ack acknowledged}, or until the queue's visibility
     * timeout passes.
     *
     * @return the delivery, or empty if none arrived in time
     */
    public Optional<Delivery> receive(String queue, Duration wait) {
        Frame answer = call(new Frame.Receive(nextCorrelationId(), queue, wait.toMillis()),
            requestTimeout.plus(wait));
        if (answer instanceof Frame.Deliver deliver) {
            return Optional.of(deliver.toDelivery());
        }
        if (answer instanceof Frame.Empty) {
            return Optional.empty();
        }
        throw unexpected(answer);
    }

    /**
     * Subscribes to a queue: from now on the broker pushes deliveries, at most {@code prefetch} of them
     * unacknowledged at a time, and the delivery thread passes each to {@code handler}. The handler
     * should ack (or reject) each delivery; a handler that throws leaves its delivery unacknowledged
     * until the visibility timeout.
     *
     * @return the subscription, to cancel it
     */
    public PushSubscription subscribe(String queue, int prefetch, Consumer<Delivery> handler) {
        int correlationId = nextCorrelationId();
        PushSubscription subscription = new PushSubscription(queue, handler);
        // Registered before the request is sent: the broker may push deliveries before it answers Ok.
        subscriptions.put(correlationId, subscription);
        try {
            call(new Frame.Subscribe(correlationId, queue, prefetch), requestTimeout);
        } catch (BrokerClientException e) {
            subscriptions.remove(correlationId);
            if (e.code().isEmpty() && channel.isActive()) {
                // No answer in time, but the broker may still subscribe us. Its pushes would find no
                // handler here, be handed back, and be pushed again, for ever: cancel, without waiting.
                channel.writeAndFlush(new Frame.Cancel(nextCorrelationId(), queue));
            }
            throw e;
        }
        subscription.correlationId = correlationId;
        return subscription;
    }

    /**
     * Acknowledges a delivery: the broker forgets the message.
     *
     * @throws BrokerClientException {@code UNKNOWN_DELIVERY_TAG} if this connection does not hold the
     *                               delivery (already settled, or its visibility timeout passed)
     */
    public void ack(String queue, long tag) {
        call(new Frame.Ack(nextCorrelationId(), queue, tag), requestTimeout);
    }

    /**
     * Refuses a delivery: with {@code requeue} the message goes back to the head of the queue at once,
     * without it is dropped.
     *
     * @throws BrokerClientException {@code UNKNOWN_DELIVERY_TAG} as for {@link #ack}
     */
    public void reject(String queue, long tag, boolean requeue) {
        call(new Frame.Reject(nextCorrelationId(), queue, tag, requeue), requestTimeout);
    }

    /**
     * Closes the connection. The broker requeues every delivery this client has not acknowledged.
     * Requests still waiting fail.
     */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        deliveryThread.shutdown();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** Whether the connection is open. */
    public boolean isConnected() {
        return channel.isActive();
    }

    @Override
    public String toString() {
        return "BrokerClient[" + address + (channel.isActive() ? "" : ", closed") + "]";
    }

    // ---------------------------------------------------------------------------------------------
    // Matching answers to requests
    // ---------------------------------------------------------------------------------------------

    /** Sends {@code request} and waits for its answer; an error answer is thrown. */
    private Frame call(Frame request, Duration timeout) {
        if (channel.eventLoop().inEventLoop()) {
            throw new IllegalStateException("blocking call on the client's I/O thread, which would then "
                + "never read the answer; call it from another thread");
        }
        int correlationId = request.correlationId();
        CompletableFuture<Frame> answer = new CompletableFuture<>();
        pending.put(correlationId, answer);
        try {
            channel.writeAndFlush(request).addListener((ChannelFutureListener) written -> {
                if (!written.isSuccess()) {
                    answer.completeExceptionally(written.channel().isActive()
                        ? new BrokerClientException("could not send " + request, written.cause())
                        : connectionClosed());
                }
            });
            Frame frame = answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (frame instanceof Frame.Error error) {
                throw new BrokerClientException(error.code(), error.message());
            }
            return frame;
        } catch (TimeoutException e) {
            throw new BrokerClientException("no answer to " + request + " from " + address + " within "
                + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BrokerClientException failure) {
                throw failure; // the connection closed: the exception says why
            }
            throw new BrokerClientException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerClientException("interrupted while waiting for the answer to " + request, e);
        } finally {
            pending.remove(correlationId);
        }
    }

    private static Frame.Ok ok(Frame answer) {
        if (answer instanceof Frame.Ok ok) {
            return ok;
        }
        throw unexpected(answer);
    }

    private static BrokerClientException unexpected(Frame answer) {
        return new BrokerClientException("the broker answered with an unexpected " + answer);
    }

    private int nextCorrelationId() {
        // Wraps around after 2^32 requests; an id is reused only if its request is still pending by then.
        return lastCorrelationId.incrementAndGet();
    }

    /** Runs on the I/O thread when the connection closes: nobody will answer what is pending. */
    private void failEverythingPending() {
        BrokerClientException closed = connectionClosed();
        for (CompletableFuture<Frame> answer : pending.values()) {
            answer.completeExceptionally(closed);
        }
        subscriptions.clear();
    }

    private BrokerClientException connectionClosed() {
        Frame.Error error = brokerError;
        return error == null
            ? new BrokerClientException("connection to " + address + " closed")
            : new BrokerClientException(error.code(), "connection to " + address
                + " closed by the broker after: " + error.message());
    }

    private static void pause(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerClientException("interrupted while backing off before a retry", e);
        }
    }

    /**
     * Reads the answers on the I/O thread: completes the pending request with the same correlation id,
     * or hands a pushed delivery to its subscription. Never blocks.
     */
    private final class AnswerHandler extends SimpleChannelInboundHandler<Frame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
            if (frame.opcode().isRequest()) {
                ctx.close(); // a broker does not send requests: whatever this is, it is not our broker
                return;
            }
            int correlationId = frame.correlationId();
            if (frame instanceof Frame.Deliver deliver) {
                PushSubscription subscription = subscriptions.get(correlationId);
                if (subscription != null) {
                    try {
                        deliveryThread.execute(() -> subscription.handle(deliver.toDelivery()));
                    } catch (RejectedExecutionException ignored) {
                        // the client is closing; the broker requeues the delivery when the connection closes
                    }
                    return;
                }
            }
            CompletableFuture<Frame> answer = pending.remove(correlationId);
            if (answer != null) {
                answer.complete(frame);
            } else if (frame instanceof Frame.Deliver deliver) {
                // Nobody waits for this delivery any more: its receive timed out, or its subscription was
                // cancelled. Give it back now rather than leave it invisible until its visibility timeout.
                // The answer to this reject is not awaited (and is ignored when it arrives).
                ctx.writeAndFlush(
                    new Frame.Reject(nextCorrelationId(), deliver.queue(), deliver.tag(), true));
            } else if (frame instanceof Frame.Error error && correlationId == 0) {
                brokerError = error; // about a frame the broker could not read; it closes the connection next
            }
            // Otherwise: the answer to a request that timed out. Nobody is waiting for it.
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A frame we cannot decode, or an I/O error: the connection is no use any more. Closing it
            // fails every pending request with a clear message.
            ctx.close();
        }
    }

    /**
     * A push subscription made with {@link #subscribe}. Its handler runs on the client's delivery
     * thread. Methods of this class are thread safe.
     */
    public final class PushSubscription {
        private final String queue;
        private final Consumer<Delivery> handler;
        /** Set once the broker has accepted the subscription; read by whoever cancels it. */
        private volatile int correlationId;

        private PushSubscription(String queue, Consumer<Delivery> handler) {
            this.queue = queue;
            this.handler = Objects.requireNonNull(handler, "handler");
        }

        public String queue() {
            return queue;
        }

        /**
         * Stops the deliveries. Deliveries already received stay unacknowledged until the handler acks
         * them; any that were on their way are handed back to the broker.
         */
        public void cancel() {
            call(new Frame.Cancel(nextCorrelationId(), queue), requestTimeout);
            subscriptions.remove(correlationId);
        }

        private void handle(Delivery delivery) {
            try {
                handler.accept(delivery);
            } catch (RuntimeException e) {
                System.err.println("the handler of the subscription to '" + queue + "' failed on delivery "
                    + delivery.tag() + " (it stays unacknowledged until its visibility timeout): " + e);
            }
        }
    }
}

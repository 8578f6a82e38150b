package org.mqworkbook.inmemory.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.mqworkbook.inmemory.Broker;
import org.mqworkbook.inmemory.RequestExecutor;

/**
 * Serves a {@link Broker} over TCP: the bootstrap that wires Netty's threads, the pipeline
 * ({@link BrokerServerInitializer}), the request workers and the timer together, and takes them apart
 * again in the right order. Methods of this class are thread safe: {@link #start()} and
 * {@link #close()} are synchronized, {@code close} is idempotent, and the getters never wait.
 *
 * <pre>
 *  boss thread         accepts connections; the ConnectionGuard admits, evicts or refuses them
 *  event-loop threads  read and decode frames, write answers      (never call the broker)
 *  worker threads      RequestExecutor: execute requests           (config.workerThreads)
 *  timer thread        broker.tick() every config.tickMillis       (visibility timeouts, long polls)
 * </pre>
 *
 * <p>Typical use, in a test or the command line:
 *
 * <pre>{@code
 * try (BrokerServer server = new BrokerServer(broker, ServerConfig.DEFAULT.port(0)).start()) {
 *     BrokerClient client = BrokerClient.connect("127.0.0.1", server.port());
 *     ...
 * }
 * }</pre>
 *
 * <p>{@link #close()} is graceful; see there for the order of the steps.
 */
public final class BrokerServer implements AutoCloseable {
    private final Broker broker;
    private final ServerConfig config;
    private final RequestExecutor executor;
    /** Admits connections and watches them: limits, silent and idle timeouts, write water marks. */
    private final ConnectionGuard guard;
    /** Every open connection; Netty removes a connection from the group when it closes. */
    private final ChannelGroup connections = new DefaultChannelGroup("broker-connections",
        GlobalEventExecutor.INSTANCE);

    // Guarded by this object's lock.
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private ScheduledExecutorService timer;
    private Channel serverChannel;
    private boolean started;
    private boolean closed;
    /** Set by {@link #start()}; read by any thread asking for the port, also while close() runs. */
    private volatile InetSocketAddress boundAddress;

    /** Tick failures after the first are counted, not printed. Written by the timer thread only. */
    private volatile long tickFailures;

    /** A server for {@code broker} with its own {@link RequestExecutor}, sized by {@code config}. */
    public BrokerServer(Broker broker, ServerConfig config) {
        this(broker, config,
            new RequestExecutor("broker", config.workerThreads(), config.requestQueueCapacity()));
    }

    /**
     * A server that executes requests on {@code executor}, which it shuts down when it closes. Tests
     * use this to hold a worker busy, for example; {@code config.workerThreads} and
     * {@code config.requestQueueCapacity} are then not used.
     */
    public BrokerServer(Broker broker, ServerConfig config, RequestExecutor executor) {
        this.broker = Objects.requireNonNull(broker, "broker");
        this.config = Objects.requireNonNull(config, "config");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.guard = new ConnectionGuard(config.connections());
    }

    /**
     * Binds the listening socket and starts the timer. Returns once connections are accepted.
     *
     * @return this server, so that {@code new BrokerServer(...).start()} fits in a try-with-resources
     * @throws IOException           if the address cannot be bound (the port is taken, for example)
     * @throws IllegalStateException if started before, or closed
     */
    public synchronized BrokerServer start() throws IOException {
        if (started || closed) {
            throw new IllegalStateException("a BrokerServer can be started once; this one is "
                + (closed ? "closed" : "running"));
        }
        started = true;
        bossGroup = new NioEventLoopGroup(1, new DefaultThreadFactory("broker-accept", true));
        workerGroup = new NioEventLoopGroup(0, new DefaultThreadFactory("broker-io", true));
        ServerBootstrap bootstrap = new ServerBootstrap()
            .group(bossGroup, workerGroup)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true) // answers are small: do not wait to batch them
            .childHandler(new BrokerServerInitializer(broker, executor, connections, guard, config));
        ChannelFuture bound = bootstrap.bind(config.bindHost(), config.port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutDownEventLoops();
            Throwable cause = bound.cause();
            throw new IOException("cannot listen on " + config.bindHost() + ":" + config.port() + ": "
                + cause.getMessage(), cause);
        }
        serverChannel = bound.channel();
        boundAddress = (InetSocketAddress) serverChannel.localAddress();
        if (config.tickMillis() > 0) {
            timer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("broker-tick", true));
            // Fixed delay, not fixed rate: a slow tick is not followed by a burst of catch-up ticks.
            timer.scheduleWithFixedDelay(this::tick, config.tickMillis(), config.tickMillis(),
                TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** The port the server listens on; with port 0 in the configuration, the one the system chose. */
    public int port() {
        return localAddress().getPort();
    }

    /** The address the server listens on (still known after {@link #close()}). */
    public InetSocketAddress localAddress() {
        InetSocketAddress address = boundAddress;
        if (address == null) {
            throw new IllegalStateException("the server is not started");
        }
        return address;
    }

    public Broker broker() {
        return broker;
    }

    public ServerConfig config() {
        return config;
    }

    /** How many connections are open now. */
    public int connectionCount() {
        return connections.size();
    }

    /** The guard of this server's connections, with its counts of refused, evicted and closed ones. */
    public ConnectionGuard guard() {
        return guard;
    }

    /**
     * Shuts down gracefully, in this order, each step bounded by {@link ServerConfig#shutdownGrace}:
     *
     * <ol>
     *   <li>stop accepting connections;
     *   <li>shut the {@link RequestExecutor} down: requests still arriving are answered
     *       {@code SHUTTING_DOWN}, every request already accepted is executed and answered;
     *   <li>answer the long polls still parked in the broker with {@code Empty};
     *   <li>flush what is written to each connection, then close it (the broker requeues whatever
     *       its consumer held);
     *   <li>stop the timer and Netty's threads.
     * </ol>
     *
     * <p>The broker itself is left as it is: a test may inspect it afterwards. Calling this again does
     * nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(remainingMillis(deadline));
        }
        try {
            executor.shutdown(Duration.ofMillis(remainingMillis(deadline)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // finish closing, but let the caller see the interrupt
        } catch (RuntimeException e) {
            System.err.println("request executor did not shut down cleanly: " + e.getMessage());
        }
        for (Channel connection : connections) {
            BrokerServerHandler handler = connection.pipeline().get(BrokerServerHandler.class);
            if (handler != null) {
                handler.answerLongPollsEmpty();
            }
        }
        // An empty write completes after every write queued before it: closing when it completes
        // flushes the answers first. A client that does not read could hold that up for ever, so
        // whatever is still open when the grace period ends is closed anyway.
        for (Channel connection : connections) {
            connection.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        connections.newCloseFuture().awaitUninterruptibly(remainingMillis(deadline));
        connections.close().awaitUninterruptibly();
        if (timer != null) {
            timer.shutdownNow();
        }
        shutDownEventLoops();
    }

    /** Called by the timer thread: notices expired deliveries and long polls on every queue. */
    private void tick() {
        try {
            broker.tick();
        } catch (RuntimeException e) {
            // An exception escaping here would silently cancel every later tick (that is how
            // ScheduledExecutorService treats a failed periodic task): report it once and keep ticking.
            if (tickFailures++ == 0) {
                System.err.println("broker tick failed (later failures are counted, not printed): " + e);
            }
        }
    }

    /** How many timer ticks threw (for example because an exercise is not done yet). */
    public long tickFailures() {
        return tickFailures;
    }

    private void shutDownEventLoops() {
        // Quiet period 0: no new tasks are expected, so stop as soon as the queued ones (such as the
        // channelInactive clean-ups of the connections just closed) have run.
        if (workerGroup != null) {
            workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    @Override
    public String toString() {
        return "BrokerServer[" + config.bindHost() + ":" + config.port() + ", " + executor + "]";
    }
}

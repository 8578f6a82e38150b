package org.mqworkbook.dispatch.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.mqworkbook.dispatch.broker.BrokerApi;
import org.mqworkbook.dispatch.broker.TopicBroker;
import org.mqworkbook.dispatch.protocol.ErrorKind;
import org.mqworkbook.dispatch.protocol.Message;
import org.mqworkbook.dispatch.protocol.MessageCodec;
import org.mqworkbook.inmemory.server.ConnectionGuard;
import org.mqworkbook.inmemory.server.ConnectionLimits;

/**
 * Serves a {@link TopicBroker} over TCP with the protocol of {@link org.mqworkbook.dispatch.protocol.Message}.
 * {@link #start()} and {@link #close()} are synchronized; {@code close} is idempotent.
 *
 * <pre>
 *  boss thread          accepts connections
 *  event-loop threads   decode and encode frames, count requests in flight   (never touch the disk)
 *  request threads      hand each connection's requests to the broker, in order (requestThreads)
 *  ── BrokerApi ───────────────────────────────────────────────────────────────────────────────
 *  durability thread    completes produced records once an fsync covers them
 *  poll threads         answer woken and timed-out long polls; every 500 ms expire members and
 *                       checkpoint the partitions' recovery points
 * </pre>
 *
 * <p>The server holds no broker logic: it decodes, calls {@link BrokerApi}, encodes, and keeps what
 * belongs to connections (admission, limits in flight, idle timeouts).
 *
 * <p>The broker is not closed with the server: whoever opened it closes it.
 */
public final class DispatchServer implements AutoCloseable {
    /** The port the command line uses when none is given. */
    public static final int DEFAULT_PORT = 7077;

    /** How many partitions' fsyncs run at once by default (see {@link #syncThreads(int)}). */
    public static final int DEFAULT_SYNC_THREADS = BrokerApi.DEFAULT_SYNC_THREADS;

    private final TopicBroker broker;
    private final String host;
    private final int port;
    private final int requestThreads;
    private final int maxInFlight;
    private final long maxBytesInFlight;
    /** Set before start(). Guarded by this. */
    private int syncThreads = DEFAULT_SYNC_THREADS;
    /** Who may connect, and for how long silent or idle (chapter 5's guard). Set before start(). Guarded by this. */
    private ConnectionLimits limits;
    private volatile ConnectionGuard guard;
    private final ChannelGroup connections = new DefaultChannelGroup("dispatch", GlobalEventExecutor.INSTANCE);

    // Guarded by this.
    private EventLoopGroup boss;
    private EventLoopGroup io;
    private EventExecutorGroup requests;
    private volatile BrokerApi api;
    private Channel serverChannel;
    private boolean started;
    private boolean closed;
    private volatile InetSocketAddress address;

    /**
     * A server with 8 MiB in flight per connection and at most 256 connections: whatever clients send,
     * requests and answers held for them stay below about 2 GiB.
     *
     * @param host           the address to listen on, {@code 127.0.0.1} unless clients elsewhere must connect
     * @param port           the port, 0 for any free one (tests)
     * @param requestThreads how many threads run requests; each connection always uses the same one
     * @param maxInFlight    how many requests of one connection may wait before the server stops reading it
     */
    public DispatchServer(TopicBroker broker, String host, int port, int requestThreads, int maxInFlight) {
        this(broker, host, port, requestThreads, maxInFlight, 8L << 20, 256);
    }

    /**
     * @param maxBytesInFlight about how many bytes one connection's requests and answers may hold before
     *                         the server stops reading it
     * @param maxConnections   connections beyond this many are refused (answered BUSY and closed)
     * @throws IllegalArgumentException if the broker's fetch or record limit does not fit a frame
     */
    public DispatchServer(TopicBroker broker, String host, int port, int requestThreads, int maxInFlight,
                          long maxBytesInFlight, int maxConnections) {
        this.broker = Objects.requireNonNull(broker, "broker");
        this.host = Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535 || requestThreads < 1 || maxInFlight < 2 || maxBytesInFlight < 2
            || maxConnections < 1) {
            throw new IllegalArgumentException("need a port 0-65535, at least 1 request thread, 2 requests and "
                + "2 bytes in flight, and 1 connection");
        }
        // An answer holds at most maxFetchBytes, plus one record that was larger than what was left of it.
        long largest = (long) broker.config().maxFetchBytes() + broker.config().log().maxRecordBytes();
        if (largest > MessageCodec.MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("the broker's maxFetchBytes + maxRecordBytes (" + largest
                + ") is more than a frame can carry (" + MessageCodec.MAX_PAYLOAD_BYTES + ")");
        }
        this.port = port;
        this.requestThreads = requestThreads;
        this.maxInFlight = maxInFlight;
        this.maxBytesInFlight = maxBytesInFlight;
        this.limits = ConnectionLimits.DEFAULT.withMaxConnections(maxConnections, maxConnections);
    }

    /** A server on loopback with 4 request threads and 1,024 requests in flight per connection. */
    public static DispatchServer onLoopback(TopicBroker broker, int port) {
        return new DispatchServer(broker, "127.0.0.1", port, 4, 1024);
    }

    /**
     * How many partitions' fsyncs the durability thread may run at once ({@link #DEFAULT_SYNC_THREADS});
     * 1 runs them one after another. Call before {@link #start()}. The load harness compares the two.
     *
     * @return this server
     */
    public synchronized DispatchServer syncThreads(int threads) {
        if (started) {
            throw new IllegalStateException("set the sync threads before start()");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("need at least 1 sync thread, not " + threads);
        }
        this.syncThreads = threads;
        return this;
    }

    /**
     * The limits on connections — how many, how long silent before the first request, how long idle, the
     * write-buffer water marks — instead of {@link ConnectionLimits#DEFAULT} with the constructor's count.
     * Call before {@link #start()}.
     *
     * @return this server
     */
    public synchronized DispatchServer connectionLimits(ConnectionLimits newLimits) {
        if (started) {
            throw new IllegalStateException("set the connection limits before start()");
        }
        this.limits = Objects.requireNonNull(newLimits, "newLimits");
        return this;
    }

    /** The guard of this server's connections (after {@link #start()}), with its counts. */
    public ConnectionGuard guard() {
        ConnectionGuard current = guard;
        if (current == null) {
            throw new IllegalStateException("the server is not started");
        }
        return current;
    }

    /**
     * Listens, and returns once connections are accepted.
     *
     * @throws IOException if the address cannot be bound
     */
    public synchronized DispatchServer start() throws IOException {
        if (started || closed) {
            throw new IllegalStateException("a DispatchServer can be started once");
        }
        started = true;
        boss = new NioEventLoopGroup(1, new DefaultThreadFactory("dispatch-accept", true));
        io = new NioEventLoopGroup(0, new DefaultThreadFactory("dispatch-io", true));
        requests = new DefaultEventExecutorGroup(requestThreads, new DefaultThreadFactory("dispatch-request", true));
        api = new BrokerApi(broker, syncThreads, requestThreads); // woken polls are answered as widely as requests
        BrokerApi served = api;
        ConnectionGuard admission = new ConnectionGuard(limits);
        guard = admission;
        ServerBootstrap bootstrap = new ServerBootstrap()
            .group(boss, io)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel channel) {
                    MessageCodec.install(channel.pipeline(), MessageCodec.DEFAULT_MAX_FRAME_BYTES);
                    StringBuilder why = new StringBuilder();
                    Optional<ConnectionGuard.Watch> watch = admission.admit(channel, why);
                    if (watch.isEmpty()) {
                        channel.writeAndFlush(new Message.Error(0, ErrorKind.BUSY, why + "; retry later"))
                            .addListener(ChannelFutureListener.CLOSE);
                        return;
                    }
                    connections.add(channel);
                    channel.pipeline().addLast("watch", watch.get());
                    channel.pipeline().addLast("requests", new DispatchServerHandler(channel, served,
                        requests.next(), maxInFlight, maxBytesInFlight, watch.get()));
                }
            });
        ChannelFuture bound = bootstrap.bind(host, port).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            close();
            throw new IOException("cannot listen on " + host + ":" + port + ": " + bound.cause().getMessage(),
                bound.cause());
        }
        serverChannel = bound.channel();
        address = (InetSocketAddress) serverChannel.localAddress();
        return this;
    }

    /** The port listened on (the system's choice when 0 was asked for). */
    public int port() {
        InetSocketAddress bound = address;
        if (bound == null) {
            throw new IllegalStateException("the server is not started");
        }
        return bound.getPort();
    }

    /** How many long polls are parked now, waiting for a record (tests watch it). */
    int parkedPolls() {
        BrokerApi current = api;
        return current == null ? 0 : current.parkedPolls();
    }

    /** The broker served. */
    public TopicBroker broker() {
        return broker;
    }

    /**
     * Stops accepting, lets the request threads finish what they hold, acknowledges the produced records
     * already appended (after their fsync), then closes every connection and thread.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (requests != null) {
            requests.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
        }
        if (api != null) {
            api.close(); // answers parked polls BUSY, acknowledges what is already appended once it is durable
        }
        // Answers written above are flushed before the close (writes on a channel keep their order).
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (io != null) {
            io.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }
}

package org.mqworkbook.inmemory.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Keeps a server's connections within its {@link ConnectionLimits}: who may connect, how long a connection
 * may say nothing, and when the server stops reading a client that does not read its answers. Chapter 5's
 * and chapter 7's servers share it.
 *
 * <pre>
 *  accept ─► admit(channel) ─► full? evict the oldest silent or stalled one, or refuse (the server answers BUSY)
 *                 │
 *                 ▼  a Watch in the pipeline, after the decoder
 *  no whole request within firstRequestTimeout ─────────────────► closed   (a silent connection holds no place)
 *  nothing read or written for idleTimeout, waiting for nothing ► closed   (Kafka: connections.max.idle.ms)
 *  outbound bytes above the high water mark ─────────────────────► reading paused until they drain,
 *                                                                   closed if they do not for idleTimeout
 * </pre>
 *
 * <p>Why evict silent connections rather than only time them out: a flood of connections that never send
 * a byte would otherwise keep every real client out for the whole timeout, and a flood that reconnects as
 * fast as it is closed, for ever. A real client sends its first request within milliseconds of connecting,
 * so it is never the silent one for long; Kafka's answer is a per-address limit, which protects a server
 * from one remote host but not from clients that share an address (every client on loopback does).
 *
 * <p>Methods of this class are thread safe: {@link #admit} runs on the new connection's event loop, while
 * other connections close on theirs, so the table of open connections is guarded by one lock, held only to
 * update it. A {@link Watch} is confined to its connection's event loop, except for {@link Watch#pauseReading}
 * and {@link Watch#waitingFor}, which any thread may call.
 */
public final class ConnectionGuard {
    private final ConnectionLimits limits;

    private final Object lock = new Object();
    /** Open connections, oldest first (so the first silent one found is the oldest). Guarded by lock. */
    private final Map<Channel, Watch> open = new LinkedHashMap<>();
    /** Open connections per remote address. Guarded by lock. */
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();

    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong evicted = new AtomicLong();
    private final AtomicLong closedSilent = new AtomicLong();
    private final AtomicLong closedIdle = new AtomicLong();

    /**
     * A guard on the real clock: its timeouts run on each connection's event loop, which Netty schedules in
     * real time, so an injected clock would disagree with them. Tests use short timeouts instead.
     */
    public ConnectionGuard(ConnectionLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public ConnectionLimits limits() {
        return limits;
    }

    /**
     * Decides whether a new connection is served. If it is, sets its write-buffer water marks and returns the
     * {@link Watch} to add to its pipeline right after the decoder (it must see decoded requests). If not,
     * returns empty and {@code why} receives the reason, for the server's BUSY answer; the server then
     * closes the connection.
     */
    public Optional<Watch> admit(Channel channel, StringBuilder why) {
        InetAddress address = addressOf(channel.remoteAddress());
        Channel evict = null;
        Watch watch;
        synchronized (lock) {
            int fromAddress = perAddress.getOrDefault(address, 0);
            boolean addressFull = fromAddress >= limits.maxConnectionsPerAddress();
            boolean serverFull = open.size() >= limits.maxConnections();
            if (addressFull || serverFull) {
                evict = oldestEvictable(addressFull ? address : null);
                if (evict == null) {
                    refused.incrementAndGet();
                    why.append(addressFull
                        ? "the broker already serves " + fromAddress + " connections from " + address
                            + ", its limit per address"
                        : "the broker already serves " + open.size() + " connections, its limit");
                    return Optional.empty();
                }
                forget(evict);
                evicted.incrementAndGet();
            }
            watch = new Watch(channel, address);
            open.put(channel, watch);
            perAddress.merge(address, 1, Integer::sum);
        }
        if (evict != null) {
            evict.close();
        }
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(limits.writeBufferLowWaterMark(),
            limits.writeBufferHighWaterMark()));
        channel.closeFuture().addListener(closed -> {
            synchronized (lock) {
                if (open.get(channel) == watch) {
                    forget(channel);
                }
            }
        });
        return Optional.of(watch);
    }

    /**
     * The oldest connection that has been silent (no whole request) or stalled (not taking its answers) for
     * the eviction age; of one address if given.
     */
    private Channel oldestEvictable(InetAddress from) {
        assert Thread.holdsLock(lock);
        long now = System.nanoTime();
        long age = limits.evictionAge().toNanos();
        for (Iterator<Map.Entry<Channel, Watch>> it = open.entrySet().iterator(); it.hasNext(); ) {
            Watch candidate = it.next().getValue();
            long stalledSince = candidate.unwritableSinceNanos;
            boolean silent = !candidate.requestSeen && now - candidate.openedNanos >= age;
            boolean stalled = stalledSince != 0 && now - stalledSince >= age;
            if ((silent || stalled) && (from == null || candidate.address.equals(from))) {
                return candidate.channel;
            }
        }
        return null;
    }

    private void forget(Channel channel) {
        assert Thread.holdsLock(lock);
        Watch watch = open.remove(channel);
        if (watch != null) {
            perAddress.computeIfPresent(watch.address, (a, n) -> n == 1 ? null : n - 1);
        }
    }

    private static InetAddress addressOf(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getAddress() : InetAddress.getLoopbackAddress();
    }

    /**
     * The bytes written to the open connections and not yet taken by the network: what slow readers cost
     * the server. It stays below about connections × (high water mark + the answers of the requests in
     * flight) whatever clients do, because a connection above its high water mark is not read from.
     */
    public long bufferedOutboundBytes() {
        List<Channel> channels;
        synchronized (lock) {
            channels = List.copyOf(open.keySet());
        }
        long total = 0;
        for (Channel channel : channels) {
            ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
            total += buffer == null ? 0 : buffer.totalPendingWriteBytes();
        }
        return total;
    }

    /** Connections served now. */
    public int openConnections() {
        synchronized (lock) {
            return open.size();
        }
    }

    /** Connections refused because the server (or their address) was full of connections that had spoken. */
    public long refused() {
        return refused.get();
    }

    /** Silent or stalled connections closed to make room for a new one. */
    public long evicted() {
        return evicted.get();
    }

    /** Connections closed for sending no whole request within {@link ConnectionLimits#firstRequestTimeout()}. */
    public long closedSilent() {
        return closedSilent.get();
    }

    /**
     * Connections closed for being idle for {@link ConnectionLimits#idleTimeout()}, or for not taking their
     * answers that long.
     */
    public long closedIdle() {
        return closedIdle.get();
    }

    /** The reasons a {@link Watch} may pause reading, as bits. */
    public enum Pause {
        /** The outbound buffer is above its high water mark: the client does not read its answers. */
        UNWRITABLE,
        /** The server's own count of requests in flight on this connection is at its limit. */
        IN_FLIGHT
    }

    /**
     * One connection's watch: counts it as speaking once a whole request is decoded, tracks its last
     * activity, closes it when silent or idle, and pauses reading while any {@link Pause} reason holds.
     * Confined to the connection's event loop, except {@link #pauseReading} and {@link #waitingFor}.
     */
    public final class Watch extends ChannelDuplexHandler {
        private final Channel channel;
        private final InetAddress address;
        private final long openedNanos;
        /** Whether a whole request has arrived. Written on the event loop, read by admit() under its lock. */
        private volatile boolean requestSeen;
        /** When something was last read or written. Event loop only. */
        private long lastActivityNanos;
        /** Whether the connection waits for the broker (a long poll, a subscription): then it is not idle. */
        private volatile BooleanSupplier waiting = () -> false;
        /** The {@link Pause} reasons that hold, as bits; reading is on when it is 0. Any thread. */
        private final AtomicInteger pauses = new AtomicInteger();
        /** When the outbound buffer went above its high water mark, 0 while below. Event loop writes, admit reads. */
        private volatile long unwritableSinceNanos;
        /** The pending timeout checks, cancelled when the connection closes. Event loop only. */
        private ScheduledFuture<?> firstRequestCheck;
        private ScheduledFuture<?> idleCheck;

        private Watch(Channel channel, InetAddress address) {
            this.channel = channel;
            this.address = address;
            this.openedNanos = System.nanoTime();
            this.lastActivityNanos = openedNanos;
        }

        /** Tells the watch how to ask whether the connection is waiting for the broker (not idle then). */
        public void waitingFor(BooleanSupplier isWaiting) {
            this.waiting = Objects.requireNonNull(isWaiting, "isWaiting");
        }

        /**
         * Pauses reading for {@code reason} ({@code paused}) or lifts that reason; reading resumes when no
         * reason is left. Any thread: Netty's {@code setAutoRead} may be called from any thread.
         */
        public void pauseReading(Pause reason, boolean paused) {
            int bit = 1 << reason.ordinal();
            pauses.updateAndGet(p -> paused ? p | bit : p & ~bit);
            // Applied on the event loop, from the reasons as they are then: two threads pausing and resuming
            // at once cannot leave reading off with no reason left (or on with one).
            if (channel.eventLoop().inEventLoop()) {
                applyPauses();
            } else {
                channel.eventLoop().execute(this::applyPauses);
            }
        }

        private void applyPauses() {
            channel.config().setAutoRead(pauses.get() == 0);
        }

        /** Whether reading is paused now. */
        public boolean readingPaused() {
            return pauses.get() != 0;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            firstRequestCheck = ctx.executor().schedule(this::checkFirstRequest,
                limits.firstRequestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // A scheduled check holds this watch and its channel: cancel, so that a closed connection is not
            // kept in memory until its timeouts would have fired (minutes, for the idle check).
            if (firstRequestCheck != null) {
                firstRequestCheck.cancel(false);
            }
            if (idleCheck != null) {
                idleCheck.cancel(false);
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            lastActivityNanos = System.nanoTime();
            if (!requestSeen) {
                requestSeen = true;
                scheduleIdleCheck(limits.idleTimeout().toNanos()); // from now on, idleness is what counts
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            lastActivityNanos = System.nanoTime();
            ctx.write(msg, promise);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            unwritableSinceNanos = channel.isWritable() ? 0 : System.nanoTime();
            pauseReading(Pause.UNWRITABLE, !channel.isWritable());
            ctx.fireChannelWritabilityChanged();
        }

        private void checkFirstRequest() {
            if (!channel.isActive()) {
                return;
            }
            if (!requestSeen) {
                closedSilent.incrementAndGet();
                channel.close();
            }
        }

        private void checkIdle() {
            if (!channel.isActive()) {
                return;
            }
            long now = System.nanoTime();
            long quiet = now - lastActivityNanos;
            long idle = limits.idleTimeout().toNanos();
            long stalledSince = unwritableSinceNanos;
            boolean stalledTooLong = stalledSince != 0 && now - stalledSince >= idle;
            if (stalledTooLong || (quiet >= idle && !waiting.getAsBoolean())) {
                closedIdle.incrementAndGet();
                channel.close();
                return;
            }
            scheduleIdleCheck(quiet >= idle ? idle : idle - quiet);
        }

        private void scheduleIdleCheck(long inNanos) {
            if (channel.isActive()) {
                idleCheck = channel.eventLoop().schedule(this::checkIdle, inNanos, TimeUnit.NANOSECONDS);
            }
        }
    }
}

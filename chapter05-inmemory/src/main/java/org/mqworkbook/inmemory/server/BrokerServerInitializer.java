package org.mqworkbook.inmemory.server;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import java.util.Optional;
import org.mqworkbook.inmemory.Broker;
import org.mqworkbook.inmemory.ErrorCode;
import org.mqworkbook.inmemory.RequestExecutor;
import org.mqworkbook.inmemory.protocol.Frame;
import org.mqworkbook.inmemory.protocol.FrameDecoder;
import org.mqworkbook.inmemory.protocol.FrameEncoder;

/**
 * Builds the pipeline of each accepted connection, once the {@link ConnectionGuard} has admitted it:
 *
 * <pre>
 *  socket ─► FrameDecoder ─► ConnectionGuard.Watch ─► BrokerServerHandler ─► RequestExecutor ─► Broker
 *  socket ◄─ FrameEncoder ◄─────────────────────────── channel.writeAndFlush(answer) ◄──┘
 * </pre>
 *
 * <p>A connection the guard refuses gets one {@code BUSY} error frame and is closed. Decoder, watch and
 * handler hold per-connection state, so each connection gets new instances; only the broker, the executor,
 * the guard and the group of open connections are shared. Netty calls {@link #initChannel} on the new
 * connection's event-loop thread; the fields are final and thread safe.
 */
final class BrokerServerInitializer extends ChannelInitializer<SocketChannel> {
    private final Broker broker;
    private final RequestExecutor executor;
    private final ChannelGroup connections;
    private final ConnectionGuard guard;
    private final ServerConfig config;

    BrokerServerInitializer(Broker broker, RequestExecutor executor, ChannelGroup connections,
                            ConnectionGuard guard, ServerConfig config) {
        this.broker = broker;
        this.executor = executor;
        this.connections = connections;
        this.guard = guard;
        this.config = config;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        StringBuilder why = new StringBuilder();
        Optional<ConnectionGuard.Watch> watch = guard.admit(channel, why);
        if (watch.isEmpty()) {
            channel.pipeline().addLast(new FrameEncoder(config.maxFrameBytes()));
            channel.writeAndFlush(new Frame.Error(0, ErrorCode.BUSY, why + "; retry later"))
                .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        connections.add(channel); // removed again automatically when it closes
        BrokerServerHandler handler = new BrokerServerHandler(channel, broker, executor, config.maxInFlight(),
            watch.get());
        watch.get().waitingFor(handler::isWaiting);
        channel.pipeline().addLast(
            new FrameDecoder(config.maxFrameBytes()),
            new FrameEncoder(config.maxFrameBytes()),
            watch.get(),
            handler);
    }
}

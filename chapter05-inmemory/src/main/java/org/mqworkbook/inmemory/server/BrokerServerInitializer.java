package org.mqworkbook.inmemory.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import org.mqworkbook.inmemory.Broker;
import org.mqworkbook.inmemory.RequestExecutor;
import org.mqworkbook.inmemory.protocol.FrameDecoder;
import org.mqworkbook.inmemory.protocol.FrameEncoder;

/**
 * Builds the pipeline of each accepted connection:
 *
 * <pre>
 *  socket ─► FrameDecoder ─► BrokerServerHandler ─► RequestExecutor ─► Broker
 *  socket ◄─ FrameEncoder ◄─────────── channel.writeAndFlush(answer) ◄──┘
 * </pre>
 *
 * <p>Decoder and handler hold per-connection state, so each connection gets new instances; only the
 * broker, the executor and the group of open connections are shared. Netty calls
 * {@link #initChannel} on the new connection's event-loop thread; the fields are final and thread safe.
 */
final class BrokerServerInitializer extends ChannelInitializer<SocketChannel> {
    private final Broker broker;
    private final RequestExecutor executor;
    private final ChannelGroup connections;
    private final int maxFrameBytes;

    BrokerServerInitializer(Broker broker, RequestExecutor executor, ChannelGroup connections,
                            int maxFrameBytes) {
        this.broker = broker;
        this.executor = executor;
        this.connections = connections;
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        connections.add(channel); // removed again automatically when it closes
        channel.pipeline().addLast(
            new FrameDecoder(maxFrameBytes),
            new FrameEncoder(maxFrameBytes),
            new BrokerServerHandler(channel, broker, executor));
    }
}

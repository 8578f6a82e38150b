package org.mqworkbook.dispatch.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelPipeline;
import org.mqworkbook.inmemory.protocol.FrameDecoder;
import org.mqworkbook.inmemory.protocol.FrameEncoder;
import org.mqworkbook.inmemory.protocol.WireFrame;

/**
 * Chapter 7's frames on chapter 5's framing: the same {@link FrameDecoder} and {@link FrameEncoder}
 * (length prefix, header, limits, the rules of chapter 5's protocol section), given chapter 7's reader,
 * {@link Message#read}. What this chapter adds to the protocol is its API keys and their layouts, not a
 * new way of framing them. No state; thread safe.
 */
public final class MessageCodec {
    /**
     * The most record bytes one frame carries: a fetch or poll answer holds at most the broker's fetch
     * limit plus one record (the one that did not fit what was left of it), and a record's fields take
     * no more room on the wire than in the log.
     */
    public static final int MAX_PAYLOAD_BYTES = 4 << 20;

    /** The largest length prefix, both ways: {@link #MAX_PAYLOAD_BYTES} plus room for the fields around it. */
    public static final int DEFAULT_MAX_FRAME_BYTES = MAX_PAYLOAD_BYTES + 64 * 1024;

    private MessageCodec() {
    }

    /** Adds the decoder and encoder for frames up to {@code maxFrameBytes} to a pipeline. */
    public static void install(ChannelPipeline pipeline, int maxFrameBytes) {
        pipeline.addLast("decoder", new FrameDecoder(Message::read, maxFrameBytes));
        pipeline.addLast("encoder", new FrameEncoder(maxFrameBytes));
    }

    /** Writes one whole frame: length, header, fields; on failure {@code out} is left as it was. */
    public static void encode(WireFrame message, ByteBuf out, int maxFrameBytes) {
        FrameEncoder.encode(message, out, maxFrameBytes);
    }

    /**
     * Decodes one frame's bytes after the length prefix: one of chapter 7's {@link Message}s, or the
     * {@code ApiVersions} / {@code Versions} frames every chapter shares.
     *
     * @throws org.mqworkbook.inmemory.protocol.ProtocolException for an unknown key or version (not
     *                                                            fatal) or a malformed frame (fatal)
     */
    public static WireFrame decode(ByteBuf frame) {
        return FrameDecoder.decodeFrame(Message::read, frame);
    }
}

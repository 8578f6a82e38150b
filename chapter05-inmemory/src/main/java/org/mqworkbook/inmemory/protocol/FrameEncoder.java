package org.mqworkbook.inmemory.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes frames of any chapter ({@link WireFrame}s) as bytes: length prefix, the header of
 * {@link FrameHeader}, payload (chapter 5's layouts in {@link Frame}). It has no mutable state and is
 * thread safe; Netty calls it on the connection's event-loop thread, whichever thread asked for the write.
 *
 * <p>The length is not known until the payload is written, so a placeholder goes first and is filled in
 * afterwards, the way Netty's {@code LengthFieldPrepender} does it.
 *
 * <p>A frame longer than the maximum is refused here, with an {@link IllegalArgumentException} that
 * fails the write (Netty wraps it in an {@code EncoderException}), rather than sent to a peer that
 * would close the connection over it.
 */
public final class FrameEncoder extends MessageToByteEncoder<WireFrame> {
    private final int maxFrameBytes;

    /** An encoder for frames up to {@link Protocol#DEFAULT_MAX_FRAME_BYTES}. */
    public FrameEncoder() {
        this(Protocol.DEFAULT_MAX_FRAME_BYTES);
    }

    /**
     * @param maxFrameBytes the largest length prefix written; use the peer's decoder's limit
     */
    public FrameEncoder(int maxFrameBytes) {
        super(WireFrame.class);
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, WireFrame frame, ByteBuf out) {
        encode(frame, out, maxFrameBytes);
    }

    /**
     * Writes one whole frame at the end of {@code out}; on failure {@code out} is left as it was.
     *
     * @throws IllegalArgumentException if the frame is longer than {@code maxFrameBytes}
     */
    public static void encode(WireFrame frame, ByteBuf out, int maxFrameBytes) {
        int start = out.writerIndex();
        out.writeInt(0); // the length, filled in below
        out.writeShort(frame.apiKey());
        out.writeShort(frame.apiVersion());
        out.writeInt(frame.correlationId());
        frame.writePayload(out);
        int length = out.writerIndex() - start - Protocol.LENGTH_FIELD_BYTES;
        if (length > maxFrameBytes) {
            out.writerIndex(start);
            throw new IllegalArgumentException(FrameHeader.hex(frame.apiKey()) + " frame of " + length
                + " bytes is larger than the " + maxFrameBytes + " bytes a peer accepts: " + frame);
        }
        out.setInt(start, length);
    }
}

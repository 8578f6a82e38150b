package org.mqworkbook.inmemory.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes {@link Frame}s as bytes: length prefix, opcode, correlation id, payload (layouts in
 * {@link Frame}). It has no mutable state and is thread safe; Netty calls it on the connection's
 * event-loop thread, whichever thread asked for the write.
 *
 * <p> The length is not known until the payload is written, so a placeholder goes first and
 * is filled in afterwards, the way Netty's {@code LengthFieldPrepender} does it.
 *
 * <p>A frame longer than the maximum is refused here, with an {@link IllegalArgumentException} that
 * fails the write (Netty wraps it in an {@code EncoderException}), rather than sent to a peer that
 * would close the connection over it.
 */
public final class FrameEncoder extends MessageToByteEncoder<Frame> {
    private final int maxFrameBytes;

    /** An encoder for frames up to {@link Protocol#DEFAULT_MAX_FRAME_BYTES}. */
    public FrameEncoder() {
        this(Protocol.DEFAULT_MAX_FRAME_BYTES);
    }

    /**
     * @param maxFrameBytes the largest length prefix written; use the peer's decoder's limit
     */
    public FrameEncoder(int maxFrameBytes) {
        super(Frame.class);
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
        int start = out.writerIndex();
        out.writeInt(0); // the length, filled in below
        out.writeByte(frame.opcode().code());
        out.writeInt(frame.correlationId());
        frame.writePayload(out);
        int length = out.writerIndex() - start - Protocol.LENGTH_FIELD_BYTES;
        if (length > maxFrameBytes) {
            throw new IllegalArgumentException(frame.opcode().describe() + " frame of " + length
                + " bytes is larger than the " + maxFrameBytes + " bytes a peer accepts: " + frame);
        }
        out.setInt(start, length);
    }
}

package org.mqworkbook.inmemory.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.Objects;
import org.mqworkbook.inmemory.ErrorCode;

/**
 * Turns the bytes of a TCP stream into frames: waits for a whole frame, reads its header, then has the
 * chapter's {@link FrameReader} decode its fields. The same decoder serves every chapter — what a chapter
 * adds is its reader. This class is not thread-safe: one instance per connection, called on that
 * connection's event-loop thread only (Netty's rule for a {@code ByteToMessageDecoder}, which keeps the
 * bytes of a partial frame).
 *
 * <pre>
 *  bytes as they arrive                                 what decode() does
 *  read 1:  00 00 00 11 00 02 00 00 00 00 00 02 00 01   length 17: needs 4 + 17 bytes, has 14: wait
 *  read 2:  71 00 00 00 02 68 69                        has 21: emits Publish(2, "q", "hi")
 * </pre>
 *
 * <p>Netty's {@link ByteToMessageDecoder} keeps the bytes that arrived so far and calls
 * {@link #decode} again whenever more arrive. Needing more bytes is not an error: {@code decode}
 * returns without consuming anything and is called again later. The rules, in the order checked:
 *
 * <ol>
 *   <li>fewer than 4 bytes: wait;
 *   <li>a length below {@link Protocol#HEADER_BYTES} (negative included): {@code MALFORMED_FRAME};
 *       above the maximum: {@code FRAME_TOO_LARGE}. Both are decided from the 4-byte prefix alone,
 *       before the claimed bytes are buffered, so memory per connection stays bounded by the maximum;
 *   <li>fewer than 4 + length bytes: wait;
 *   <li>an API key the reader does not serve ({@code UNKNOWN_COMMAND}) or a version it does not read
 *       ({@code UNSUPPORTED_VERSION}): the frame is skipped (its length says where it ends) and reported
 *       through {@code exceptionCaught}; decoding goes on with the next frame;
 *   <li>a field that does not fit, invalid UTF-8 or leftover bytes: {@code MALFORMED_FRAME}.
 * </ol>
 *
 * <p>The fatal errors ({@code MALFORMED_FRAME}, {@code FRAME_TOO_LARGE}) are thrown as
 * {@link ProtocolException}; after one, the decoder discards everything it receives, because the next
 * frame boundary is no longer known. The handler answers with an error frame and closes the
 * connection.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private final FrameReader reader;
    private final int maxFrameBytes;
    /** Set after a fatal error: from then on every byte is discarded. Event-loop thread only. */
    private boolean failed;

    /** A decoder of chapter 5's frames up to {@link Protocol#DEFAULT_MAX_FRAME_BYTES}. */
    public FrameDecoder() {
        this(Protocol.DEFAULT_MAX_FRAME_BYTES);
    }

    /** A decoder of chapter 5's frames ({@link Frame#read}) up to {@code maxFrameBytes}. */
    public FrameDecoder(int maxFrameBytes) {
        this(Frame::read, maxFrameBytes);
    }

    /**
     * @param reader        the chapter's frames
     * @param maxFrameBytes the largest length prefix accepted (the bytes after the prefix), at least
     *                      {@link Protocol#HEADER_BYTES}
     */
    public FrameDecoder(FrameReader reader, int maxFrameBytes) {
        if (maxFrameBytes < Protocol.HEADER_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes must be at least " + Protocol.HEADER_BYTES
                + ", was " + maxFrameBytes);
        }
        this.reader = Objects.requireNonNull(reader, "reader");
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < Protocol.LENGTH_FIELD_BYTES) {
            return;
        }
        int start = in.readerIndex();
        int length = in.getInt(start); // get, not read: if the frame is incomplete nothing is consumed
        if (length < Protocol.HEADER_BYTES) {
            throw fatal(ErrorCode.MALFORMED_FRAME, in, "frame length " + length
                + " is less than the " + Protocol.HEADER_BYTES + "-byte header");
        }
        if (length > maxFrameBytes) {
            throw fatal(ErrorCode.FRAME_TOO_LARGE, in, "frame length " + length
                + " is more than the " + maxFrameBytes + " bytes accepted");
        }
        if (in.readableBytes() < Protocol.LENGTH_FIELD_BYTES + length) {
            return;
        }
        in.skipBytes(Protocol.LENGTH_FIELD_BYTES);
        ByteBuf frame = in.readSlice(length); // a view of the frame's bytes, not a copy
        try {
            out.add(decodeFrame(reader, frame));
        } catch (ProtocolException e) {
            if (!e.closesConnection()) {
                // Not fatal: the frame is already consumed and the next one starts right after it. Reporting
                // it through the pipeline instead of throwing lets this call go on decoding the frames that
                // arrived behind it (a throw would leave them waiting for the next read).
                ctx.fireExceptionCaught(e);
                return;
            }
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    /**
     * Decodes one frame's bytes after its length prefix — header, then fields — with a chapter's reader.
     * Clients and tests that hold a whole frame use it without a pipeline.
     *
     * @throws ProtocolException for an unknown key or version (not fatal) or a malformed frame (fatal)
     */
    public static WireFrame decodeFrame(FrameReader reader, ByteBuf frame) {
        FrameHeader header = new FrameHeader(frame.readUnsignedShort(), frame.readShort(), frame.readInt());
        FieldReader fields = new FieldReader(header.apiKey(), header.correlationId(), frame);
        WireFrame decoded = reader.read(header, fields);
        fields.requireEnd();
        return decoded;
    }

    /** Marks the stream as lost, drops what is buffered, and builds the exception to throw. */
    private ProtocolException fatal(ErrorCode code, ByteBuf in, String message) {
        // The correlation id, if its bytes are here, lets the error answer name the offending request.
        int correlationId = in.readableBytes() >= Protocol.LENGTH_FIELD_BYTES + Protocol.HEADER_BYTES
            ? in.getInt(in.readerIndex() + Protocol.LENGTH_FIELD_BYTES + 4) : 0;
        failed = true;
        in.skipBytes(in.readableBytes());
        return new ProtocolException(code, correlationId, message);
    }
}

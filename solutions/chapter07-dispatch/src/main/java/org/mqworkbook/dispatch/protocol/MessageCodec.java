package org.mqworkbook.dispatch.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.MessageToByteEncoder;
import java.util.List;
import org.mqworkbook.inmemory.protocol.Protocol;

/**
 * Turns bytes into {@link Message}s and back. Chapter 5 wrote the length-prefix decoder by hand, as an
 * exercise; here the same rules (wait for a whole frame, refuse a length below the header or above the
 * maximum from the prefix alone, skip an unknown command, refuse leftover bytes) are in one small
 * decoder. Not thread safe: one decoder per connection, on its event loop.
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
        pipeline.addLast("decoder", new Decoder(maxFrameBytes));
        pipeline.addLast("encoder", new Encoder(maxFrameBytes));
    }

    /** Writes one whole frame: length, command, correlation id, fields. */
    public static void encode(Message message, ByteBuf out, int maxFrameBytes) {
        int start = out.writerIndex();
        out.writeInt(0);
        out.writeByte(message.api().code());
        out.writeInt(message.correlationId());
        message.writeFields(out);
        int length = out.writerIndex() - start - Protocol.LENGTH_FIELD_BYTES;
        if (length > maxFrameBytes) {
            out.writerIndex(start);
            throw new IllegalArgumentException(message.api() + " frame of " + length + " bytes is larger than the "
                + maxFrameBytes + " bytes a peer accepts");
        }
        out.setInt(start, length);
    }

    /**
     * Decodes one frame's bytes after the length prefix.
     *
     * @throws ProtocolError for an unknown command (not fatal) or a malformed frame (fatal)
     */
    public static Message decode(ByteBuf frame) {
        int code = frame.readUnsignedByte();
        int correlationId = frame.readInt();
        Message.Api api = Message.Api.fromCode(code);
        if (api == null) {
            throw new ProtocolError(ErrorKind.UNKNOWN_COMMAND, correlationId,
                String.format("unknown command 0x%02X (correlation id %d)", code, correlationId));
        }
        Fields in = new Fields(api, correlationId, frame);
        Message message = switch (api) {
            case CREATE_TOPIC -> Message.CreateTopic.read(in);
            case PRODUCE -> Message.Produce.read(in);
            case FETCH -> Message.Fetch.read(in);
            case JOIN -> Message.Join.read(in);
            case HEARTBEAT -> Message.Heartbeat.read(in);
            case SYNC -> Message.Sync.read(in);
            case COMMIT -> Message.Commit.read(in);
            case LEAVE -> Message.Leave.read(in);
            case COMMITTED -> Message.Committed.read(in);
            case DESCRIBE -> Message.Describe.read(in);
            case POLL -> Message.Poll.read(in);
            case COMMIT_ALL -> Message.CommitAll.read(in);
            case POLLED -> Message.Polled.read(in);
            case OK -> Message.Ok.read(in);
            case PRODUCED -> Message.Produced.read(in);
            case RECORDS -> Message.Records.read(in);
            case ASSIGNED -> Message.Assigned.read(in);
            case GROUP -> Message.Group.read(in);
            case ERROR -> Message.Error.read(in);
        };
        in.requireEnd();
        return message;
    }

    /** Length-prefixed frames in, messages out; unknown commands reported, fatal errors thrown once. */
    static final class Decoder extends ByteToMessageDecoder {
        private final int maxFrameBytes;
        /** After a fatal error every byte is discarded. Event loop only. */
        private boolean failed;

        Decoder(int maxFrameBytes) {
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
            int length = in.getInt(in.readerIndex());
            if (length < Protocol.HEADER_BYTES || length > maxFrameBytes) {
                failed = true;
                in.skipBytes(in.readableBytes());
                throw new ProtocolError(length < Protocol.HEADER_BYTES ? ErrorKind.MALFORMED_FRAME
                    : ErrorKind.FRAME_TOO_LARGE, 0, "frame length " + length + " is outside the accepted "
                    + Protocol.HEADER_BYTES + " to " + maxFrameBytes + " bytes");
            }
            if (in.readableBytes() < Protocol.LENGTH_FIELD_BYTES + length) {
                return;
            }
            in.skipBytes(Protocol.LENGTH_FIELD_BYTES);
            ByteBuf frame = in.readSlice(length);
            try {
                out.add(MessageCodec.decode(frame));
            } catch (ProtocolError e) {
                if (e.isFatal()) {
                    failed = true;
                    in.skipBytes(in.readableBytes());
                    throw e;
                }
                ctx.fireExceptionCaught(e); // the frame is consumed; decoding goes on with the next one
            }
        }
    }

    /** Messages out as frames. */
    static final class Encoder extends MessageToByteEncoder<Message> {
        private final int maxFrameBytes;

        Encoder(int maxFrameBytes) {
            super(Message.class);
            this.maxFrameBytes = maxFrameBytes;
        }

        @Override
        protected void encode(ChannelHandlerContext ctx, Message message, ByteBuf out) {
            MessageCodec.encode(message, out, maxFrameBytes);
        }
    }
}

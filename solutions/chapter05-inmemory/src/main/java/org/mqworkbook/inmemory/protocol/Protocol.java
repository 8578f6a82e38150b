package org.mqworkbook.inmemory.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The wire protocol's fixed sizes, limits and field encodings, shared by every chapter: {@link Frame}
 * describes chapter 5's layouts in terms of the field types defined here, {@link Opcode} numbers its
 * commands, and later chapters write their frames with the same types ({@link FieldReader} reads them).
 *
 * <p>Every number is big-endian (network byte order, Netty's default). The field types are:
 *
 * <pre>
 *  int8    1 byte                       booleans (0 = false, 1 = true, nothing else)
 *  int16   2 bytes                      API keys (unsigned), API versions
 *  int32   4 bytes, signed              lengths, counts, correlation ids, error codes
 *  int64   8 bytes, signed              message ids, delivery tags, durations in milliseconds
 *  string  uint16 length + UTF-8 bytes  queue names, error messages: at most 65,535 bytes
 *  bytes   int32 length + raw bytes     message bodies: the length is never negative, except
 *                                       -1 for null where a layout says a field may be null
 * </pre>
 *
 * <p>Worked example: the string {@code "q"} is {@code 00 01 71}; the string {@code "é"} is
 * {@code 00 02 C3 A9} (two UTF-8 bytes, one character); the bytes {@code "hi"} are
 * {@code 00 00 00 02 68 69}.
 *
 * <p>Every length the peer sends is checked against the bytes actually present before anything is
 * allocated, so a frame that claims a 2 GiB body costs its sender nothing but a closed connection.
 * This class has no state and is thread safe.
 */
public final class Protocol {
    /** Bytes of the length prefix that starts every frame. */
    public static final int LENGTH_FIELD_BYTES = 4;

    /**
     * Bytes after the length prefix that every frame has ({@link FrameHeader}): API key (uint16), API
     * version (int16) and correlation id (int32).
     */
    public static final int HEADER_BYTES = 2 + 2 + 4;

    /**
     * Room for the fields around a message body in the largest frame ({@link Frame.Deliver}: header,
     * a queue name of at most 200 ASCII characters, tag, message id, delivery count, body length:
     * 8 + 202 + 8 + 8 + 4 + 4 = 234 bytes), rounded up.
     */
    public static final int FRAME_OVERHEAD_BYTES = 1024;

    /**
     * The default largest value of a frame's length prefix: a 1 MiB body (the default
     * {@link org.mqworkbook.inmemory.QueueConfig#maxMessageBytes()}) plus {@link #FRAME_OVERHEAD_BYTES}.
     * Kafka's equivalent is {@code socket.request.max.bytes} (100 MiB by default); RabbitMQ negotiates
     * {@code frame_max} when the connection opens and splits larger messages into body frames.
     */
    public static final int DEFAULT_MAX_FRAME_BYTES = (1 << 20) + FRAME_OVERHEAD_BYTES;

    /** The largest string: its length travels as an unsigned 16-bit number. */
    public static final int MAX_STRING_BYTES = 0xFFFF;

    /**
     * The longest long poll a broker accepts for {@link Frame.Receive}. SQS caps
     * {@code WaitTimeSeconds} at 20 s; a cap keeps parked receivers (and their memory) bounded in time.
     */
    public static final long MAX_WAIT_MILLIS = 60_000;

    /**
     * The longest visibility timeout a broker accepts for {@link Frame.DeclareQueue}: 12 hours, SQS's
     * maximum. Without a bound, "now + timeout" could overflow into the past and expire every delivery
     * at once.
     */
    public static final long MAX_VISIBILITY_TIMEOUT_MILLIS = 12 * 60 * 60 * 1000L;

    private Protocol() {
    }

    /**
     * Writes a string: uint16 length, then its UTF-8 bytes.
     *
     * @throws IllegalArgumentException if its UTF-8 form is longer than {@link #MAX_STRING_BYTES}
     */
    public static void writeString(ByteBuf out, String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException("string of " + utf8.length + " UTF-8 bytes does not fit "
                + "the protocol's " + MAX_STRING_BYTES + "-byte limit: "
                + value.substring(0, Math.min(value.length(), 40)) + "...");
        }
        out.writeShort(utf8.length);
        out.writeBytes(utf8);
    }

    /** Writes a byte array: int32 length, then the bytes. */
    public static void writeBytes(ByteBuf out, byte[] value) {
        out.writeInt(value.length);
        out.writeBytes(value);
    }

    /** Writes bytes that may be null: int32 length ({@code -1} for null), then the bytes. */
    public static void writeNullableBytes(ByteBuf out, byte[] value) {
        if (value == null) {
            out.writeInt(-1);
        } else {
            writeBytes(out, value);
        }
    }

    /** Writes a boolean as one byte, 0 or 1. */
    public static void writeBoolean(ByteBuf out, boolean value) {
        out.writeByte(value ? 1 : 0);
    }
}

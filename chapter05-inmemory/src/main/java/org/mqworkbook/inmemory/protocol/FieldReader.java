package org.mqworkbook.inmemory.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import org.mqworkbook.inmemory.ErrorCode;

/**
 * Reads the fields of one frame's payload, checking every length and count against the bytes actually
 * present before it reads or allocates anything: a count of two billion items in a 50-byte frame is
 * refused, not believed. Every chapter's frames are read with it (field types in {@link Protocol}). Not
 * thread safe: the decoder makes one per frame, on the connection's event-loop thread.
 *
 * <p>A field that does not fit, a string that is not UTF-8, a negative length or a byte left over after
 * the last field is {@link ErrorCode#MALFORMED_FRAME}, with a message that names the frame, its
 * correlation id and the field.
 */
public final class FieldReader {
    private final int apiKey;
    /** The frame's name for error messages, once a chapter's reader has said it; null until then. */
    private String frame;
    private final int correlationId;
    private final ByteBuf payload;

    /**
     * @param apiKey        the frame's API key, which names it in error messages until {@link #nameFrame}
     * @param correlationId the frame's correlation id, for error messages
     * @param payload       exactly the frame's bytes after its header (a slice: nothing is copied)
     */
    public FieldReader(int apiKey, int correlationId, ByteBuf payload) {
        this.apiKey = apiKey;
        this.correlationId = correlationId;
        this.payload = payload;
    }

    /**
     * Names the frame in error messages from now on, once the reader knows which it is, for example
     * {@code 0x0002 PUBLISH} instead of the bare key. Pass a constant: this runs for every frame, and a
     * name built here with {@code String.format} would cost every frame a formatting (it did, measurably).
     */
    public void nameFrame(String name) {
        this.frame = name;
    }

    /** The correlation id of the frame being read. */
    public int correlationId() {
        return correlationId;
    }

    /** An int16. */
    public short readShort(String field) {
        require(field, 2);
        return payload.readShort();
    }

    /** An int32. */
    public int readInt(String field) {
        require(field, 4);
        return payload.readInt();
    }

    /** An int64. */
    public long readLong(String field) {
        require(field, 8);
        return payload.readLong();
    }

    /** A boolean: one byte, 0 or 1 and nothing else. */
    public boolean readBoolean(String field) {
        require(field, 1);
        byte value = payload.readByte();
        if (value != 0 && value != 1) {
            throw malformed("field '" + field + "' is a boolean and must be 0 or 1, was " + value);
        }
        return value == 1;
    }

    /** A string: uint16 length, then that many bytes of valid UTF-8. */
    public String readString(String field) {
        require(field, 2);
        int length = payload.readUnsignedShort();
        require(field, length);
        // Decoding with new String(bytes, UTF_8) would silently turn invalid bytes into U+FFFD, and two
        // different byte sequences would name the same queue; refuse them instead.
        if (!ByteBufUtil.isText(payload, payload.readerIndex(), length, StandardCharsets.UTF_8)) {
            throw malformed("field '" + field + "' is not valid UTF-8");
        }
        String value = payload.toString(payload.readerIndex(), length, StandardCharsets.UTF_8);
        payload.skipBytes(length);
        return value;
    }

    /** Bytes: int32 length (never negative), then the bytes. */
    public byte[] readBytes(String field) {
        byte[] value = readNullableBytes(field);
        if (value == null) {
            throw malformed("field '" + field + "' may not be null (length -1)");
        }
        return value;
    }

    /** Bytes that may be null: int32 length, {@code -1} for null, then the bytes. */
    public byte[] readNullableBytes(String field) {
        int length = readInt(field);
        if (length == -1) {
            return null;
        }
        if (length < 0) {
            throw malformed("field '" + field + "' has a negative length: " + length);
        }
        require(field, length); // before the allocation: the length is the peer's claim, not a fact
        byte[] value = new byte[length];
        payload.readBytes(value);
        return value;
    }

    /**
     * The int32 count of a list whose items each take at least {@code minItemBytes}, refused if the bytes
     * left cannot hold that many, so that no list is ever sized from a number the peer made up.
     */
    public int readCount(String field, int minItemBytes) {
        int count = readInt(field);
        if (count < 0 || (long) count * Math.max(1, minItemBytes) > payload.readableBytes()) {
            throw malformed("field '" + field + "' claims " + count + " items, but only "
                + payload.readableBytes() + " bytes are left in the frame");
        }
        return count;
    }

    /** Checks that the last field has been read: trailing bytes mean the peer's layout differs from ours. */
    public void requireEnd() {
        if (payload.isReadable()) {
            throw malformed(payload.readableBytes() + " bytes left over after the last field");
        }
    }

    /** The error for a payload that breaks its layout, naming the frame and its correlation id. Fatal. */
    public ProtocolException malformed(String problem) {
        String name = frame != null ? frame : FrameHeader.hex(apiKey); // formatted only when there is an error
        return new ProtocolException(ErrorCode.MALFORMED_FRAME, correlationId,
            name + " frame (correlation id " + correlationId + "): " + problem);
    }

    private void require(String field, int bytes) {
        if (payload.readableBytes() < bytes) {
            throw malformed("field '" + field + "' needs " + bytes + " bytes but only "
                + payload.readableBytes() + " are left in the frame");
        }
    }
}

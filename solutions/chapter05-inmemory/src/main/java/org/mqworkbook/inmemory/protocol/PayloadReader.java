package org.mqworkbook.inmemory.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import org.mqworkbook.inmemory.ErrorCode;

/**
 * Reads the fields of one frame's payload, checking every length against the bytes actually present
 * before it reads or allocates anything. This class is not thread-safe: the decoder makes one per frame,
 * on the event-loop thread.
 *
 * <p>A field that does not fit, a string that is not UTF-8 or a
 * byte left over after the last field is {@link ErrorCode#MALFORMED_FRAME}, with a message that names
 * the frame, its correlation id and the field.
 */
final class PayloadReader {
    private final Opcode opcode;
    private final int correlationId;
    private final ByteBuf payload;

    /**
     * @param payload exactly the frame's bytes after its correlation id (a slice: nothing is copied)
     */
    PayloadReader(Opcode opcode, int correlationId, ByteBuf payload) {
        this.opcode = opcode;
        this.correlationId = correlationId;
        this.payload = payload;
    }

    Opcode opcode() {
        return opcode;
    }

    int correlationId() {
        return correlationId;
    }

    int readInt(String field) {
        require(field, 4);
        return payload.readInt();
    }

    long readLong(String field) {
        require(field, 8);
        return payload.readLong();
    }

    boolean readBoolean(String field) {
        require(field, 1);
        byte value = payload.readByte();
        if (value != 0 && value != 1) {
            throw malformed("field '" + field + "' is a boolean and must be 0 or 1, was " + value);
        }
        return value == 1;
    }

    String readString(String field) {
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

    byte[] readBytes(String field) {
        int length = readInt(field);
        if (length < 0) {
            throw malformed("field '" + field + "' has a negative length: " + length);
        }
        require(field, length); // before the allocation: the length is the peer's claim, not a fact
        byte[] value = new byte[length];
        payload.readBytes(value);
        return value;
    }

    /** Checks that the last field has been read: trailing bytes mean the peer's layout differs from ours. */
    void requireEnd() {
        if (payload.isReadable()) {
            throw malformed(payload.readableBytes() + " bytes left over after the last field");
        }
    }

    private void require(String field, int bytes) {
        if (payload.readableBytes() < bytes) {
            throw malformed("field '" + field + "' needs " + bytes + " bytes but only "
                + payload.readableBytes() + " are left in the frame");
        }
    }

    private ProtocolException malformed(String problem) {
        return new ProtocolException(ErrorCode.MALFORMED_FRAME, correlationId,
            opcode.describe() + " frame (correlation id " + correlationId + "): " + problem);
    }
}

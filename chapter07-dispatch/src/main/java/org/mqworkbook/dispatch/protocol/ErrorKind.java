package org.mqworkbook.dispatch.protocol;

/**
 * Why chapter 7's broker refused a request; the number travels in an {@link Message.Error} frame. Codes
 * 1 to 13 mean what chapter 5's {@link org.mqworkbook.inmemory.ErrorCode} says they mean (the same
 * numbers, so that a client of either chapter reads the other's refusals); 20 on are the new ones topics
 * and groups need.
 */
public enum ErrorKind {
    /** A frame could not be parsed (bad length, truncated field, invalid UTF-8). The connection closes. */
    MALFORMED_FRAME(1),
    /** The frame's API key names no request this broker serves (it may be another chapter's). */
    UNKNOWN_COMMAND(2),
    /** The length prefix is larger than the broker accepts. The connection closes. */
    FRAME_TOO_LARGE(3),
    /** A field is out of range: a partition that does not exist, an illegal name, a record too large. */
    INVALID_ARGUMENT(7),
    /** Too many requests from this connection are waiting; retry later. */
    BUSY(9),
    /** The broker failed while executing the request (or an exercise is not done yet: see the message). */
    INTERNAL_ERROR(12),
    /** The frame's API key is known, but not in that version of its layout. */
    UNSUPPORTED_VERSION(13),
    /** The request names a topic that does not exist. */
    UNKNOWN_TOPIC(20),
    /** A fetch asked for an offset its partition does not hold. */
    OFFSET_OUT_OF_RANGE(21),
    /** A commit came from an old generation, a member not in the group, or not the partition's owner. */
    ILLEGAL_GENERATION(22),
    /**
     * A fetch asked for offsets that damage on the broker's disk made unreadable; the message names them
     * and where their bytes were kept. Fetching from after them works. Kafka's {@code CORRUPT_MESSAGE}.
     */
    UNREADABLE_RECORDS(23);

    private final int code;

    ErrorKind(int code) {
        this.code = code;
    }

    /** The number on the wire. */
    public int code() {
        return code;
    }

    /** The kind of a chapter 5 protocol refusal (same number). */
    public static ErrorKind of(org.mqworkbook.inmemory.ErrorCode code) {
        return fromCode(code.wireCode());
    }

    /** The kind for a wire number; an unknown number is {@link #INTERNAL_ERROR}. */
    public static ErrorKind fromCode(int code) {
        for (ErrorKind kind : values()) {
            if (kind.code == code) {
                return kind;
            }
        }
        return INTERNAL_ERROR;
    }
}

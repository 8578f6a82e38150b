package org.mqworkbook.inmemory;

/**
 * Why the broker refused a request. The code travels in the protocol's error frame, so clients can
 * tell "retry later" ({@link #isRetryable()}) from "this will never work".
 */
public enum ErrorCode {
    /** A frame could not be parsed: bad length, truncated field, invalid UTF-8. The connection closes. */
    MALFORMED_FRAME(1, false),
    /** A frame's API key names no command this broker serves (it may be another chapter's). */
    UNKNOWN_COMMAND(2, false),
    /** A frame's length prefix is larger than the broker accepts. The connection closes. */
    FRAME_TOO_LARGE(3, false),
    /** A request names a queue that was never declared. */
    UNKNOWN_QUEUE(4, false),
    /** A queue was declared again with a different configuration. */
    QUEUE_CONFLICT(5, false),
    /** The queue holds as many ready messages as its capacity allows. */
    QUEUE_FULL(6, true),
    /** A field has a value outside its range (an empty queue name, a negative wait...). */
    INVALID_ARGUMENT(7, false),
    /** An ack or reject names a delivery tag this consumer does not hold (already settled or expired). */
    UNKNOWN_DELIVERY_TAG(8, false),
    /** The broker's request queue is full; the request was not executed. */
    BUSY(9, true),
    /** The broker is shutting down and accepts no new work. */
    SHUTTING_DOWN(10, false),
    /** A limit that keeps memory bounded was reached (waiting receivers, subscriptions, in-flight). */
    LIMIT_EXCEEDED(11, true),
    /** The broker failed while executing the request; the message says why. */
    INTERNAL_ERROR(12, false),
    /**
     * A frame's API key is known but not in this version of its layout (Kafka's
     * {@code UNSUPPORTED_VERSION}); the length said where it ends, so the connection stays open.
     */
    UNSUPPORTED_VERSION(13, false);

    private final int wireCode;
    private final boolean retryable;

    ErrorCode(int wireCode, boolean retryable) {
        this.wireCode = wireCode;
        this.retryable = retryable;
    }

    /** The number that stands for this code on the wire. */
    public int wireCode() {
        return wireCode;
    }

    /** Whether the same request may succeed if sent again later. */
    public boolean isRetryable() {
        return retryable;
    }

    /** The code for a wire number; unknown numbers map to {@link #INTERNAL_ERROR}. */
    public static ErrorCode fromWire(int wireCode) {
        for (ErrorCode code : values()) {
            if (code.wireCode == wireCode) {
                return code;
            }
        }
        return INTERNAL_ERROR;
    }
}

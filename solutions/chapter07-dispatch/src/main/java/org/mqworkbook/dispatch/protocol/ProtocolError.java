package org.mqworkbook.dispatch.protocol;

/**
 * A frame that cannot be understood. {@link ErrorKind#MALFORMED_FRAME} and
 * {@link ErrorKind#FRAME_TOO_LARGE} are fatal to the connection (the next frame boundary is lost);
 * {@link ErrorKind#UNKNOWN_COMMAND} is not (the length said where the frame ended).
 */
public final class ProtocolError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;
    private final int correlationId;

    /** An error about the frame with this correlation id (0 if it was not readable). */
    public ProtocolError(ErrorKind kind, int correlationId, String message) {
        super(message);
        this.kind = kind;
        this.correlationId = correlationId;
    }

    public ErrorKind kind() {
        return kind;
    }

    public int correlationId() {
        return correlationId;
    }

    /** Whether the connection must close: after it, the stream's frame boundaries are no longer known. */
    public boolean isFatal() {
        return kind != ErrorKind.UNKNOWN_COMMAND;
    }
}

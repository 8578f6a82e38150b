package org.mqworkbook.dispatch.client;

import org.mqworkbook.dispatch.protocol.ErrorKind;

/** The broker refused a request; {@link #kind()} says why, the message names what was wrong. */
public final class DispatchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;

    /** An error the broker answered with. */
    public DispatchException(ErrorKind kind, String message) {
        super(kind + ": " + message);
        this.kind = kind;
    }

    public ErrorKind kind() {
        return kind;
    }
}

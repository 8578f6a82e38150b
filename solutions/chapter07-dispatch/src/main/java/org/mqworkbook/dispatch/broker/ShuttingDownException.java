package org.mqworkbook.dispatch.broker;

/**
 * The broker is closing: the request was not run (or a parked poll was not answered) and may be retried
 * against the broker once it is back. The server answers it as {@code BUSY}.
 */
public final class ShuttingDownException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** The broker is shutting down. */
    public ShuttingDownException() {
        super("the broker is shutting down; retry later");
    }
}

package org.mqworkbook.inmemory;

/** A request names a queue that was never declared. */
public final class UnknownQueueException extends BrokerException {
    private static final long serialVersionUID = 1L;

    public UnknownQueueException(String queue) {
        super(ErrorCode.UNKNOWN_QUEUE, "unknown queue '" + queue + "': declare it first");
    }
}

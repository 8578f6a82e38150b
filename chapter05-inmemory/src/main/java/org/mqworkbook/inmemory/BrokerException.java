package org.mqworkbook.inmemory;

/**
 * A request the broker refuses, with the {@link ErrorCode} a client sees and a message that names the
 * offending value ("unknown queue 'orders'", not "bad request").
 */
public class BrokerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public BrokerException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}

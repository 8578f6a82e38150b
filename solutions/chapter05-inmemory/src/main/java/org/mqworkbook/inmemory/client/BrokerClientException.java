package org.mqworkbook.inmemory.client;

import java.util.Optional;
import org.mqworkbook.inmemory.ErrorCode;

/**
 * A request failed: either the broker answered with an error frame ({@link #code()} says which), or no
 * answer came (the connection closed, the timeout passed, the thread was interrupted; then there is no
 * code and {@link #getCause()} may say more).
 */
public final class BrokerClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Null when the failure happened on the client's side; an ErrorCode is serializable. */
    private final ErrorCode code;

    /** The broker refused the request with {@code code}. */
    public BrokerClientException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    /** No answer came, for the reason given. */
    public BrokerClientException(String message, Throwable cause) {
        super(message, cause);
        this.code = null;
    }

    /** No answer came, for the reason given. */
    public BrokerClientException(String message) {
        this(message, null);
    }

    /** The broker's error code, or empty if the broker never answered. */
    public Optional<ErrorCode> code() {
        return Optional.ofNullable(code);
    }

    /**
     * Whether the broker said that the same request may succeed later ({@link ErrorCode#isRetryable()}).
     * A timeout is not retryable here: the request may have been executed, and sending it again could
     * publish a message twice.
     */
    public boolean isRetryable() {
        return code != null && code.isRetryable();
    }
}

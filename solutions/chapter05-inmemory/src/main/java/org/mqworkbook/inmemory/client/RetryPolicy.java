package org.mqworkbook.inmemory.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How often, and how patiently, {@link BrokerClient#publish} retries a publish the broker refused with a
 * retryable error ({@code QUEUE_FULL}, {@code BUSY}): at most {@code maxAttempts} sends in all, waiting
 * {@code initialBackoff}, then twice that, and so on up to {@code maxBackoff}, between them.
 *
 * <p>Worked example: {@link #DEFAULT} waits 10, 20, 40, 80, 160, 320 and 500 ms between its 8 attempts,
 * so it gives up after about 1.1 s of back-pressure. The doubling is what keeps retries from adding load
 * to a broker that is already overloaded; the AWS SDKs and Kafka's producer ({@code retry.backoff.ms}
 * up to {@code retry.backoff.max.ms}) also add random jitter, so that many clients refused at the same
 * moment do not all come back at the same moment. Retrying is safe here only because a refused publish
 * was not executed; a publish that timed out is never retried, as it may have succeeded.
 *
 * @param maxAttempts    sends in all, the first included; 1 means never retry
 * @param initialBackoff the wait after the first refusal
 * @param maxBackoff     the longest wait between two attempts
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

    /** 8 attempts, waiting 10 ms doubling up to 500 ms. */
    public static final RetryPolicy DEFAULT =
        new RetryPolicy(8, Duration.ofMillis(10), Duration.ofMillis(500));

    /** One attempt: a refusal is reported at once. */
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff, was "
                + initialBackoff + " and " + maxBackoff);
        }
    }

    /** The wait after the {@code failedAttempts}-th refusal (1 for the first). */
    public Duration backoff(int failedAttempts) {
        Duration wait = initialBackoff;
        for (int i = 1; i < failedAttempts && wait.compareTo(maxBackoff) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(maxBackoff) < 0 ? wait : maxBackoff;
    }
}

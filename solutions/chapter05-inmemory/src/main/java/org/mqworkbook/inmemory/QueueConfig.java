package org.mqworkbook.inmemory;

import java.time.Duration;

/**
 * How one queue behaves. Every limit is here because memory must stay bounded whatever clients do.
 *
 * @param capacity          the most <em>ready</em> messages the queue holds; publishing waits (or fails
 *                          with {@link ErrorCode#QUEUE_FULL}) beyond it. Messages in flight do not
 *                          count, as in RabbitMQ's {@code x-max-length}; a requeued message may take the
 *                          queue over capacity for a moment, because it was already accepted.
 * @param visibilityTimeout how long a delivered message stays invisible to other consumers before it
 *                          is delivered again if nobody acknowledged it (SQS's visibility timeout);
 *                          at most {@link #MAX_VISIBILITY_TIMEOUT}, 12 hours, as in SQS
 * @param maxInFlight       the most unacknowledged deliveries the queue tracks (SQS caps this too)
 * @param maxWaiters        the most long-poll receivers parked on the queue at once, and separately the most
 *                          push subscriptions
 * @param maxMessageBytes   the largest message body accepted
 */
public record QueueConfig(int capacity, Duration visibilityTimeout, int maxInFlight, int maxWaiters,
                          int maxMessageBytes) {

    /** The longest visibility timeout accepted (SQS's limit too). */
    public static final Duration MAX_VISIBILITY_TIMEOUT = Duration.ofHours(12);

    /** 10,000 messages, 30 s visibility, 10,000 in flight, 1,000 waiters, 1 MiB bodies. */
    public static final QueueConfig DEFAULT =
        new QueueConfig(10_000, Duration.ofSeconds(30), 10_000, 1_000, 1 << 20);

    public QueueConfig {
        requireAtLeast("capacity", capacity, 1);
        requireAtLeast("maxInFlight", maxInFlight, 1);
        requireAtLeast("maxWaiters", maxWaiters, 0);
        requireAtLeast("maxMessageBytes", maxMessageBytes, 0);
        if (visibilityTimeout == null || visibilityTimeout.isNegative() || visibilityTimeout.isZero()
            || visibilityTimeout.compareTo(MAX_VISIBILITY_TIMEOUT) > 0) {
            throw new BrokerException(ErrorCode.INVALID_ARGUMENT, "visibilityTimeout must be positive and at most "
                + MAX_VISIBILITY_TIMEOUT + ", was " + visibilityTimeout);
        }
    }

    /** The default configuration with another capacity. */
    public static QueueConfig withCapacity(int capacity) {
        return DEFAULT.capacity(capacity);
    }

    /** This configuration with another capacity. */
    public QueueConfig capacity(int newCapacity) {
        return new QueueConfig(newCapacity, visibilityTimeout, maxInFlight, maxWaiters, maxMessageBytes);
    }

    /** This configuration with another visibility timeout. */
    public QueueConfig visibilityTimeout(Duration newTimeout) {
        return new QueueConfig(capacity, newTimeout, maxInFlight, maxWaiters, maxMessageBytes);
    }

    /** This configuration with another in-flight limit. */
    public QueueConfig maxInFlight(int newMax) {
        return new QueueConfig(capacity, visibilityTimeout, newMax, maxWaiters, maxMessageBytes);
    }

    private static void requireAtLeast(String field, int value, int min) {
        if (value < min) {
            throw new BrokerException(ErrorCode.INVALID_ARGUMENT,
                field + " must be at least " + min + ", was " + value);
        }
    }
}

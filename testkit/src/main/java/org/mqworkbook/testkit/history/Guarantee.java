package org.mqworkbook.testkit.history;

/**
 * A delivery guarantee: what a broker promises about how often each message reaches the application.
 * {@link DeliveryHistory#check} holds a recorded history against one of these. Enum constants are
 * immutable and thread safe.
 *
 * <p>The guarantees are about <em>effects</em>, the {@link DeliveryHistory#consumed consumptions} that
 * the application performed, not about what travelled over the wire: a broker may send a message twice
 * and still be exactly-once if the second copy is recognised and dropped before it has an effect.
 *
 * <p>Which messages count: a message is owed to the application once the broker has
 * {@link DeliveryHistory#acknowledged acknowledged} it. A message that was sent but never acknowledged
 * may or may not have arrived (the producer does not know either), so it is neither lost if it is
 * missing nor a phantom if it turns up.
 */
public enum Guarantee {

    /**
     * No message is consumed twice; messages may be lost. What a broker gives when it forgets a message
     * as soon as it has handed it out, before the application has processed it: Kafka with offsets
     * committed before processing, RabbitMQ with automatic acknowledgement.
     */
    AT_MOST_ONCE,

    /**
     * No acknowledged message is lost, and no message is consumed twice unless a failure explains it:
     * a duplicate is allowed only if a {@link DeliveryHistory#failure failure} was recorded after the
     * message's first consumption and before the duplicate. Without a crash, disconnect or timeout, a
     * broker has no reason to redeliver, so an unexplained duplicate is a bug even here. What a broker
     * gives when the application acknowledges after processing: RabbitMQ with manual acknowledgements,
     * Kafka with offsets committed after processing.
     */
    AT_LEAST_ONCE,

    /**
     * No acknowledged message is lost and no message is ever consumed twice, whatever failed. A real
     * broker gets there by making redelivery harmless (Kafka's idempotent producer and transactions, a
     * consumer that stores its position atomically with its effect), not by never redelivering.
     */
    EXACTLY_ONCE;

    /** Whether an acknowledged message that was never consumed is a violation. */
    boolean forbidsLoss() {
        return this != AT_MOST_ONCE;
    }

    /** Whether a second consumption is acceptable when a failure happened since the first one. */
    boolean allowsDuplicateAfterFailure() {
        return this == AT_LEAST_ONCE;
    }
}

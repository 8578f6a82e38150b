package org.mqworkbook.testkit.history;

/**
 * An ordering promise: in which order the application consumes the messages that were sent.
 * {@link DeliveryHistory#check} holds a recorded history against one of these. Enum constants are
 * immutable and thread safe.
 */
public enum Ordering {

    /** No promise: messages may be consumed in any order. */
    NONE,

    /**
     * Messages with the same ordering key are consumed in the order in which they were sent; messages
     * with different keys, or with no key, may be consumed in any order relative to each other.
     *
     * <p>Only the <em>first</em> consumption of each message counts, and only messages that were
     * consumed are compared: a lost message is reported as lost, not also as out of order, and a
     * redelivery after a failure necessarily repeats older messages. For one key, if {@code m1} was
     * sent before {@code m2} and both were consumed, {@code m1} must have been consumed first. Each
     * message's position is that of its first {@link DeliveryHistory#sent send}; a producer's retry does
     * not move it.
     *
     * <p>The send order is the order in which {@link DeliveryHistory#sent} was recorded, so the messages
     * of one key should come from one producer that sends them one after the other. Two producers racing
     * on one key have no order to keep: the broker orders their messages by arrival, which the history
     * cannot see.
     *
     * <p>This is Kafka's promise: a key picks the partition, and a partition is an ordered log read by
     * one consumer of a group at a time. RabbitMQ promises order per queue, which is the same thing if
     * the key picks the queue.
     */
    PER_KEY
}

package org.mqworkbook.dispatch.routing;

/**
 * The four exchange types of AMQP 0-9-1 as RabbitMQ implements them. An exchange type decides which of
 * an exchange's bindings a published message follows.
 */
public enum ExchangeType {
    /** The routing key must equal the binding key, character for character. */
    DIRECT,
    /** Every bound queue gets every message; the routing key and the binding keys are ignored. */
    FANOUT,
    /** The binding key is a pattern of dot-separated words with {@code *} and {@code #}: see {@link TopicPattern}. */
    TOPIC,
    /** The routing key is ignored; the message's headers must match the binding's arguments. */
    HEADERS
}

package org.mqworkbook.dispatch.broker;

/** A request named a topic the broker does not have. The message names it. */
public final class UnknownTopicException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String topic;

    /** For the topic that was asked for. */
    public UnknownTopicException(String topic) {
        super("unknown topic '" + topic + "': create it first");
        this.topic = topic;
    }

    /** The topic that does not exist. */
    public String topic() {
        return topic;
    }
}

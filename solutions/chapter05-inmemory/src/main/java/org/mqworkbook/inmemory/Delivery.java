package org.mqworkbook.inmemory;

import java.util.Arrays;
import java.util.Objects;

/**
 * One message handed to one consumer, waiting for its acknowledgement.
 *
 * @param queue         the queue it came from
 * @param tag           names this delivery (not the message): ack or reject it with this tag. A
 *                      redelivered message gets a new tag, so a late ack of an expired delivery is
 *                      recognised as stale instead of acknowledging someone else's copy.
 * @param messageId     the message's id in its queue, assigned at publish; the same on every redelivery
 * @param body          the message body; do not modify it
 * @param deliveryCount 1 on the first delivery, 2 on the first redelivery, and so on
 */
public record Delivery(String queue, long tag, long messageId, byte[] body, int deliveryCount) {

    /** Whether this message was delivered before (RabbitMQ's {@code redelivered} flag). */
    public boolean redelivered() {
        return deliveryCount > 1;
    }

    // A record compares arrays by reference and prints them as [B@1b6d3586; compare and show the bytes.
    @Override
    public boolean equals(Object other) {
        return other instanceof Delivery d && queue.equals(d.queue) && tag == d.tag && messageId == d.messageId
            && deliveryCount == d.deliveryCount && Arrays.equals(body, d.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(queue, tag, messageId, deliveryCount, Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "Delivery[queue=" + queue + ", tag=" + tag + ", messageId=" + messageId + ", deliveryCount="
            + deliveryCount + ", body=" + body.length + " bytes]";
    }
}

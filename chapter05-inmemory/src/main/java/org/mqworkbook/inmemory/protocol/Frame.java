package org.mqworkbook.inmemory.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Objects;
import org.mqworkbook.inmemory.Delivery;
import org.mqworkbook.inmemory.ErrorCode;

/**
 * One unit of the wire protocol, in either direction: the descriptor of every frame layout. Each record
 * below is one frame type; its Javadoc draws its layout and decodes a worked example byte by byte.
 *
 * <p>Every frame starts with the same 9 bytes:
 *
 * <pre>
 *  offset 0          4        5                9
 *  ┌─────────────────┬────────┬────────────────┬─────────────────────────────┐
 *  │ length          │ opcode │ correlationId  │ payload (depends on opcode) │
 *  │ int32           │ int8   │ int32          │ length - 5 bytes            │
 *  └─────────────────┴────────┴────────────────┴─────────────────────────────┘
 *    counts the bytes after itself: 5 + payload
 * </pre>
 *
 * <p>The length prefix is what lets a reader find frame boundaries in a TCP byte stream, which has no
 * message boundaries of its own: read 4 bytes, then wait until that many more have arrived (Kafka,
 * RabbitMQ's AMQP 0-9-1 and Redis's RESP bulk strings all do a variant of this). Because the length
 * is read first, a reader can refuse an oversized frame before buffering it.
 *
 * <p>The correlation id is chosen by the client and copied by the broker into the answer, so a client
 * may send many requests without waiting and still match each answer to its request (Kafka's
 * {@code correlation_id}). Answers may come back in another order than the requests went out. Frames
 * that the broker pushes for a subscription carry the correlation id of the {@link Subscribe}.
 *
 * <p>Requests: {@link DeclareQueue}, {@link Publish}, {@link Receive}, {@link Subscribe},
 * {@link Cancel}, {@link Ack}, {@link Reject}. Answers and pushes: {@link Ok}, {@link Deliver},
 * {@link Empty}, {@link Error}. Field types ({@code string}, {@code bytes}...) are defined in
 * {@link Protocol}; opcodes in {@link Opcode}.
 *
 * <p>Records are immutable, so frames may be handed between threads freely. The two records that hold
 * a body ({@link Publish}, {@link Deliver}) do not copy it: whoever builds one must not change the
 * array afterwards.
 */
public sealed interface Frame {

    /** Chosen by the client, echoed by the broker: matches answers to requests. */
    int correlationId();

    /** The command number written in byte 4; fixed per record type. */
    Opcode opcode();

    /**
     * Writes this frame's payload, the fields after the correlation id. {@link FrameEncoder} writes
     * the header around it.
     */
    void writePayload(ByteBuf out);

    // ---------------------------------------------------------------------------------------------
    // Requests: client to broker
    // ---------------------------------------------------------------------------------------------

    /**
     * Declares a queue, or confirms that it exists with this configuration (answered by {@link Ok} with
     * value 0, or {@link Error} {@code QUEUE_CONFLICT}). The queue's other limits are the broker's
     * defaults; the longest visibility timeout accepted is {@link Protocol#MAX_VISIBILITY_TIMEOUT_MILLIS}.
     *
     * <pre>
     *  ┌────────┬──────┬───────────────┬────────┬──────────┬─────────────────────────┐
     *  │ length │ 0x01 │ correlationId │ queue  │ capacity │ visibilityTimeoutMillis │
     *  │ int32  │ int8 │ int32         │ string │ int32    │ int64                   │
     *  └────────┴──────┴───────────────┴────────┴──────────┴─────────────────────────┘
     * </pre>
     *
     * <p>Worked example: {@code DeclareQueue(1, "q", 100, 30000)} is 24 bytes:
     * <pre>
     *  00 00 00 14                 length 20 = 5 + 3 + 4 + 8
     *  01                          DECLARE_QUEUE
     *  00 00 00 01                 correlation id 1
     *  00 01 71                    queue "q"
     *  00 00 00 64                 capacity 100
     *  00 00 00 00 00 00 75 30     visibility timeout 30,000 ms
     * </pre>
     */
    record DeclareQueue(int correlationId, String queue, int capacity, long visibilityTimeoutMillis)
        implements Frame {

        public DeclareQueue {
            Objects.requireNonNull(queue, "queue");
        }

        @Override
        public Opcode opcode() {
            return Opcode.DECLARE_QUEUE;
        }

        @Override
        public void writePayload(ByteBuf out) {
            Protocol.writeString(out, queue);
            out.writeInt(capacity);
            out.writeLong(visibilityTimeoutMillis);
        }

        static DeclareQueue read(PayloadReader in) {
            return new DeclareQueue(in.correlationId(), in.readString("queue"), in.readInt("capacity"),
                in.readLong("visibilityTimeoutMillis"));
        }
    }

    /**
     * Appends a message to a queue (answered by {@link Ok} whose value is the new message's id, or
     * {@link Error} {@code QUEUE_FULL}, which is worth retrying later).
     *
     * <pre>
     *  ┌────────┬──────┬───────────────┬────────┬───────┐
     *  │ length │ 0x02 │ correlationId │ queue  │ body  │
     *  │ int32  │ int8 │ int32         │ string │ bytes │
     *  └────────┴──────┴───────────────┴────────┴───────┘
     * </pre>
     *
     * <p>Worked example: {@code Publish(2, "q", "hi")} is 18 bytes:
     * <pre>
     *  00 00 00 0E                 length 14 = 5 + 3 + 6
     *  02                          PUBLISH
     *  00 00 00 02                 correlation id 2
     *  00 01 71                    queue "q"
     *  00 00 00 02 68 69           body "hi"
     * </pre>
     */
    record Publish(int correlationId, String queue, byte[] body) implements Frame {

        public Publish {
            Objects.requireNonNull(queue, "queue");
            Objects.requireNonNull(body, "body");
        }

        @Override
        public Opcode opcode() {
            return Opcode.PUBLISH;
        }

        @Override
        public void writePayload(ByteBuf out) {
            Protocol.writeString(out, queue);
            Protocol.writeBytes(out, body);
        }

        static Publish read(PayloadReader in) {
            return new Publish(in.correlationId(), in.readString("queue"), in.readBytes("body"));
        }

        // A record compares arrays by reference; two frames with equal bodies should be equal.
        @Override
        public boolean equals(Object other) {
            return other instanceof Publish that && correlationId == that.correlationId
                && queue.equals(that.queue) && Arrays.equals(body, that.body);
        }

        @Override
        public int hashCode() {
            return Objects.hash(correlationId, queue, Arrays.hashCode(body));
        }

        @Override
        public String toString() {
            return "Publish[correlationId=" + correlationId + ", queue=" + queue + ", body=" + body.length
                + " bytes]";
        }
    }

    /**
     * Takes one message from a queue, waiting up to {@code waitMillis} for one to arrive (a long poll,
     * like SQS's {@code ReceiveMessage} with {@code WaitTimeSeconds}). Answered by exactly one
     * {@link Deliver} or, if the wait ends first, one {@link Empty}. A wait of 0 answers at once; the
     * longest accepted is {@link Protocol#MAX_WAIT_MILLIS}.
     *
     * <pre>
     *  ┌────────┬──────┬───────────────┬────────┬────────────┐
     *  │ length │ 0x03 │ correlationId │ queue  │ waitMillis │
     *  │ int32  │ int8 │ int32         │ string │ int64      │
     *  └────────┴──────┴───────────────┴────────┴────────────┘
     * </pre>
     *
     * <p>Worked example: {@code Receive(3, "q", 5000)} is 20 bytes:
     * <pre>
     *  00 00 00 10                 length 16 = 5 + 3 + 8
     *  03                          RECEIVE
     *  00 00 00 03                 correlation id 3
     *  00 01 71                    queue "q"
     *  00 00 00 00 00 00 13 88     wait up to 5,000 ms
     * </pre>
     */
    record Receive(int correlationId, String queue, long waitMillis) implements Frame {

        public Receive {
            Objects.requireNonNull(queue, "queue");
        }

        @Override
        public Opcode opcode() {
            return Opcode.RECEIVE;
        }

        @Override
        public void writePayload(ByteBuf out) {
            Protocol.writeString(out, queue);
            out.writeLong(waitMillis);
        }

        static Receive read(PayloadReader in) {
            return new Receive(in.correlationId(), in.readString("queue"), in.readLong("waitMillis"));
        }
    }

    /**
     * Subscribes this connection to a queue as a push consumer (RabbitMQ's {@code basic.consume} with
     * {@code basic.qos} prefetch): the broker answers {@link Ok} and from then on pushes
     * {@link Deliver} frames carrying this frame's correlation id, at most {@code prefetch} of them
     * unacknowledged at a time. A connection has at most one subscription per queue.
     *
     * <p>The first deliveries may arrive <em>before</em> the {@code Ok}: the broker may push a ready
     * message the moment the subscription exists, so a client registers its handler before sending.
     *
     * <pre>
     *  ┌────────┬──────┬───────────────┬────────┬──────────┐
     *  │ length │ 0x04 │ correlationId │ queue  │ prefetch │
     *  │ int32  │ int8 │ int32         │ string │ int32    │
     *  └────────┴──────┴───────────────┴────────┴──────────┘
     * </pre>
     *
     * <p>Worked example: {@code Subscribe(4, "q", 10)} is 16 bytes:
     * <pre>
     *  00 00 00 0C                 length 12 = 5 + 3 + 4
     *  04                          SUBSCRIBE
     *  00 00 00 04                 correlation id 4, also on every pushed delivery
     *  00 01 71                    queue "q"
     *  00 00 00 0A                 at most 10 unacknowledged deliveries
     * </pre>
     */
    record Subscribe(int correlationId, String queue, int prefetch) implements Frame {

        public Subscribe {
            Objects.requireNonNull(queue, "queue");
        }

        @Override
        public Opcode opcode() {
            return Opcode.SUBSCRIBE;
        }

        @Override
        public void writePayload(ByteBuf out) {
            Protocol.writeString(out, queue);
            out.writeInt(prefetch);
        }

        static Subscribe read(PayloadReader in) {
            return new Subscribe(in.correlationId(), in.readString("queue"), in.readInt("prefetch"));
        }
    }

    /**
     * Ends this connection's subscription to a queue (answered by {@link Ok} with value 1, or 0 if there
     * was none). Deliveries already pushed stay in flight until acknowledged, rejected or expired.
     *
     * <pre>
     *  ┌────────┬──────┬───────────────┬────────┐
     *  │ length │ 0x05 │ correlationId │ queue  │
     *  │ int32  │ int8 │ int32         │ string │
     *  └────────┴──────┴───────────────┴────────┘
     * </pre>
     *
     * <p>Worked example: {@code Cancel(5, "q")} is 12 bytes:
     * <pre>
     *  00 00 00 08                 length 8 = 5 + 3
     *  05                          CANCEL
     *  00 00 00 05                 correlation id 5
     *  00 01 71                    queue "q"
     * </pre>
     */
    record Cancel(int correlationId, String queue) implements Frame {

        public Cancel {
            Objects.requireNonNull(queue, "queue");
        }

        @Override
        public Opcode opcode() {
            return Opcode.CANCEL;
        }

        @Override
        public void writePayload(ByteBuf out) {
            Protocol.writeString(out, queue);
        }

        static Cancel read(PayloadReader in) {
            return new Cancel(in.correlationId(), in.readString("queue"));
        }
    }

    /**
     * Acknowledges a delivery: the message is gone for good (answered by {@link Ok} with value 1, or
     * {@link Error} {@code UNKNOWN_DELIVERY_TAG} if this connection does not hold that delivery any
     * more, for example because its visibility timeout passed).
     *
     * <pre>
     *  ┌────────┬──────┬───────────────┬────────┬───────┐
     *  │ length │ 0x06 │ correlationId │ queue  │ tag   │
     *  │ int32  │ int8 │ int32         │ string │ int64 │
     *  └────────┴──────┴───────────────┴────────┴───────┘
     * </pre>
     *
     * <p>Worked example: {@code Ack(6, "q", 1)} is 20 bytes:
     * <pre>
     *  00 00 00 10                 length 16 = 5 + 3 + 8
     *  06                          ACK
     *  00 00 00 06                 correlation id 6
     *  00 01 71                    queue "q"
     *  00 00 00 00 00 00 00 01     delivery tag 1
     * </pre>
     */
    record Ack(int correlationId, String queue, long tag) implements Frame {

        public Ack {
            Objects.requireNonNull(queue, "queue");
        }

        @Override
        public Opcode opcode() {
            return Opcode.ACK;
        }

        @Override
        public void writePayload(ByteBuf out) {
            Protocol.writeString(out, queue);
            out.writeLong(tag);
        }

        static Ack read(PayloadReader in) {
            return new Ack(in.correlationId(), in.readString("queue"), in.readLong("tag"));
        }
    }

    /**
     * Refuses a delivery (RabbitMQ's {@code basic.reject}): with {@code requeue} the message goes back
     * to the head of the queue at once, without it is dropped. Answered like {@link Ack}.
     *
     * <pre>
     *  ┌────────┬──────┬───────────────┬────────┬───────┬─────────┐
     *  │ length │ 0x07 │ correlationId │ queue  │ tag   │ requeue │
     *  │ int32  │ int8 │ int32         │ string │ int64 │ int8    │
     *  └────────┴──────┴───────────────┴────────┴───────┴─────────┘
     * </pre>
     *
     * <p>Worked example: {@code Reject(7, "q", 1, true)} is 21 bytes:
     * <pre>
     *  00 00 00 11                 length 17 = 5 + 3 + 8 + 1
     *  07                          REJECT
     *  00 00 00 07                 correlation id 7
     *  00 01 71                    queue "q"
     *  00 00 00 00 00 00 00 01     delivery tag 1
     *  01                          requeue: true
     * </pre>
     */
    record Reject(int correlationId, String queue, long tag, boolean requeue) implements Frame {

        public Reject {
            Objects.requireNonNull(queue, "queue");
        }

        @Override
        public Opcode opcode() {
            return Opcode.REJECT;
        }

        @Override
        public void writePayload(ByteBuf out) {
            Protocol.writeString(out, queue);
            out.writeLong(tag);
            Protocol.writeBoolean(out, requeue);
        }

        static Reject read(PayloadReader in) {
            return new Reject(in.correlationId(), in.readString("queue"), in.readLong("tag"),
                in.readBoolean("requeue"));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Answers and pushes: broker to client
    // ---------------------------------------------------------------------------------------------

    /**
     * The request with this correlation id succeeded. The value is the message id for {@link Publish},
     * 1 or 0 for {@link Ack}, {@link Reject} and {@link Cancel}, and 0 otherwise.
     *
     * <pre>
     *  ┌────────┬──────┬───────────────┬───────┐
     *  │ length │ 0x81 │ correlationId │ value │
     *  │ int32  │ int8 │ int32         │ int64 │
     *  └────────┴──────┴───────────────┴───────┘
     * </pre>
     *
     * <p>Worked example: {@code Ok(2, 0)}, the answer to the {@link Publish} example (message id 0), is
     * 17 bytes:
     * <pre>
     *  00 00 00 0D                 length 13 = 5 + 8
     *  81                          OK
     *  00 00 00 02                 correlation id 2
     *  00 00 00 00 00 00 00 00     value: message id 0
     * </pre>
     */
    record Ok(int correlationId, long value) implements Frame {

        @Override
        public Opcode opcode() {
            return Opcode.OK;
        }

        @Override
        public void writePayload(ByteBuf out) {
            out.writeLong(value);
        }

        static Ok read(PayloadReader in) {
            return new Ok(in.correlationId(), in.readLong("value"));
        }
    }

    /**
     * A message for the consumer: the answer to a {@link Receive}, or a push for a {@link Subscribe}
     * (then carrying the subscription's correlation id, once per delivery). The consumer settles it with
     * {@link Ack} or {@link Reject} naming the queue and the tag.
     *
     * <pre>
     *  ┌────────┬──────┬───────────────┬────────┬───────┬───────────┬───────────────┬───────┐
     *  │ length │ 0x82 │ correlationId │ queue  │ tag   │ messageId │ deliveryCount │ body  │
     *  │ int32  │ int8 │ int32         │ string │ int64 │ int64     │ int32         │ bytes │
     *  └────────┴──────┴───────────────┴────────┴───────┴───────────┴───────────────┴───────┘
     * </pre>
     *
     * <p>Worked example: {@code Deliver(3, "q", 1, 0, 1, "hi")}, the answer to the {@link Receive}
     * example, is 38 bytes:
     * <pre>
     *  00 00 00 22                 length 34 = 5 + 3 + 8 + 8 + 4 + 6
     *  82                          DELIVER
     *  00 00 00 03                 correlation id 3
     *  00 01 71                    queue "q"
     *  00 00 00 00 00 00 00 01     delivery tag 1
     *  00 00 00 00 00 00 00 00     message id 0
     *  00 00 00 01                 first delivery (2 would mean: redelivered once)
     *  00 00 00 02 68 69           body "hi"
     * </pre>
     */
    record Deliver(int correlationId, String queue, long tag, long messageId, int deliveryCount, byte[] body)
        implements Frame {

        public Deliver {
            Objects.requireNonNull(queue, "queue");
            Objects.requireNonNull(body, "body");
        }

        /** The frame that carries {@code delivery} to the consumer. */
        public static Deliver of(int correlationId, Delivery delivery) {
            return new Deliver(correlationId, delivery.queue(), delivery.tag(), delivery.messageId(),
                delivery.deliveryCount(), delivery.body());
        }

        /** The delivery this frame carries, as the broker's core describes it. */
        public Delivery toDelivery() {
            return new Delivery(queue, tag, messageId, body, deliveryCount);
        }

        @Override
        public Opcode opcode() {
            return Opcode.DELIVER;
        }

        @Override
        public void writePayload(ByteBuf out) {
            Protocol.writeString(out, queue);
            out.writeLong(tag);
            out.writeLong(messageId);
            out.writeInt(deliveryCount);
            Protocol.writeBytes(out, body);
        }

        static Deliver read(PayloadReader in) {
            return new Deliver(in.correlationId(), in.readString("queue"), in.readLong("tag"),
                in.readLong("messageId"), in.readInt("deliveryCount"), in.readBytes("body"));
        }

        // A record compares arrays by reference; two frames with equal bodies should be equal.
        @Override
        public boolean equals(Object other) {
            return other instanceof Deliver that && correlationId == that.correlationId
                && queue.equals(that.queue) && tag == that.tag && messageId == that.messageId
                && deliveryCount == that.deliveryCount && Arrays.equals(body, that.body);
        }

        @Override
        public int hashCode() {
            return Objects.hash(correlationId, queue, tag, messageId, deliveryCount, Arrays.hashCode(body));
        }

        @Override
        public String toString() {
            return "Deliver[correlationId=" + correlationId + ", queue=" + queue + ", tag=" + tag
                + ", messageId=" + messageId + ", deliveryCount=" + deliveryCount + ", body=" + body.length
                + " bytes]";
        }
    }

    /**
     * The answer to a {@link Receive} whose wait ended without a message.
     *
     * <pre>
     *  ┌────────┬──────┬───────────────┐
     *  │ length │ 0x83 │ correlationId │
     *  │ int32  │ int8 │ int32         │
     *  └────────┴──────┴───────────────┘
     * </pre>
     *
     * <p>Worked example: {@code Empty(3)} is 9 bytes: {@code 00 00 00 05} (length 5, the header
     * only), {@code 83} (EMPTY), {@code 00 00 00 03} (correlation id 3).
     */
    record Empty(int correlationId) implements Frame {

        @Override
        public Opcode opcode() {
            return Opcode.EMPTY;
        }

        @Override
        public void writePayload(ByteBuf out) {
            // no payload: the header says everything
        }

        static Empty read(PayloadReader in) {
            return new Empty(in.correlationId());
        }
    }

    /**
     * The request with this correlation id failed: the code is an {@link ErrorCode#wireCode()}, the
     * message says why for a person. A frame the broker could not parse is answered with correlation id
     * 0 if its header could not be read; for {@code MALFORMED_FRAME} and {@code FRAME_TOO_LARGE} the
     * broker closes the connection after this frame.
     *
     * <p>Messages are cut to {@link #MAX_MESSAGE_CHARS} characters, so that an error quoting a huge
     * value (a queue name can be 64 KiB) still makes a small frame. An unknown wire code decodes as
     * {@link ErrorCode#INTERNAL_ERROR}.
     *
     * <pre>
     *  ┌────────┬──────┬───────────────┬───────┬─────────┐
     *  │ length │ 0x84 │ correlationId │ code  │ message │
     *  │ int32  │ int8 │ int32         │ int32 │ string  │
     *  └────────┴──────┴───────────────┴───────┴─────────┘
     * </pre>
     *
     * <p>Worked example: {@code Error(2, QUEUE_FULL, "full")}, the answer to the {@link Publish}
     * example when the queue is at capacity, is 19 bytes:
     * <pre>
     *  00 00 00 0F                 length 15 = 5 + 4 + 6
     *  84                          ERROR
     *  00 00 00 02                 correlation id 2
     *  00 00 00 06                 code 6: QUEUE_FULL
     *  00 04 66 75 6C 6C           message "full"
     * </pre>
     *
     * <p>The name shadows {@code java.lang.Error} inside this interface; elsewhere write
     * {@code Frame.Error}.
     */
    record Error(int correlationId, ErrorCode code, String message) implements Frame {

        /** The longest message kept, in characters. */
        public static final int MAX_MESSAGE_CHARS = 1000;

        public Error {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
            if (message.length() > MAX_MESSAGE_CHARS) {
                message = message.substring(0, MAX_MESSAGE_CHARS - 3) + "...";
            }
        }

        @Override
        public Opcode opcode() {
            return Opcode.ERROR;
        }

        @Override
        public void writePayload(ByteBuf out) {
            out.writeInt(code.wireCode());
            Protocol.writeString(out, message);
        }

        static Error read(PayloadReader in) {
            return new Error(in.correlationId(), ErrorCode.fromWire(in.readInt("code")),
                in.readString("message"));
        }
    }
}

package org.mqworkbook.inmemory.protocol;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.mqworkbook.inmemory.Delivery;
import org.mqworkbook.inmemory.ErrorCode;

/**
 * One unit of the wire protocol, in either direction: the descriptor of every frame layout. Each record
 * below is one frame type; its Javadoc draws its layout and decodes a worked example byte by byte.
 *
 * <p>Every frame starts with the same 12 bytes, the header of every chapter's frames
 * ({@link FrameHeader}):
 *
 * <pre>
 *  offset 0         4        6            8               12
 *  ┌────────────────┬────────┬────────────┬───────────────┬──────────────────────────────┐
 *  │ length         │ apiKey │ apiVersion │ correlationId │ payload (depends on the key) │
 *  │ int32          │ uint16 │ int16      │ int32         │ length - 8 bytes             │
 *  └────────────────┴────────┴────────────┴───────────────┴──────────────────────────────┘
 *    counts the bytes after itself: 8 + payload
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
 * <p>The API key names the frame type ({@link Opcode} numbers chapter 5's); the version numbers its
 * layout, 0 for every chapter 5 frame. Later chapters keep this header and add keys of their own, the way
 * Kafka adds API keys and versions per feature instead of a new protocol.
 *
 * <p>Requests: {@link DeclareQueue}, {@link Publish}, {@link Receive}, {@link Subscribe},
 * {@link Cancel}, {@link Ack}, {@link Reject}, and {@link ApiVersions}. Answers and pushes: {@link Ok},
 * {@link Deliver}, {@link Empty}, {@link Error}, {@link Versions}. Field types ({@code string},
 * {@code bytes}...) are defined in {@link Protocol}.
 *
 * <p>Records are immutable, so frames may be handed between threads freely. The two records that hold
 * a body ({@link Publish}, {@link Deliver}) do not copy it: whoever builds one must not change the
 * array afterwards.
 */
public sealed interface Frame extends WireFrame {
    /** What chapter 5's reader serves, as an unknown key's error message says it. */
    String SERVED = "chapter 5's queues (API keys 0x0000-0x0007)";

    /** Chosen by the client, echoed by the broker: matches answers to requests. */
    @Override
    int correlationId();

    /** The command, written as the API key in bytes 4-5; fixed per record type. */
    Opcode opcode();

    @Override
    default int apiKey() {
        return opcode().code();
    }

    /**
     * Writes this frame's payload, the fields after the header. {@link FrameEncoder} writes the header
     * around it.
     */
    @Override
    void writePayload(ByteBuf out);

    /**
     * Chapter 5's {@link FrameReader}: reads the payload of one of its frames, version 0.
     *
     * @throws ProtocolException {@code UNKNOWN_COMMAND} for another chapter's key, {@code UNSUPPORTED_VERSION}
     *                           for a version other than 0 (neither closes the connection), {@code MALFORMED_FRAME}
     */
    static Frame read(FrameHeader header, FieldReader in) {
        Opcode opcode = Opcode.fromWire(header.apiKey()).orElseThrow(() -> header.unknown(SERVED));
        header.requireVersion(opcode.name(), 0, 0);
        in.nameFrame(opcode.describe());
        return switch (opcode) {
            case API_VERSIONS -> ApiVersions.read(in);
            case DECLARE_QUEUE -> DeclareQueue.read(in);
            case PUBLISH -> Publish.read(in);
            case RECEIVE -> Receive.read(in);
            case SUBSCRIBE -> Subscribe.read(in);
            case CANCEL -> Cancel.read(in);
            case ACK -> Ack.read(in);
            case REJECT -> Reject.read(in);
            case VERSIONS -> Versions.read(in);
            case OK -> Ok.read(in);
            case DELIVER -> Deliver.read(in);
            case EMPTY -> Empty.read(in);
            case ERROR -> Error.read(in);
        };
    }

    // ---------------------------------------------------------------------------------------------
    // Requests: client to broker
    // ---------------------------------------------------------------------------------------------

    /**
     * Declares a queue, or confirms that it exists with this configuration (answered by {@link Ok} with
     * value 0, or {@link Error} {@code QUEUE_CONFLICT}). The queue's other limits are the broker's
     * defaults; the longest visibility timeout accepted is {@link Protocol#MAX_VISIBILITY_TIMEOUT_MILLIS}.
     *
     * <pre>
     *  ┌────────┬────────┬─────────┬───────────────┬────────┬──────────┬─────────────────────────┐
     *  │ length │ 0x0001 │ version │ correlationId │ queue  │ capacity │ visibilityTimeoutMillis │
     *  │ int32  │ uint16 │ int16   │ int32         │ string │ int32    │ int64                   │
     *  └────────┴────────┴─────────┴───────────────┴────────┴──────────┴─────────────────────────┘
     * </pre>
     *
     * <p>Worked example: {@code DeclareQueue(1, "q", 100, 30000)} is 27 bytes:
     * <pre>
     *  00 00 00 17                 length 23 = 8 + 3 + 4 + 8
     *  00 01                       API key 0x0001 DECLARE_QUEUE
     *  00 00                       version 0
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

        static DeclareQueue read(FieldReader in) {
            return new DeclareQueue(in.correlationId(), in.readString("queue"), in.readInt("capacity"),
                in.readLong("visibilityTimeoutMillis"));
        }
    }

    /**
     * Appends a message to a queue (answered by {@link Ok} whose value is the new message's id, or
     * {@link Error} {@code QUEUE_FULL}, which is worth retrying later).
     *
     * <pre>
     *  ┌────────┬────────┬─────────┬───────────────┬────────┬───────┐
     *  │ length │ 0x0002 │ version │ correlationId │ queue  │ body  │
     *  │ int32  │ uint16 │ int16   │ int32         │ string │ bytes │
     *  └────────┴────────┴─────────┴───────────────┴────────┴───────┘
     * </pre>
     *
     * <p>Worked example: {@code Publish(2, "q", "hi")} is 21 bytes:
     * <pre>
     *  00 00 00 11                 length 17 = 8 + 3 + 6
     *  00 02                       API key 0x0002 PUBLISH
     *  00 00                       version 0
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

        static Publish read(FieldReader in) {
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
     *  ┌────────┬────────┬─────────┬───────────────┬────────┬────────────┐
     *  │ length │ 0x0003 │ version │ correlationId │ queue  │ waitMillis │
     *  │ int32  │ uint16 │ int16   │ int32         │ string │ int64      │
     *  └────────┴────────┴─────────┴───────────────┴────────┴────────────┘
     * </pre>
     *
     * <p>Worked example: {@code Receive(3, "q", 5000)} is 23 bytes:
     * <pre>
     *  00 00 00 13                 length 19 = 8 + 3 + 8
     *  00 03                       API key 0x0003 RECEIVE
     *  00 00                       version 0
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

        static Receive read(FieldReader in) {
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
     *  ┌────────┬────────┬─────────┬───────────────┬────────┬──────────┐
     *  │ length │ 0x0004 │ version │ correlationId │ queue  │ prefetch │
     *  │ int32  │ uint16 │ int16   │ int32         │ string │ int32    │
     *  └────────┴────────┴─────────┴───────────────┴────────┴──────────┘
     * </pre>
     *
     * <p>Worked example: {@code Subscribe(4, "q", 10)} is 19 bytes:
     * <pre>
     *  00 00 00 0F                 length 15 = 8 + 3 + 4
     *  00 04                       API key 0x0004 SUBSCRIBE
     *  00 00                       version 0
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

        static Subscribe read(FieldReader in) {
            return new Subscribe(in.correlationId(), in.readString("queue"), in.readInt("prefetch"));
        }
    }

    /**
     * Ends this connection's subscription to a queue (answered by {@link Ok} with value 1, or 0 if there
     * was none). Deliveries already pushed stay in flight until acknowledged, rejected or expired.
     *
     * <pre>
     *  ┌────────┬────────┬─────────┬───────────────┬────────┐
     *  │ length │ 0x0005 │ version │ correlationId │ queue  │
     *  │ int32  │ uint16 │ int16   │ int32         │ string │
     *  └────────┴────────┴─────────┴───────────────┴────────┘
     * </pre>
     *
     * <p>Worked example: {@code Cancel(5, "q")} is 15 bytes:
     * <pre>
     *  00 00 00 0B                 length 11 = 8 + 3
     *  00 05                       API key 0x0005 CANCEL
     *  00 00                       version 0
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

        static Cancel read(FieldReader in) {
            return new Cancel(in.correlationId(), in.readString("queue"));
        }
    }

    /**
     * Acknowledges a delivery: the message is gone for good (answered by {@link Ok} with value 1, or
     * {@link Error} {@code UNKNOWN_DELIVERY_TAG} if this connection does not hold that delivery any
     * more, for example because its visibility timeout passed).
     *
     * <pre>
     *  ┌────────┬────────┬─────────┬───────────────┬────────┬───────┐
     *  │ length │ 0x0006 │ version │ correlationId │ queue  │ tag   │
     *  │ int32  │ uint16 │ int16   │ int32         │ string │ int64 │
     *  └────────┴────────┴─────────┴───────────────┴────────┴───────┘
     * </pre>
     *
     * <p>Worked example: {@code Ack(6, "q", 1)} is 23 bytes:
     * <pre>
     *  00 00 00 13                 length 19 = 8 + 3 + 8
     *  00 06                       API key 0x0006 ACK
     *  00 00                       version 0
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

        static Ack read(FieldReader in) {
            return new Ack(in.correlationId(), in.readString("queue"), in.readLong("tag"));
        }
    }

    /**
     * Refuses a delivery (RabbitMQ's {@code basic.reject}): with {@code requeue} the message goes back
     * to the head of the queue at once, without it is dropped. Answered like {@link Ack}.
     *
     * <pre>
     *  ┌────────┬────────┬─────────┬───────────────┬────────┬───────┬─────────┐
     *  │ length │ 0x0007 │ version │ correlationId │ queue  │ tag   │ requeue │
     *  │ int32  │ uint16 │ int16   │ int32         │ string │ int64 │ int8    │
     *  └────────┴────────┴─────────┴───────────────┴────────┴───────┴─────────┘
     * </pre>
     *
     * <p>Worked example: {@code Reject(7, "q", 1, true)} is 24 bytes:
     * <pre>
     *  00 00 00 14                 length 20 = 8 + 3 + 8 + 1
     *  00 07                       API key 0x0007 REJECT
     *  00 00                       version 0
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

        static Reject read(FieldReader in) {
            return new Reject(in.correlationId(), in.readString("queue"), in.readLong("tag"),
                in.readBoolean("requeue"));
        }
    }

    /**
     * Asks which API keys, and which versions of each, this broker reads (Kafka's {@code ApiVersions}).
     * Every chapter's broker answers it with {@link Versions}, so a client can find out what it is
     * talking to before it sends anything else — a chapter 5 client that reaches chapter 7's broker learns
     * so, instead of having its frames misread. No fields.
     *
     * <pre>
     *  ┌────────┬────────┬─────────┬───────────────┐
     *  │ length │ 0x0000 │ version │ correlationId │
     *  │ int32  │ uint16 │ int16   │ int32         │
     *  └────────┴────────┴─────────┴───────────────┘
     * </pre>
     */
    record ApiVersions(int correlationId) implements Frame {

        @Override
        public Opcode opcode() {
            return Opcode.API_VERSIONS;
        }

        @Override
        public void writePayload(ByteBuf out) {
            // no payload: the question is the key
        }

        static ApiVersions read(FieldReader in) {
            return new ApiVersions(in.correlationId());
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
     *  ┌────────┬────────┬─────────┬───────────────┬───────┐
     *  │ length │ 0x8001 │ version │ correlationId │ value │
     *  │ int32  │ uint16 │ int16   │ int32         │ int64 │
     *  └────────┴────────┴─────────┴───────────────┴───────┘
     * </pre>
     *
     * <p>Worked example: {@code Ok(2, 0)}, the answer to the {@link Publish} example (message id 0), is
     * 20 bytes:
     * <pre>
     *  00 00 00 10                 length 16 = 8 + 8
     *  80 01                       API key 0x8001 OK
     *  00 00                       version 0
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

        static Ok read(FieldReader in) {
            return new Ok(in.correlationId(), in.readLong("value"));
        }
    }

    /**
     * A message for the consumer: the answer to a {@link Receive}, or a push for a {@link Subscribe}
     * (then carrying the subscription's correlation id, once per delivery). The consumer settles it with
     * {@link Ack} or {@link Reject} naming the queue and the tag.
     *
     * <pre>
     *  ┌────────┬────────┬─────────┬───────────────┬────────┬───────┬───────────┬───────────────┬───────┐
     *  │ length │ 0x8002 │ version │ correlationId │ queue  │ tag   │ messageId │ deliveryCount │ body  │
     *  │ int32  │ uint16 │ int16   │ int32         │ string │ int64 │ int64     │ int32         │ bytes │
     *  └────────┴────────┴─────────┴───────────────┴────────┴───────┴───────────┴───────────────┴───────┘
     * </pre>
     *
     * <p>Worked example: {@code Deliver(3, "q", 1, 0, 1, "hi")}, the answer to the {@link Receive}
     * example, is 41 bytes:
     * <pre>
     *  00 00 00 25                 length 37 = 8 + 3 + 8 + 8 + 4 + 6
     *  80 02                       API key 0x8002 DELIVER
     *  00 00                       version 0
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

        static Deliver read(FieldReader in) {
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
     *  ┌────────┬────────┬─────────┬───────────────┐
     *  │ length │ 0x8003 │ version │ correlationId │
     *  │ int32  │ uint16 │ int16   │ int32         │
     *  └────────┴────────┴─────────┴───────────────┘
     * </pre>
     *
     * <p>Worked example: {@code Empty(3)} is 12 bytes: {@code 00 00 00 08} (length 8, the header
     * only), {@code 80 03} (EMPTY), {@code 00 00} (version 0), {@code 00 00 00 03} (correlation id 3).
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

        static Empty read(FieldReader in) {
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
     *  ┌────────┬────────┬─────────┬───────────────┬───────┬─────────┐
     *  │ length │ 0x8004 │ version │ correlationId │ code  │ message │
     *  │ int32  │ uint16 │ int16   │ int32         │ int32 │ string  │
     *  └────────┴────────┴─────────┴───────────────┴───────┴─────────┘
     * </pre>
     *
     * <p>Worked example: {@code Error(2, QUEUE_FULL, "full")}, the answer to the {@link Publish}
     * example when the queue is at capacity, is 22 bytes:
     * <pre>
     *  00 00 00 12                 length 18 = 8 + 4 + 6
     *  80 04                       API key 0x8004 ERROR
     *  00 00                       version 0
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

        static Error read(FieldReader in) {
            return new Error(in.correlationId(), ErrorCode.fromWire(in.readInt("code")),
                in.readString("message"));
        }
    }

    /**
     * The answer to {@link ApiVersions}: who the broker is, and each API key it reads with the lowest
     * and highest version of it, in key order. An entry is 6 bytes.
     *
     * <pre>
     *  ┌────────┬────────┬─────────┬───────────────┬────────┬───────┬────────────────────────────────────┐
     *  │ length │ 0x8000 │ version │ correlationId │ broker │ count │ (apiKey, minVersion, maxVersion)…  │
     *  │ int32  │ uint16 │ int16   │ int32         │ string │ int32 │ (uint16, int16, int16)…            │
     *  └────────┴────────┴─────────┴───────────────┴────────┴───────┴────────────────────────────────────┘
     * </pre>
     *
     * @param broker what the broker is, for people: {@code "chapter 5 in-memory broker"}
     */
    record Versions(int correlationId, String broker, List<ApiRange> apis) implements Frame {
        /** One API key a broker reads, and the versions of it. */
        public record ApiRange(int apiKey, int minVersion, int maxVersion) {
            /** Checks the numbers. */
            public ApiRange {
                if (apiKey < 0 || apiKey > 0xFFFF || minVersion < 0 || maxVersion < minVersion) {
                    throw new IllegalArgumentException("not an API key and version range: " + apiKey + " "
                        + minVersion + "-" + maxVersion);
                }
            }

            @Override
            public String toString() {
                return FrameHeader.hex(apiKey) + " v" + minVersion + "-" + maxVersion;
            }
        }

        /** Copies the list. */
        public Versions {
            Objects.requireNonNull(broker, "broker");
            apis = List.copyOf(apis);
        }

        /** Chapter 5's answer: every chapter 5 key, version 0. */
        public static Versions ofChapter5(int correlationId) {
            List<ApiRange> apis = new ArrayList<>();
            for (Opcode opcode : Opcode.values()) {
                apis.add(new ApiRange(opcode.code(), 0, 0));
            }
            return new Versions(correlationId, "chapter 5 in-memory broker", apis);
        }

        /** The range this broker reads for a key, if it reads it at all. */
        public Optional<ApiRange> range(int apiKey) {
            return apis.stream().filter(api -> api.apiKey() == apiKey).findFirst();
        }

        @Override
        public Opcode opcode() {
            return Opcode.VERSIONS;
        }

        @Override
        public void writePayload(ByteBuf out) {
            Protocol.writeString(out, broker);
            out.writeInt(apis.size());
            for (ApiRange api : apis) {
                out.writeShort(api.apiKey());
                out.writeShort(api.minVersion());
                out.writeShort(api.maxVersion());
            }
        }

        static Versions read(FieldReader in) {
            int correlationId = in.correlationId();
            String broker = in.readString("broker");
            int count = in.readCount("apis", 6);
            List<ApiRange> apis = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int key = in.readShort("apis[" + i + "].apiKey") & 0xFFFF;
                short min = in.readShort("apis[" + i + "].minVersion");
                short max = in.readShort("apis[" + i + "].maxVersion");
                if (min < 0 || max < min) {
                    throw in.malformed("apis[" + i + "] has versions " + min + " to " + max);
                }
                apis.add(new ApiRange(key, min, max));
            }
            return new Versions(correlationId, broker, apis);
        }
    }
}

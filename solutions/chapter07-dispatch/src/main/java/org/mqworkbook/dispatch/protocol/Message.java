package org.mqworkbook.dispatch.protocol;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.routing.HeaderValue;
import org.mqworkbook.dispatch.topic.PartitionOffset;
import org.mqworkbook.inmemory.protocol.FieldReader;
import org.mqworkbook.inmemory.protocol.Frame;
import org.mqworkbook.inmemory.protocol.FrameHeader;
import org.mqworkbook.inmemory.protocol.Opcode;
import org.mqworkbook.inmemory.protocol.Protocol;
import org.mqworkbook.inmemory.protocol.ProtocolException;
import org.mqworkbook.inmemory.protocol.WireFrame;
import org.mqworkbook.storage.Record;

/**
 * Chapter 7's wire protocol: one record per frame type, on chapter 5's protocol grown by new API keys.
 * The framing is chapter 5's — an int32 length prefix, the header of {@link FrameHeader} (API key,
 * version, correlation id), then the fields — and so are the field types ({@code string}: uint16 length
 * + UTF-8; {@code bytes}: int32 length + bytes, {@code -1} for null where a field may be null) and the
 * decoder. The keys are chapter 7's block, {@code 0x0021} on, so that a chapter 5 client that connects
 * here by mistake gets {@code UNKNOWN_COMMAND} rather than a misread frame, and
 * {@link Frame.ApiVersions} ({@code 0x0000}) lists them.
 *
 * <pre>
 *  request                                             answer
 *  0x0021 CreateTopic  topic, partitions:int32         0x8021 Ok(value = partitions)
 *  0x0022 Produce      topic, key:bytes, value:bytes,  0x8022 Produced(partition:int32, offset:int64)
 *                      tag:string ("" = none)                 once the record is on disk
 *  0x0023 Fetch        topic, partition:int32,         0x8023 Records(nextOffset:int64, endOffset:int64,
 *                      offset:int64, maxBytes:int32,          count:int32, records…)
 *                      filter:string (7.5, "*" = all)
 *  0x0024 Join         group, member, count:int32,     0x8024 Assigned(generation:int32, count:int32,
 *                      topics: string…                        (topic, partition:int32)…), once the
 *                                                             group's rebalance completes
 *         v1: + instanceId: string                         v1: + cooperative:bool (the group's protocol)
 *             ("" = a dynamic member)
 *  0x0025 Heartbeat    group, member, generation       0x8021 Ok(value = 0 OK, 1 REBALANCE_NEEDED,
 *                                                             2 UNKNOWN_MEMBER, 3 FENCED)
 *  0x0026 Sync         group, member                   0x8024 Assigned: the member's current assignment
 *  0x0027 Commit       group, member, generation,      0x8021 Ok(value = offset)
 *                      topic, partition:int32, offset:int64
 *  0x0028 Leave        group, member                   0x8021 Ok(value = 0)
 *  0x0029 Committed    group, topic, partition:int32   0x8021 Ok(value = offset, or -1 if none)
 *  0x002A Describe     group                           0x8025 Group(generation:int32, count:int32,
 *                                                             (member, count:int32, (topic, partition)…)…)
 *         v1: the same request, the answer adds           v1: + count:int32, (topic, partition:int32,
 *         the group's lag                                        committed:int64 (-1 none), endOffset:int64)…
 *  0x002B Poll         filter, maxBytes:int32,         0x8026 Polled(count:int32, (topic, partition:int32,
 *                      maxWaitMillis:int32,                   nextOffset:int64, endOffset:int64,
 *                      count:int32, (topic,                   count:int32, records…)…)
 *                      partition:int32, offset:int64)…        as soon as one partition has something, or
 *                                                             empty results after maxWaitMillis (long poll)
 *  0x002C CommitAll    group, member, generation,      0x8021 Ok(value = count): one checkpoint for all
 *                      count:int32, (topic, partition:int32, offset:int64)…
 *  0x002D AddPartitions topic, partitions:int32        0x8021 Ok(value = partitions): grown, never shrunk
 *  0x002E DeclareExchange name, type:string           0x8021 Ok(value = 1 created, 0 already there)
 *                      (direct, fanout, topic, headers)
 *  0x002F Bind         exchange, queue (a topic), key,   0x8021 Ok(value = 0), once the binding is on disk
 *                      count:int32, (name, tag:int16, value)… header arguments (a headers exchange)
 *  0x0030 Publish      exchange, routingKey, key:bytes?, 0x8027 Published(count:int32, (topic,
 *                      value:bytes, count:int32, headers…     partition:int32, offset:int64)…) once
 *                                                             every copy is on disk
 *  0x0031 ListOffsets  topic, partition:int32,         0x8028 OffsetAt(offset:int64, timestamp:int64): the
 *                      timestamp:int64 (-1 latest,            first record at or after the time, its own
 *                      -2 earliest)                           time; -1, -1 if none is that late
 *  0x0000 ApiVersions  (chapter 5's)                   0x8000 Versions: 0x0000 and 0x0021-0x0031
 *  any request                                         0x8004 Error(code:int32, message:string), chapter 5's
 * </pre>
 *
 * <p>A record in {@link Records} is {@code offset:int64, timestamp:int64, key:bytes, value:bytes,
 * headerCount:int32, (key:string, value:bytes)…}, where a key or value may be null (-1) as in chapter 6's
 * log: chapter 6's record without its length and CRC, which protect it on disk; TCP's checksum protects
 * it on the wire.
 *
 * <p>Worked example: {@code Produce(7, "t", key "k", value "hi", no tag)} is 28 bytes:
 * <pre>
 *  00 00 00 18                 length 24 = 8 + 3 + 5 + 6 + 2 (header 8, topic 3, key 5, value 6, tag 2)
 *  00 22                       API key 0x0022 PRODUCE
 *  00 00                       version 0
 *  00 00 00 07                 correlation id 7
 *  00 01 74                    topic "t"
 *  00 00 00 01 6B              key "k"
 *  00 00 00 02 68 69           value "hi"
 *  00 00                       tag "" (none)
 * </pre>
 *
 * <p>Records are immutable apart from the byte arrays they hold, which nobody changes after building
 * a frame.
 */
public sealed interface Message extends WireFrame {
    /**
     * Chapter 7's API keys, in its block of {@link FrameHeader}'s registry: requests {@code 0x0021}-
     * {@code 0x003F}, answers {@code 0x8021}-{@code 0x803F}. Never renumber one: a new command gets a new
     * key, a changed layout a new version. {@link #ERROR} is chapter 5's error key and layout, which every
     * chapter's broker and client share, so that a client of another chapter can read why it was refused.
     */
    enum Api {
        CREATE_TOPIC(0x0021), PRODUCE(0x0022), FETCH(0x0023), JOIN(0x0024), HEARTBEAT(0x0025), SYNC(0x0026),
        COMMIT(0x0027), LEAVE(0x0028), COMMITTED(0x0029), DESCRIBE(0x002A), POLL(0x002B), COMMIT_ALL(0x002C),
        ADD_PARTITIONS(0x002D), DECLARE_EXCHANGE(0x002E), BIND(0x002F), PUBLISH(0x0030), LIST_OFFSETS(0x0031),
        OK(0x8021), PRODUCED(0x8022), RECORDS(0x8023), ASSIGNED(0x8024), GROUP(0x8025), POLLED(0x8026),
        PUBLISHED(0x8027), OFFSET_AT(0x8028),
        ERROR(Opcode.ERROR.code());

        private final int code;
        /** {@link #describe()}, computed once: decoding names every frame with it. */
        private final String description;

        Api(int code) {
            this.code = code;
            this.description = FrameHeader.hex(code) + " " + name();
        }

        /** The API key on the wire. */
        public int code() {
            return code;
        }

        /**
         * The newest layout this chapter reads and writes: 0 for most keys; 1 for {@code Describe} and its
         * answer {@code Group} (the group's lag), {@code Join} (a static member's instance id) and its
         * answer {@code Assigned} (the group's rebalance protocol) — the protocol growing by a version
         * instead of a new key, as Kafka's {@code DescribeGroups} and {@code JoinGroup} did.
         */
        public int maxVersion() {
            return this == DESCRIBE || this == GROUP || this == JOIN || this == ASSIGNED ? 1 : 0;
        }

        /**
         * The oldest layout this chapter reads: 0, except {@code Join}, whose version 0 is refused
         * ({@code UNSUPPORTED_VERSION}). A version 0 client answered {@code REBALANCE_NEEDED} by fetching
         * its new assignment; since groups rebalance at a barrier it must rejoin, and an old client never
         * would — every rebalance would wait out its timeout and then remove it. Kafka retires versions of
         * a request the same way (KIP-896).
         */
        public int minVersion() {
            return this == JOIN ? 1 : 0;
        }

        /** Whether clients send it. */
        public boolean isRequest() {
            return FrameHeader.isRequest(code);
        }

        /** The API key and name, as error messages show them: {@code 0x0022 PRODUCE}. */
        public String describe() {
            return description;
        }

        /** The command with this key, or null. */
        public static Api fromCode(int code) {
            for (Api api : values()) {
                if (api.code == code) {
                    return api;
                }
            }
            return null;
        }
    }

    /** What chapter 7's reader serves, as an unknown key's error message says it. */
    String SERVED = "chapter 7's topics, groups and exchanges (API keys 0x0000 and 0x0021-0x0031)";

    /**
     * Every API key chapter 7's broker reads, with its versions: the answer to {@link Frame.ApiVersions}.
     * {@code ApiVersions} itself is chapter 5's, as every chapter's is.
     */
    static Frame.Versions versions(int correlationId) {
        List<Frame.Versions.ApiRange> apis = new ArrayList<>();
        apis.add(new Frame.Versions.ApiRange(Opcode.API_VERSIONS.code(), 0, 0));
        for (Api api : Api.values()) {
            if (api.isRequest()) {
                apis.add(new Frame.Versions.ApiRange(api.code(), api.minVersion(), api.maxVersion()));
            }
        }
        return new Frame.Versions(correlationId, "chapter 7 dispatch broker", apis);
    }

    /**
     * Chapter 7's {@link org.mqworkbook.inmemory.protocol.FrameReader}: its own frames, version 0, and
     * the two every chapter shares, chapter 5's {@link Frame.ApiVersions} and {@link Frame.Versions}.
     *
     * @throws ProtocolException {@code UNKNOWN_COMMAND} for another chapter's key (a chapter 5 queue
     *                           command, say), {@code UNSUPPORTED_VERSION}, or {@code MALFORMED_FRAME}
     */
    static WireFrame read(FrameHeader header, FieldReader in) {
        if (header.apiKey() == Opcode.API_VERSIONS.code() || header.apiKey() == Opcode.VERSIONS.code()) {
            return Frame.read(header, in);
        }
        Api api = Api.fromCode(header.apiKey());
        if (api == null) {
            throw header.unknown(SERVED);
        }
        header.requireVersion(api.name(), api.minVersion(), api.maxVersion());
        in.nameFrame(api.describe());
        return switch (api) {
            case CREATE_TOPIC -> CreateTopic.read(in);
            case PRODUCE -> Produce.read(in);
            case FETCH -> Fetch.read(in);
            case JOIN -> Join.read(in, header.apiVersion());
            case HEARTBEAT -> Heartbeat.read(in);
            case SYNC -> Sync.read(in);
            case COMMIT -> Commit.read(in);
            case LEAVE -> Leave.read(in);
            case COMMITTED -> Committed.read(in);
            case DESCRIBE -> Describe.read(in, header.apiVersion());
            case POLL -> Poll.read(in);
            case COMMIT_ALL -> CommitAll.read(in);
            case ADD_PARTITIONS -> AddPartitions.read(in);
            case DECLARE_EXCHANGE -> DeclareExchange.read(in);
            case BIND -> Bind.read(in);
            case PUBLISH -> Publish.read(in);
            case LIST_OFFSETS -> ListOffsets.read(in);
            case OFFSET_AT -> OffsetAt.read(in);
            case PUBLISHED -> Published.read(in);
            case POLLED -> Polled.read(in);
            case OK -> Ok.read(in);
            case PRODUCED -> Produced.read(in);
            case RECORDS -> Records.read(in);
            case ASSIGNED -> Assigned.read(in, header.apiVersion());
            case GROUP -> Group.read(in, header.apiVersion());
            case ERROR -> Error.read(in);
        };
    }

    /** Chosen by the client, echoed in the answer. */
    @Override
    int correlationId();

    /** The command. */
    Api api();

    @Override
    default int apiKey() {
        return api().code();
    }

    /** Writes the fields after the header. */
    void writeFields(ByteBuf out);

    @Override
    default void writePayload(ByteBuf out) {
        writeFields(out);
    }

    // ---------------------------------------------------------------------------------------------
    // Requests
    // ---------------------------------------------------------------------------------------------

    /** Creates a topic, or confirms it exists with this many partitions. */
    record CreateTopic(int correlationId, String topic, int partitions) implements Message {
        @Override
        public Api api() {
            return Api.CREATE_TOPIC;
        }

        @Override
        public void writeFields(ByteBuf out) {
            Protocol.writeString(out, topic);
            out.writeInt(partitions);
        }

        static CreateTopic read(FieldReader in) {
            return new CreateTopic(in.correlationId(), in.readString("topic"), in.readInt("partitions"));
        }
    }

    /**
     * Grows a topic to {@code partitions} partitions (Kafka's {@code CreatePartitions}); never shrinks
     * one. Answered by {@link Ok} with the count; groups that read the topic rebalance.
     */
    record AddPartitions(int correlationId, String topic, int partitions) implements Message {
        @Override
        public Api api() {
            return Api.ADD_PARTITIONS;
        }

        @Override
        public void writeFields(ByteBuf out) {
            Protocol.writeString(out, topic);
            out.writeInt(partitions);
        }

        static AddPartitions read(FieldReader in) {
            return new AddPartitions(in.correlationId(), in.readString("topic"), in.readInt("partitions"));
        }
    }

    /** Appends a record; answered once it is durable. A null key goes round-robin; "" tag is none. */
    record Produce(int correlationId, String topic, byte[] key, byte[] value, String tag) implements Message {
        /** Checks the non-null fields. */
        public Produce {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(tag, "tag");
        }

        @Override
        public Api api() {
            return Api.PRODUCE;
        }

        @Override
        public void writeFields(ByteBuf out) {
            Protocol.writeString(out, topic);
            Protocol.writeNullableBytes(out, key);
            Protocol.writeBytes(out, value);
            Protocol.writeString(out, tag);
        }

        static Produce read(FieldReader in) {
            return new Produce(in.correlationId(), in.readString("topic"), in.readNullableBytes("key"),
                in.readBytes("value"),
                in.readString("tag"));
        }
    }

    /** Reads a partition from an offset, through a tag filter expression (exercise 7.5). */
    record Fetch(int correlationId, String topic, int partition, long offset, int maxBytes, String filter)
        implements Message {
        @Override
        public Api api() {
            return Api.FETCH;
        }

        @Override
        public void writeFields(ByteBuf out) {
            Protocol.writeString(out, topic);
            out.writeInt(partition);
            out.writeLong(offset);
            out.writeInt(maxBytes);
            Protocol.writeString(out, filter);
        }

        static Fetch read(FieldReader in) {
            return new Fetch(in.correlationId(), in.readString("topic"), in.readInt("partition"), in.readLong("offset"),
                in.readInt("maxBytes"), in.readString("filter"));
        }
    }

    /**
     * Joins (or rejoins) a group for some topics; answered with the member's assignment once the group's
     * rebalance completes. Version 1 adds the instance id of a static member ({@code ""}: a dynamic member)
     * and asks for an answer that says the group's rebalance protocol; a version 0 join (what a client
     * that predates them sends) gets neither.
     */
    record Join(int correlationId, String group, String member, List<String> topics, String instanceId,
                int version) implements Message {
        /** A dynamic member's join, version 0. */
        public Join(int correlationId, String group, String member, List<String> topics) {
            this(correlationId, group, member, topics, "", 0);
        }

        /** A version 1 join: {@code instanceId} is {@code ""} for a dynamic member. */
        public Join(int correlationId, String group, String member, List<String> topics, String instanceId) {
            this(correlationId, group, member, topics, instanceId, 1);
        }

        /** Copies the list; checks the version. */
        public Join {
            topics = List.copyOf(topics);
            Objects.requireNonNull(instanceId, "instanceId");
            if (version < 0 || version > 1 || version == 0 && !instanceId.isEmpty()) {
                throw new IllegalArgumentException("Join has versions 0 and 1 (which adds the instance id), not "
                    + version + " with instance id '" + instanceId + "'");
            }
        }

        @Override
        public Api api() {
            return Api.JOIN;
        }

        @Override
        public int apiVersion() {
            return version;
        }

        @Override
        public void writeFields(ByteBuf out) {
            Protocol.writeString(out, group);
            Protocol.writeString(out, member);
            out.writeInt(topics.size());
            for (String topic : topics) {
                Protocol.writeString(out, topic);
            }
            if (version >= 1) {
                Protocol.writeString(out, instanceId);
            }
        }

        static Join read(FieldReader in, int version) {
            int correlationId = in.correlationId();
            String group = in.readString("group");
            String member = in.readString("member");
            int count = in.readCount("topics", 2);
            List<String> topics = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                topics.add(in.readString("topics[" + i + "]"));
            }
            String instanceId = version >= 1 ? in.readString("instanceId") : "";
            return new Join(correlationId, group, member, topics, instanceId, version);
        }
    }

    /** Declares a RabbitMQ-style exchange: direct, fanout, topic or headers. */
    record DeclareExchange(int correlationId, String name, String type) implements Message {
        /** Checks for nulls. */
        public DeclareExchange {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
        }

        @Override
        public Api api() {
            return Api.DECLARE_EXCHANGE;
        }

        @Override
        public void writeFields(ByteBuf out) {
            Protocol.writeString(out, name);
            Protocol.writeString(out, type);
        }

        static DeclareExchange read(FieldReader in) {
            return new DeclareExchange(in.correlationId(), in.readString("name"), in.readString("type"));
        }
    }

    /**
     * Binds a queue (a topic) to an exchange: with {@code key} for a direct, fanout or topic exchange, with
     * {@code arguments} for a headers exchange.
     */
    record Bind(int correlationId, String exchange, String queue, String key, Map<String, HeaderValue> arguments)
        implements Message {
        /** Copies the map. */
        public Bind {
            Objects.requireNonNull(exchange, "exchange");
            Objects.requireNonNull(queue, "queue");
            Objects.requireNonNull(key, "key");
            arguments = Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
        }

        @Override
        public Api api() {
            return Api.BIND;
        }

        @Override
        public void writeFields(ByteBuf out) {
            Protocol.writeString(out, exchange);
            Protocol.writeString(out, queue);
            Protocol.writeString(out, key);
            Fields.writeHeaderValues(out, arguments);
        }

        static Bind read(FieldReader in) {
            return new Bind(in.correlationId(), in.readString("exchange"), in.readString("queue"), in.readString("key"),
                Fields.headerValues(in, "arguments"));
        }
    }

    /** Publishes a record to an exchange, which routes a copy to every matching queue. */
    record Publish(int correlationId, String exchange, String routingKey, byte[] key, byte[] value,
                   Map<String, HeaderValue> headers) implements Message {
        /** Copies the map. */
        public Publish {
            Objects.requireNonNull(exchange, "exchange");
            Objects.requireNonNull(routingKey, "routingKey");
            Objects.requireNonNull(value, "value");
            headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        }

        @Override
        public Api api() {
            return Api.PUBLISH;
        }

        @Override
        public void writeFields(ByteBuf out) {
            Protocol.writeString(out, exchange);
            Protocol.writeString(out, routingKey);
            Protocol.writeNullableBytes(out, key);
            Protocol.writeBytes(out, value);
            Fields.writeHeaderValues(out, headers);
        }

        static Publish read(FieldReader in) {
            return new Publish(in.correlationId(), in.readString("exchange"), in.readString("routingKey"),
                in.readNullableBytes("key"), in.readBytes("value"), Fields.headerValues(in, "headers"));
        }
    }

    /** Where a published record went: one entry per queue, empty if no binding matched. */
    record Published(int correlationId, List<PartitionOffset> copies) implements Message {
        /** Copies the list. */
        public Published {
            copies = List.copyOf(copies);
        }

        @Override
        public Api api() {
            return Api.PUBLISHED;
        }

        @Override
        public void writeFields(ByteBuf out) {
            Fields.writeOffsets(out, copies);
        }

        static Published read(FieldReader in) {
            return new Published(in.correlationId(), Fields.offsets(in, "copies"));
        }
    }

    /** Keeps the member's session alive; the answer says whether it must fetch a new assignment. */
    record Heartbeat(int correlationId, String group, String member, int generation) implements Message {
        @Override
        public Api api() {
            return Api.HEARTBEAT;
        }

        @Override
        public void writeFields(ByteBuf out) {
            Protocol.writeString(out, group);
            Protocol.writeString(out, member);
            out.writeInt(generation);
        }

        static Heartbeat read(FieldReader in) {
            return new Heartbeat(in.correlationId(), in.readString("group"), in.readString("member"),
                in.readInt("generation"));
        }
    }

    /** Asks for the member's current assignment (after a heartbeat answered REBALANCE_NEEDED). */
    record Sync(int correlationId, String group, String member) implements Message {
        @Override
        public Api api() {
            return Api.SYNC;
        }

        @Override
        public void writeFields(ByteBuf out) {
            Protocol.writeString(out, group);
            Protocol.writeString(out, member);
        }

        static Sync read(FieldReader in) {
            return new Sync(in.correlationId(), in.readString("group"), in.readString("member"));
        }
    }

    /** Commits the group's next offset for a partition, fenced by generation and ownership. */
    record Commit(int correlationId, String group, String member, int generation, String topic, int partition,
                  long offset) implements Message {
        @Override
        public Api api() {
            return Api.COMMIT;
        }

        @Override
        public void writeFields(ByteBuf out) {
            Protocol.writeString(out, group);
            Protocol.writeString(out, member);
            out.writeInt(generation);
            Protocol.writeString(out, topic);
            out.writeInt(partition);
            out.writeLong(offset);
        }

        static Commit read(FieldReader in) {
            return new Commit(in.correlationId(), in.readString("group"), in.readString("member"),
                in.readInt("generation"),
                in.readString("topic"), in.readInt("partition"), in.readLong("offset"));
        }
    }

    /** Commits several partitions of one member at once (one checkpoint), each fenced like {@link Commit}. */
    record CommitAll(int correlationId, String group, String member, int generation, List<PartitionOffset> offsets)
        implements Message {
        /** Copies the list. */
        public CommitAll {
            offsets = List.copyOf(offsets);
        }

        @Override
        public Api api() {
            return Api.COMMIT_ALL;
        }

        @Override
        public void writeFields(ByteBuf out) {
            Protocol.writeString(out, group);
            Protocol.writeString(out, member);
            out.writeInt(generation);
            Fields.writeOffsets(out, offsets);
        }

        static CommitAll read(FieldReader in) {
            return new CommitAll(in.correlationId(), in.readString("group"), in.readString("member"),
                in.readInt("generation"),
                Fields.offsets(in, "offsets"));
        }
    }

    /** Leaves the group; its partitions go to the others at once. */
    record Leave(int correlationId, String group, String member) implements Message {
        @Override
        public Api api() {
            return Api.LEAVE;
        }

        @Override
        public void writeFields(ByteBuf out) {
            Protocol.writeString(out, group);
            Protocol.writeString(out, member);
        }

        static Leave read(FieldReader in) {
            return new Leave(in.correlationId(), in.readString("group"), in.readString("member"));
        }
    }

    /** Asks for the group's committed offset of a partition. */
    record Committed(int correlationId, String group, String topic, int partition) implements Message {
        @Override
        public Api api() {
            return Api.COMMITTED;
        }

        @Override
        public void writeFields(ByteBuf out) {
            Protocol.writeString(out, group);
            Protocol.writeString(out, topic);
            out.writeInt(partition);
        }

        static Committed read(FieldReader in) {
            return new Committed(in.correlationId(), in.readString("group"), in.readString("topic"),
                in.readInt("partition"));
        }
    }

    /**
     * Asks where a partition's log reaches a time: the first record whose timestamp is at or after
     * {@code timestamp}, or {@link org.mqworkbook.dispatch.topic.Topic#LATEST} or
     * {@link org.mqworkbook.dispatch.topic.Topic#EARLIEST} (Kafka's {@code ListOffsets}, with its two special
     * times).
     */
    record ListOffsets(int correlationId, String topic, int partition, long timestamp) implements Message {
        @Override
        public Api api() {
            return Api.LIST_OFFSETS;
        }

        @Override
        public void writeFields(ByteBuf out) {
            Protocol.writeString(out, topic);
            out.writeInt(partition);
            out.writeLong(timestamp);
        }

        static ListOffsets read(FieldReader in) {
            return new ListOffsets(in.correlationId(), in.readString("topic"), in.readInt("partition"),
                in.readLong("timestamp"));
        }
    }

    /** Asks who is in a group and what each member owns. */
    record Describe(int correlationId, String group, int version) implements Message {
        /** Version 0: members and their partitions. Version 1 asks for the group's lag too. */
        public Describe(int correlationId, String group) {
            this(correlationId, group, 0);
        }

        /** Checks the version. */
        public Describe {
            if (version < 0 || version > 1) {
                throw new IllegalArgumentException("Describe has versions 0 and 1, not " + version);
            }
        }

        @Override
        public Api api() {
            return Api.DESCRIBE;
        }

        @Override
        public int apiVersion() {
            return version;
        }

        @Override
        public void writeFields(ByteBuf out) {
            Protocol.writeString(out, group); // the same fields in both versions: v1 changes the answer
        }

        static Describe read(FieldReader in, int version) {
            return new Describe(in.correlationId(), in.readString("group"), version);
        }
    }

    /**
     * Fetches several partitions at once and, when none has anything new, waits up to
     * {@code maxWaitMillis} for a record to arrive in any of them: a long poll, what Kafka's fetch does
     * with {@code fetch.max.wait.ms}. An idle consumer then costs the broker one parked request, not a
     * request every few milliseconds.
     */
    record Poll(int correlationId, String filter, int maxBytes, int maxWaitMillis, List<PartitionOffset> positions)
        implements Message {
        /** Copies the list. */
        public Poll {
            positions = List.copyOf(positions);
        }

        @Override
        public Api api() {
            return Api.POLL;
        }

        @Override
        public void writeFields(ByteBuf out) {
            Protocol.writeString(out, filter);
            out.writeInt(maxBytes);
            out.writeInt(maxWaitMillis);
            Fields.writeOffsets(out, positions);
        }

        static Poll read(FieldReader in) {
            int correlationId = in.correlationId();
            String filter = in.readString("filter");
            int maxBytes = in.readInt("maxBytes");
            int maxWait = in.readInt("maxWaitMillis");
            return new Poll(correlationId, filter, maxBytes, maxWait, Fields.offsets(in, "positions"));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Answers
    // ---------------------------------------------------------------------------------------------

    /** A request succeeded; {@code value} is what the request's row in the table says. */
    record Ok(int correlationId, long value) implements Message {
        @Override
        public Api api() {
            return Api.OK;
        }

        @Override
        public void writeFields(ByteBuf out) {
            out.writeLong(value);
        }

        static Ok read(FieldReader in) {
            return new Ok(in.correlationId(), in.readLong("value"));
        }
    }

    /**
     * The answer to {@link ListOffsets}: the offset, and the timestamp of the record there ({@code -1} for the
     * latest and earliest offsets, which name no record); both {@code -1} if no record is that late, as Kafka
     * answers.
     */
    record OffsetAt(int correlationId, long offset, long timestamp) implements Message {
        @Override
        public Api api() {
            return Api.OFFSET_AT;
        }

        @Override
        public void writeFields(ByteBuf out) {
            out.writeLong(offset);
            out.writeLong(timestamp);
        }

        static OffsetAt read(FieldReader in) {
            return new OffsetAt(in.correlationId(), in.readLong("offset"), in.readLong("timestamp"));
        }
    }

    /** A produced record is on disk at this partition and offset. */
    record Produced(int correlationId, int partition, long offset) implements Message {
        @Override
        public Api api() {
            return Api.PRODUCED;
        }

        @Override
        public void writeFields(ByteBuf out) {
            out.writeInt(partition);
            out.writeLong(offset);
        }

        static Produced read(FieldReader in) {
            return new Produced(in.correlationId(), in.readInt("partition"), in.readLong("offset"));
        }
    }

    /** The records a fetch delivered, where to fetch next and the partition's end offset. */
    record Records(int correlationId, long nextOffset, long endOffset, List<Record> records) implements Message {
        /** Copies the list. */
        public Records {
            records = List.copyOf(records);
        }

        @Override
        public Api api() {
            return Api.RECORDS;
        }

        @Override
        public void writeFields(ByteBuf out) {
            out.writeLong(nextOffset);
            out.writeLong(endOffset);
            Fields.writeRecords(out, records);
        }

        static Records read(FieldReader in) {
            int correlationId = in.correlationId();
            long next = in.readLong("nextOffset");
            long end = in.readLong("endOffset");
            return new Records(correlationId, next, end, Fields.records(in, "records"));
        }
    }

    /** A member's generation and partitions. */
    record Assigned(int correlationId, int generation, List<TopicPartition> partitions, int protocol, int version)
        implements Message {
        /** The protocol value of an eager group. */
        public static final int EAGER = 0;
        /** The protocol value of a cooperative group. */
        public static final int COOPERATIVE = 1;

        /** A version 0 answer (to a Sync, or to a version 0 Join): no protocol on the wire. */
        public Assigned(int correlationId, int generation, List<TopicPartition> partitions) {
            this(correlationId, generation, partitions, EAGER, 0);
        }

        /** Copies the list; checks the version and the protocol. */
        public Assigned {
            partitions = List.copyOf(partitions);
            if (version < 0 || version > 1 || protocol != EAGER && protocol != COOPERATIVE
                || version == 0 && protocol != EAGER) {
                throw new IllegalArgumentException("Assigned has versions 0 and 1 and protocols 0 and 1 (version 1 "
                    + "only for cooperative), not version " + version + " protocol " + protocol);
            }
        }

        @Override
        public Api api() {
            return Api.ASSIGNED;
        }

        @Override
        public int apiVersion() {
            return version;
        }

        @Override
        public void writeFields(ByteBuf out) {
            out.writeInt(generation);
            Fields.writePartitions(out, partitions);
            if (version >= 1) {
                out.writeBoolean(protocol == COOPERATIVE);
            }
        }

        static Assigned read(FieldReader in, int version) {
            int correlationId = in.correlationId();
            int generation = in.readInt("generation");
            List<TopicPartition> partitions = Fields.partitions(in, "partitions");
            int protocol = version >= 1 && in.readBoolean("cooperative") ? COOPERATIVE : EAGER;
            return new Assigned(correlationId, generation, partitions, protocol, version);
        }
    }

    /** A group's generation, and each member with its partitions, in member order. */
    record Group(int correlationId, int generation, List<Member> members, List<Lag> lags, int version)
        implements Message {
        /** One member and what it owns. */
        public record Member(String id, List<TopicPartition> partitions) {
            /** Copies the list. */
            public Member {
                partitions = List.copyOf(partitions);
            }
        }

        /**
         * Version 1: the group's lag on one partition. {@code committed} is -1 when the group never committed
         * there; the lag is then unknown.
         */
        public record Lag(TopicPartition partition, long committed, long endOffset) {
            /** {@code endOffset - committed}, or -1 when nothing was committed. */
            public long lag() {
                return committed < 0 ? -1 : Math.max(0, endOffset - committed);
            }
        }

        /** The version 0 answer: members only. */
        public Group(int correlationId, int generation, List<Member> members) {
            this(correlationId, generation, members, List.of(), 0);
        }

        /** Copies the lists; a version 0 answer carries no lags. */
        public Group {
            members = List.copyOf(members);
            lags = List.copyOf(lags);
            if (version < 0 || version > 1 || (version == 0 && !lags.isEmpty())) {
                throw new IllegalArgumentException("Group version " + version + " cannot carry " + lags.size()
                    + " lags (version 1 does, version 0 does not)");
            }
        }

        @Override
        public Api api() {
            return Api.GROUP;
        }

        @Override
        public int apiVersion() {
            return version;
        }

        @Override
        public void writeFields(ByteBuf out) {
            out.writeInt(generation);
            out.writeInt(members.size());
            for (Member member : members) {
                Protocol.writeString(out, member.id());
                Fields.writePartitions(out, member.partitions());
            }
            if (version >= 1) {
                out.writeInt(lags.size());
                for (Lag lag : lags) {
                    Protocol.writeString(out, lag.partition().topic());
                    out.writeInt(lag.partition().partition());
                    out.writeLong(lag.committed());
                    out.writeLong(lag.endOffset());
                }
            }
        }

        static Group read(FieldReader in, int version) {
            int correlationId = in.correlationId();
            int generation = in.readInt("generation");
            int count = in.readCount("members", 2 + 4);
            List<Member> members = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String field = "members[" + i + "]";
                members.add(new Member(in.readString(field + ".id"), Fields.partitions(in, field + ".partitions")));
            }
            List<Lag> lags = new ArrayList<>();
            if (version >= 1) {
                int lagCount = in.readCount("lags", 2 + 4 + 8 + 8);
                for (int i = 0; i < lagCount; i++) {
                    String field = "lags[" + i + "]";
                    String topic = in.readString(field + ".topic");
                    int partition = in.readInt(field + ".partition");
                    if (partition < 0) {
                        throw in.malformed("field '" + field + ".partition' is negative: " + partition);
                    }
                    lags.add(new Lag(new TopicPartition(topic, partition), in.readLong(field + ".committed"),
                        in.readLong(field + ".endOffset")));
                }
            }
            return new Group(correlationId, generation, members, lags, version);
        }
    }

    /** What a {@link Poll} found: one result per partition asked for, in the same order. */
    record Polled(int correlationId, List<Result> results) implements Message {
        /** One partition's records, where to read next, and its end offset. */
        public record Result(TopicPartition partition, long nextOffset, long endOffset, List<Record> records) {
            /** Copies the list. */
            public Result {
                records = List.copyOf(records);
            }
        }

        /** Copies the list. */
        public Polled {
            results = List.copyOf(results);
        }

        @Override
        public Api api() {
            return Api.POLLED;
        }

        @Override
        public void writeFields(ByteBuf out) {
            out.writeInt(results.size());
            for (Result result : results) {
                Protocol.writeString(out, result.partition().topic());
                out.writeInt(result.partition().partition());
                out.writeLong(result.nextOffset());
                out.writeLong(result.endOffset());
                Fields.writeRecords(out, result.records());
            }
        }

        static Polled read(FieldReader in) {
            int correlationId = in.correlationId();
            int count = in.readCount("results", 2 + 4 + 8 + 8 + 4);
            List<Result> results = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String field = "results[" + i + "]";
                String topic = in.readString(field + ".topic");
                int partition = in.readInt(field + ".partition");
                if (partition < 0) {
                    throw in.malformed("field '" + field + ".partition' is negative: " + partition);
                }
                long next = in.readLong(field + ".nextOffset");
                long end = in.readLong(field + ".endOffset");
                results.add(new Result(new TopicPartition(topic, partition), next, end,
                    Fields.records(in, field + ".records")));
            }
            return new Polled(correlationId, results);
        }
    }

    /** A request failed; the message says why, naming what was wrong. */
    record Error(int correlationId, ErrorKind kind, String message) implements Message {
        /** Checks the fields. */
        public Error {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public Api api() {
            return Api.ERROR;
        }

        @Override
        public void writeFields(ByteBuf out) {
            out.writeInt(kind.code());
            // An error message is for people: cut it rather than fail to report the error at all.
            Protocol.writeString(out, message.length() > 4000 ? message.substring(0, 4000) + "..." : message);
        }

        static Error read(FieldReader in) {
            return new Error(in.correlationId(), ErrorKind.fromCode(in.readInt("code")), in.readString("message"));
        }
    }
}

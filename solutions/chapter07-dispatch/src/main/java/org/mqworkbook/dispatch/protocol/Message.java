package org.mqworkbook.dispatch.protocol;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.topic.PartitionOffset;
import org.mqworkbook.inmemory.protocol.Protocol;
import org.mqworkbook.storage.Record;

/**
 * Chapter 7's wire protocol: one record per frame type. The framing is chapter 5's — an int32 length
 * prefix, an int8 command number, an int32 correlation id, then the fields — and so are the field types
 * ({@code string}: uint16 length + UTF-8; {@code bytes}: int32 length + bytes, here {@code -1} for null).
 * The command numbers start at {@code 0x21}, so that a chapter 5 client that connects here by mistake
 * gets {@code UNKNOWN_COMMAND} rather than a misread frame.
 *
 * <pre>
 *  request                                           answer
 *  0x21 CreateTopic  topic, partitions:int32         0xA1 Ok(value = partitions)
 *  0x22 Produce      topic, key:bytes, value:bytes,  0xA2 Produced(partition:int32, offset:int64)
 *                    tag:string ("" = none)               once the record is on disk
 *  0x23 Fetch        topic, partition:int32,         0xA3 Records(nextOffset:int64, endOffset:int64,
 *                    offset:int64, maxBytes:int32,             count:int32, records…)
 *                    filter:string (7.5, "*" = all)
 *  0x24 Join         group, member, count:int32,     0xA4 Assigned(generation:int32, count:int32,
 *                    topics: string…                           (topic, partition:int32)…)
 *  0x25 Heartbeat    group, member, generation       0xA1 Ok(value = 0 OK, 1 REBALANCE_NEEDED,
 *                                                                2 UNKNOWN_MEMBER)
 *  0x26 Sync         group, member                   0xA4 Assigned: the member's current assignment
 *  0x27 Commit       group, member, generation,      0xA1 Ok(value = offset)
 *                    topic, partition:int32, offset:int64
 *  0x28 Leave        group, member                   0xA1 Ok(value = 0)
 *  0x29 Committed    group, topic, partition:int32   0xA1 Ok(value = offset, or -1 if none)
 *  0x2A Describe     group                           0xA5 Group(generation:int32, count:int32,
 *                                                           (member, count:int32, (topic, partition)…)…)
 *  0x2B Poll         filter, maxBytes:int32,         0xA6 Polled(count:int32, (topic, partition:int32,
 *                    maxWaitMillis:int32, count:int32,          nextOffset:int64, endOffset:int64,
 *                    (topic, partition:int32,                   count:int32, records…)…)
 *                    offset:int64)…                       as soon as one partition has something, or
 *                                                         empty results after maxWaitMillis (long poll)
 *  0x2C CommitAll    group, member, generation,      0xA1 Ok(value = count): one checkpoint for all
 *                    count:int32, (topic, partition:int32, offset:int64)…
 *  any request                                       0xFF Error(code:int32, message:string)
 * </pre>
 *
 * <p>A record in {@link Records} is {@code offset:int64, timestamp:int64, key:bytes, value:bytes,
 * headerCount:int32, (key:string, value:bytes)…}, where a value may be null (-1) as in chapter 6's log — chapter 6's record without its length and CRC,
 * which protect it on disk; TCP's checksum protects it on the wire.
 *
 * <p>Worked example: {@code Produce(7, "t", key "k", value "hi", no tag)} is 25 bytes:
 * <pre>
 *  00 00 00 15                 length 21 = 5 + 3 + 5 + 6 + 2 (header 5, topic 3, key 5, value 6, tag 2)
 *  22                          PRODUCE
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
public sealed interface Message {
    /** Command numbers. Never renumber one: a new command gets a new number. */
    enum Api {
        CREATE_TOPIC(0x21), PRODUCE(0x22), FETCH(0x23), JOIN(0x24), HEARTBEAT(0x25), SYNC(0x26), COMMIT(0x27),
        LEAVE(0x28), COMMITTED(0x29), DESCRIBE(0x2A), POLL(0x2B), COMMIT_ALL(0x2C),
        OK(0xA1), PRODUCED(0xA2), RECORDS(0xA3), ASSIGNED(0xA4), GROUP(0xA5), POLLED(0xA6), ERROR(0xFF);

        private final int code;

        Api(int code) {
            this.code = code;
        }

        /** The byte on the wire. */
        public int code() {
            return code;
        }

        /** Whether clients send it. */
        public boolean isRequest() {
            return code < 0x80;
        }

        /** The command with this number, or null. */
        public static Api fromCode(int code) {
            for (Api api : values()) {
                if (api.code == code) {
                    return api;
                }
            }
            return null;
        }
    }

    /** Chosen by the client, echoed in the answer. */
    int correlationId();

    /** The command number. */
    Api api();

    /** Writes the fields after the correlation id. */
    void writeFields(ByteBuf out);

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

        static CreateTopic read(Fields in) {
            return new CreateTopic(in.correlationId(), in.string("topic"), in.int32("partitions"));
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
            Fields.writeNullableBytes(out, key);
            Protocol.writeBytes(out, value);
            Protocol.writeString(out, tag);
        }

        static Produce read(Fields in) {
            return new Produce(in.correlationId(), in.string("topic"), in.nullableBytes("key"), in.bytes("value"),
                in.string("tag"));
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

        static Fetch read(Fields in) {
            return new Fetch(in.correlationId(), in.string("topic"), in.int32("partition"), in.int64("offset"),
                in.int32("maxBytes"), in.string("filter"));
        }
    }

    /** Joins (or rejoins) a group for some topics; answered with the member's assignment. */
    record Join(int correlationId, String group, String member, List<String> topics) implements Message {
        /** Copies the list. */
        public Join {
            topics = List.copyOf(topics);
        }

        @Override
        public Api api() {
            return Api.JOIN;
        }

        @Override
        public void writeFields(ByteBuf out) {
            Protocol.writeString(out, group);
            Protocol.writeString(out, member);
            out.writeInt(topics.size());
            for (String topic : topics) {
                Protocol.writeString(out, topic);
            }
        }

        static Join read(Fields in) {
            int correlationId = in.correlationId();
            String group = in.string("group");
            String member = in.string("member");
            int count = in.count("topics", 2);
            List<String> topics = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                topics.add(in.string("topics[" + i + "]"));
            }
            return new Join(correlationId, group, member, topics);
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

        static Heartbeat read(Fields in) {
            return new Heartbeat(in.correlationId(), in.string("group"), in.string("member"), in.int32("generation"));
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

        static Sync read(Fields in) {
            return new Sync(in.correlationId(), in.string("group"), in.string("member"));
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

        static Commit read(Fields in) {
            return new Commit(in.correlationId(), in.string("group"), in.string("member"), in.int32("generation"),
                in.string("topic"), in.int32("partition"), in.int64("offset"));
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
            Fields.writePositions(out, offsets);
        }

        static CommitAll read(Fields in) {
            return new CommitAll(in.correlationId(), in.string("group"), in.string("member"), in.int32("generation"),
                in.positions("offsets"));
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

        static Leave read(Fields in) {
            return new Leave(in.correlationId(), in.string("group"), in.string("member"));
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

        static Committed read(Fields in) {
            return new Committed(in.correlationId(), in.string("group"), in.string("topic"), in.int32("partition"));
        }
    }

    /** Asks who is in a group and what each member owns. */
    record Describe(int correlationId, String group) implements Message {
        @Override
        public Api api() {
            return Api.DESCRIBE;
        }

        @Override
        public void writeFields(ByteBuf out) {
            Protocol.writeString(out, group);
        }

        static Describe read(Fields in) {
            return new Describe(in.correlationId(), in.string("group"));
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
            Fields.writePositions(out, positions);
        }

        static Poll read(Fields in) {
            int correlationId = in.correlationId();
            String filter = in.string("filter");
            int maxBytes = in.int32("maxBytes");
            int maxWait = in.int32("maxWaitMillis");
            return new Poll(correlationId, filter, maxBytes, maxWait, in.positions("positions"));
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

        static Ok read(Fields in) {
            return new Ok(in.correlationId(), in.int64("value"));
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

        static Produced read(Fields in) {
            return new Produced(in.correlationId(), in.int32("partition"), in.int64("offset"));
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

        static Records read(Fields in) {
            int correlationId = in.correlationId();
            long next = in.int64("nextOffset");
            long end = in.int64("endOffset");
            return new Records(correlationId, next, end, in.records("records"));
        }
    }

    /** A member's generation and partitions. */
    record Assigned(int correlationId, int generation, List<TopicPartition> partitions) implements Message {
        /** Copies the list. */
        public Assigned {
            partitions = List.copyOf(partitions);
        }

        @Override
        public Api api() {
            return Api.ASSIGNED;
        }

        @Override
        public void writeFields(ByteBuf out) {
            out.writeInt(generation);
            Fields.writePartitions(out, partitions);
        }

        static Assigned read(Fields in) {
            return new Assigned(in.correlationId(), in.int32("generation"), in.partitions("partitions"));
        }
    }

    /** A group's generation, and each member with its partitions, in member order. */
    record Group(int correlationId, int generation, List<Member> members) implements Message {
        /** One member and what it owns. */
        public record Member(String id, List<TopicPartition> partitions) {
            /** Copies the list. */
            public Member {
                partitions = List.copyOf(partitions);
            }
        }

        /** Copies the list. */
        public Group {
            members = List.copyOf(members);
        }

        @Override
        public Api api() {
            return Api.GROUP;
        }

        @Override
        public void writeFields(ByteBuf out) {
            out.writeInt(generation);
            out.writeInt(members.size());
            for (Member member : members) {
                Protocol.writeString(out, member.id());
                Fields.writePartitions(out, member.partitions());
            }
        }

        static Group read(Fields in) {
            int correlationId = in.correlationId();
            int generation = in.int32("generation");
            int count = in.count("members", 2 + 4);
            List<Member> members = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String field = "members[" + i + "]";
                members.add(new Member(in.string(field + ".id"), in.partitions(field + ".partitions")));
            }
            return new Group(correlationId, generation, members);
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

        static Polled read(Fields in) {
            int correlationId = in.correlationId();
            int count = in.count("results", 2 + 4 + 8 + 8 + 4);
            List<Result> results = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String field = "results[" + i + "]";
                String topic = in.string(field + ".topic");
                int partition = in.int32(field + ".partition");
                if (partition < 0) {
                    throw in.malformed("field '" + field + ".partition' is negative: " + partition);
                }
                long next = in.int64(field + ".nextOffset");
                long end = in.int64(field + ".endOffset");
                results.add(new Result(new TopicPartition(topic, partition), next, end,
                    in.records(field + ".records")));
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

        static Error read(Fields in) {
            return new Error(in.correlationId(), ErrorKind.fromCode(in.int32("code")), in.string("message"));
        }
    }
}

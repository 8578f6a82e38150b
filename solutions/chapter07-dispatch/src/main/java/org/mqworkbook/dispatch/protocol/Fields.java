package org.mqworkbook.dispatch.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.topic.PartitionOffset;
import org.mqworkbook.storage.Header;
import org.mqworkbook.storage.Record;
import org.mqworkbook.inmemory.protocol.Protocol;

/**
 * Reads one frame's fields, checking every length and count against the bytes actually left before it
 * reads or allocates: a count of two billion records in a 50-byte frame is refused, not believed. Not
 * thread safe: one per frame, on the event loop. Every problem is a {@link ProtocolError} that names the
 * command, the correlation id and the field.
 */
final class Fields {
    private final Message.Api api;
    private final int correlationId;
    private final ByteBuf in;

    Fields(Message.Api api, int correlationId, ByteBuf in) {
        this.api = api;
        this.correlationId = correlationId;
        this.in = in;
    }

    int correlationId() {
        return correlationId;
    }

    int int32(String field) {
        require(field, 4);
        return in.readInt();
    }

    long int64(String field) {
        require(field, 8);
        return in.readLong();
    }

    String string(String field) {
        require(field, 2);
        int length = in.readUnsignedShort();
        require(field, length);
        if (!ByteBufUtil.isText(in, in.readerIndex(), length, StandardCharsets.UTF_8)) {
            throw malformed("field '" + field + "' is not valid UTF-8");
        }
        String value = in.toString(in.readerIndex(), length, StandardCharsets.UTF_8);
        in.skipBytes(length);
        return value;
    }

    byte[] bytes(String field) {
        byte[] value = nullableBytes(field);
        if (value == null) {
            throw malformed("field '" + field + "' may not be null (length -1)");
        }
        return value;
    }

    byte[] nullableBytes(String field) {
        int length = int32(field);
        if (length == -1) {
            return null;
        }
        if (length < 0) {
            throw malformed("field '" + field + "' has a negative length: " + length);
        }
        require(field, length); // before allocating: the length is the peer's claim, not a fact
        byte[] value = new byte[length];
        in.readBytes(value);
        return value;
    }

    /**
     * Reads a count of items each at least {@code minItemBytes} long, refusing a count the frame's
     * remaining bytes cannot hold, so that no list is sized from a number the peer made up.
     */
    int count(String field, int minItemBytes) {
        int count = int32(field);
        if (count < 0 || (long) count * minItemBytes > in.readableBytes()) {
            throw malformed("field '" + field + "' claims " + count + " items, but only " + in.readableBytes()
                + " bytes are left in the frame");
        }
        return count;
    }

    List<TopicPartition> partitions(String field) {
        int count = count(field, 2 + 4);
        List<TopicPartition> partitions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String topic = string(field + "[" + i + "].topic");
            int partition = int32(field + "[" + i + "].partition");
            if (partition < 0) {
                throw malformed("field '" + field + "[" + i + "].partition' is negative: " + partition);
            }
            partitions.add(new TopicPartition(topic, partition));
        }
        return partitions;
    }

    void requireEnd() {
        if (in.isReadable()) {
            throw malformed(in.readableBytes() + " bytes left over after the last field");
        }
    }

    private void require(String field, int bytes) {
        if (in.readableBytes() < bytes) {
            throw malformed("field '" + field + "' needs " + bytes + " bytes but only " + in.readableBytes()
                + " are left in the frame");
        }
    }

    /** Reads a list of (topic, partition, offset): count, then each (see {@link #writePositions}). */
    List<PartitionOffset> positions(String field) {
        int count = count(field, 2 + 4 + 8);
        List<PartitionOffset> positions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String name = field + "[" + i + "]";
            String topic = string(name + ".topic");
            int partition = int32(name + ".partition");
            if (partition < 0) {
                throw malformed("field '" + name + ".partition' is negative: " + partition);
            }
            long offset = int64(name + ".offset");
            if (offset < 0) {
                throw malformed("field '" + name + ".offset' is negative: " + offset);
            }
            positions.add(new PartitionOffset(new TopicPartition(topic, partition), offset));
        }
        return positions;
    }

    /** Writes a list of (topic, partition, offset): count, then each as string, int32, int64. */
    static void writePositions(ByteBuf out, List<PartitionOffset> positions) {
        out.writeInt(positions.size());
        for (PartitionOffset position : positions) {
            Protocol.writeString(out, position.partition().topic());
            out.writeInt(position.partition().partition());
            out.writeLong(position.offset());
        }
    }

    /** Reads a list of records: count, then each record (see {@link #writeRecords}). */
    List<Record> records(String field) {
        int count = count(field, 8 + 8 + 4 + 4 + 4);
        List<Record> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String name = field + "[" + i + "]";
            long offset = int64(name + ".offset");
            long timestamp = int64(name + ".timestamp");
            byte[] key = nullableBytes(name + ".key");
            byte[] value = nullableBytes(name + ".value");
            int headerCount = count(name + ".headers", 2 + 4);
            List<Header> headers = new ArrayList<>(headerCount);
            for (int h = 0; h < headerCount; h++) {
                String header = name + ".headers[" + h + "]";
                headers.add(new Header(string(header + ".key"), nullableBytes(header + ".value")));
            }
            records.add(new Record(offset, timestamp, key, value, headers));
        }
        return records;
    }

    ProtocolError malformed(String problem) {
        return new ProtocolError(ErrorKind.MALFORMED_FRAME, correlationId,
            String.format("0x%02X %s frame (correlation id %d): %s", api.code(), api, correlationId, problem));
    }

    /** Writes bytes that may be null: int32 length ({@code -1} for null), then the bytes. */
    static void writeNullableBytes(ByteBuf out, byte[] value) {
        if (value == null) {
            out.writeInt(-1);
        } else {
            Protocol.writeBytes(out, value);
        }
    }

    /**
     * Writes a list of records: count, then each as {@code offset:int64, timestamp:int64, key:bytes,
     * value:bytes, headerCount:int32, (key:string, value:bytes)…} (null bytes as length -1).
     */
    static void writeRecords(ByteBuf out, List<Record> records) {
        out.writeInt(records.size());
        for (Record record : records) {
            out.writeLong(record.offset());
            out.writeLong(record.timestamp());
            writeNullableBytes(out, record.key());
            writeNullableBytes(out, record.value());
            out.writeInt(record.headers().size());
            for (Header header : record.headers()) {
                Protocol.writeString(out, header.key());
                writeNullableBytes(out, header.value());
            }
        }
    }

    /** Writes a list of partitions: count, then (topic, partition) pairs. */
    static void writePartitions(ByteBuf out, List<TopicPartition> partitions) {
        out.writeInt(partitions.size());
        for (TopicPartition partition : partitions) {
            Protocol.writeString(out, partition.topic());
            out.writeInt(partition.partition());
        }
    }
}

package org.mqworkbook.dispatch.protocol;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.routing.HeaderValue;
import org.mqworkbook.dispatch.topic.PartitionOffset;
import org.mqworkbook.inmemory.protocol.FieldReader;
import org.mqworkbook.inmemory.protocol.Protocol;
import org.mqworkbook.storage.Header;
import org.mqworkbook.storage.Record;

/**
 * The compound fields chapter 7 adds to chapter 5's field types: lists of partitions, of partition
 * offsets and of records. Read through chapter 5's {@link FieldReader}, so every count is checked
 * against the bytes left before a list is sized, and every problem names the frame and the field. No
 * state; thread safe.
 */
final class Fields {
    private Fields() {
    }

    /** Reads a list of partitions: count, then (topic:string, partition:int32) pairs. */
    static List<TopicPartition> partitions(FieldReader in, String field) {
        int count = in.readCount(field, 2 + 4);
        List<TopicPartition> partitions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            partitions.add(partition(in, field + "[" + i + "]"));
        }
        return partitions;
    }

    /** Reads a list of (topic, partition, offset): count, then each as string, int32, int64. */
    static List<PartitionOffset> offsets(FieldReader in, String field) {
        int count = in.readCount(field, 2 + 4 + 8);
        List<PartitionOffset> offsets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String name = field + "[" + i + "]";
            TopicPartition partition = partition(in, name);
            long offset = in.readLong(name + ".offset");
            if (offset < 0) {
                throw in.malformed("field '" + name + ".offset' is negative: " + offset);
            }
            offsets.add(new PartitionOffset(partition, offset));
        }
        return offsets;
    }

    /**
     * Reads typed headers: count, then (name:string, tag:int16, value) with tag 0 text (string), 1 whole
     * number (int64), 2 floating-point number (float64), 3 boolean, 4 void (no value) — RabbitMQ's
     * header types that exercise 7.4 compares.
     */
    static Map<String, HeaderValue> headerValues(FieldReader in, String field) {
        int count = in.readCount(field, 2 + 2);
        Map<String, HeaderValue> headers = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name = field + "[" + i + "]";
            String key = in.readString(name + ".name");
            int tag = in.readShort(name + ".tag");
            HeaderValue value = switch (tag) {
                case 0 -> new HeaderValue.Text(in.readString(name + ".value"));
                case 1 -> new HeaderValue.Integral(in.readLong(name + ".value"));
                case 2 -> new HeaderValue.Floating(Double.longBitsToDouble(in.readLong(name + ".value")));
                case 3 -> new HeaderValue.Bool(in.readBoolean(name + ".value"));
                case 4 -> new HeaderValue.NoValue();
                default -> throw in.malformed("field '" + name + ".tag' is " + tag + ", not a header type 0 to 4");
            };
            if (headers.put(key, value) != null) {
                throw in.malformed("field '" + name + ".name' repeats the header '" + key + "'");
            }
        }
        return headers;
    }

    /** Writes typed headers as {@link #headerValues} reads them. */
    static void writeHeaderValues(ByteBuf out, Map<String, HeaderValue> headers) {
        out.writeInt(headers.size());
        headers.forEach((key, value) -> {
            Protocol.writeString(out, key);
            if (value instanceof HeaderValue.Text text) {
                out.writeShort(0);
                Protocol.writeString(out, text.value());
            } else if (value instanceof HeaderValue.Integral whole) {
                out.writeShort(1);
                out.writeLong(whole.value());
            } else if (value instanceof HeaderValue.Floating floating) {
                out.writeShort(2);
                out.writeLong(Double.doubleToLongBits(floating.value()));
            } else if (value instanceof HeaderValue.Bool bool) {
                out.writeShort(3);
                Protocol.writeBoolean(out, bool.value());
            } else {
                out.writeShort(4);
            }
        });
    }

    private static TopicPartition partition(FieldReader in, String name) {
        String topic = in.readString(name + ".topic");
        int partition = in.readInt(name + ".partition");
        if (partition < 0) {
            throw in.malformed("field '" + name + ".partition' is negative: " + partition);
        }
        return new TopicPartition(topic, partition);
    }

    /** Reads a list of records: count, then each record (see {@link #writeRecords}). */
    static List<Record> records(FieldReader in, String field) {
        int count = in.readCount(field, 8 + 8 + 4 + 4 + 4);
        List<Record> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String name = field + "[" + i + "]";
            long offset = in.readLong(name + ".offset");
            long timestamp = in.readLong(name + ".timestamp");
            byte[] key = in.readNullableBytes(name + ".key");
            byte[] value = in.readNullableBytes(name + ".value");
            int headerCount = in.readCount(name + ".headers", 2 + 4);
            List<Header> headers = new ArrayList<>(headerCount);
            for (int h = 0; h < headerCount; h++) {
                String header = name + ".headers[" + h + "]";
                headers.add(new Header(in.readString(header + ".key"), in.readNullableBytes(header + ".value")));
            }
            records.add(new Record(offset, timestamp, key, value, headers));
        }
        return records;
    }

    /** Writes a list of (topic, partition, offset): count, then each as string, int32, int64. */
    static void writeOffsets(ByteBuf out, List<PartitionOffset> offsets) {
        out.writeInt(offsets.size());
        for (PartitionOffset offset : offsets) {
            Protocol.writeString(out, offset.partition().topic());
            out.writeInt(offset.partition().partition());
            out.writeLong(offset.offset());
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
            Protocol.writeNullableBytes(out, record.key());
            Protocol.writeNullableBytes(out, record.value());
            out.writeInt(record.headers().size());
            for (Header header : record.headers()) {
                Protocol.writeString(out, header.key());
                Protocol.writeNullableBytes(out, header.value());
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

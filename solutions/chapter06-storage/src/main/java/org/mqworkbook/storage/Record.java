package org.mqworkbook.storage;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One message as the log stores it.
 *
 * @param offset    its position in the log: 0, 1, 2, ... never reused (a logical number, not bytes)
 * @param timestamp when it was appended, in milliseconds since the epoch (from the injected clock)
 * @param key       an optional key (null for none); later chapters partition by it
 * @param value     the body; may be null (Kafka calls a null value a tombstone)
 * @param headers   name/value pairs, in order; never null
 */
public record Record(long offset, long timestamp, byte[] key, byte[] value, List<Header> headers) {

    public Record {
        headers = List.copyOf(Objects.requireNonNull(headers, "headers"));
    }

    /** A record without key or headers. */
    public static Record of(long offset, long timestamp, byte[] value) {
        return new Record(offset, timestamp, null, value, List.of());
    }

    // Records compare arrays by reference; two records with equal bytes are equal.
    @Override
    public boolean equals(Object other) {
        return other instanceof Record r && offset == r.offset && timestamp == r.timestamp
            && Arrays.equals(key, r.key) && Arrays.equals(value, r.value) && headers.equals(r.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(offset, timestamp, Arrays.hashCode(key), Arrays.hashCode(value), headers);
    }

    @Override
    public String toString() {
        return "Record[offset=" + offset + ", timestamp=" + timestamp + ", key="
            + (key == null ? "null" : key.length + " bytes") + ", value="
            + (value == null ? "null" : value.length + " bytes") + ", headers=" + headers + "]";
    }
}

package org.mqworkbook.dispatch.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What the harness writes in a record's value, so that the consumer side can check and time it without
 * any shared state with the producers but the clock: the send time ({@link System#nanoTime()}, the same
 * clock since producers and consumers share the harness's JVM), the key's number, the record's sequence
 * number within its key, and its message id; zero bytes pad the value to the size asked for.
 *
 * <pre>
 *  | sent nanos (8) | key (4) | sequence within key (8) | id (4) | zero padding ... |   HEADER_BYTES = 24
 * </pre>
 *
 * @param sentNanos when the producer handed the record to its connection
 * @param key       the key's number, 0 to keys - 1
 * @param sequence  0, 1, 2... for each key: the order the key's records were produced in
 * @param id        the message's number, 0 to messages - 1
 */
record Payload(long sentNanos, int key, long sequence, int id) {
    /** The bytes the fields take; a value must be at least this long. */
    static final int HEADER_BYTES = 24;

    /** The value of {@code size} bytes carrying the fields. */
    byte[] encode(int size) {
        if (size < HEADER_BYTES) {
            throw new IllegalArgumentException("a value of " + size + " bytes cannot carry the harness's "
                + HEADER_BYTES + " bytes");
        }
        return ByteBuffer.allocate(size).putLong(sentNanos).putInt(key).putLong(sequence).putInt(id).array();
    }

    /** Reads the fields back; null if the value is too short to be one of the harness's. */
    static Payload decode(byte[] value) {
        if (value == null || value.length < HEADER_BYTES) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.wrap(value);
        return new Payload(buffer.getLong(), buffer.getInt(), buffer.getLong(), buffer.getInt());
    }

    /** The record key of key number {@code key}: what the partitioner hashes. */
    static byte[] keyBytes(int key) {
        return ("key-" + key).getBytes(StandardCharsets.UTF_8);
    }
}

package org.mqworkbook.storage;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A named value carried with a record, as Kafka's record headers and AMQP's message headers.
 *
 * @param key   the name; not null
 * @param value the value; may be null
 */
public record Header(String key, byte[] value) {

    /** The longest key, in UTF-8 bytes: the record format stores its length in 16 bits. */
    public static final int MAX_KEY_BYTES = 0xFFFF;

    public Header {
        Objects.requireNonNull(key, "key");
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("a header key of " + bytes + " UTF-8 bytes is longer than the "
                + MAX_KEY_BYTES + " the record format can store");
        }
    }

    // Records compare arrays by reference; two headers with equal bytes are equal.
    @Override
    public boolean equals(Object other) {
        return other instanceof Header h && key.equals(h.key) && Arrays.equals(value, h.value);
    }

    @Override
    public int hashCode() {
        return 31 * key.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return key + "=" + (value == null ? "null" : value.length + " bytes");
    }
}

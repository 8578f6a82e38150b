package org.mqworkbook.storage;

/**
 * A timestamp and an offset: an entry of a {@link TimeIndex}, or the answer to "which record is the first one
 * at or after this time" ({@link Log#offsetForTimestamp}), where it is the record's own timestamp and offset.
 * Kafka's {@code TimestampOffset} and its {@code ListOffsets} answer carry the same pair.
 */
public record TimestampOffset(long timestamp, long offset) {
}

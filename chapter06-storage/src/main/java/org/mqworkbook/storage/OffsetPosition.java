package org.mqworkbook.storage;

/**
 * A logical offset and the byte position in a segment file where its record starts. "Offset" always
 * means a message number and "position" always a byte location, here and everywhere in the storage
 * chapter (Kafka's vocabulary).
 */
public record OffsetPosition(long offset, int position) {
}

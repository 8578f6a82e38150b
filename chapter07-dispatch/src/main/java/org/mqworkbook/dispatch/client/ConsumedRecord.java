package org.mqworkbook.dispatch.client;

import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.storage.Record;

/**
 * A record a {@link GroupConsumer} received, with the partition it came from (a record's offset means
 * something only within its partition).
 *
 * @param partition the topic and partition
 * @param record    the record, with its offset there
 */
public record ConsumedRecord(TopicPartition partition, Record record) {
}

/**
 * Partitions: where a record is written, and which group member reads it (exercises 7.1 and 7.3).
 *
 * <pre>
 *  write side (7.1)                         read side (7.3)
 *
 *  record(key="order-42")                   group "billing", members A B C, subscribed to "orders"
 *     │ Murmur2Partitioner                          │ PartitionAssignor: Range, RoundRobin or Sticky
 *     │ toPositive(murmur2(key)) % 3                ▼
 *     ▼                                     A ◄── orders-0
 *  topic "orders"  [p0] [p1] [p2]           B ◄── orders-1      each partition: exactly one member
 *                        ▲                  C ◄── orders-2      of each group
 *  record(key=null) ─────┘ round-robin
 * </pre>
 *
 * <p>A key fixes the partition, and a partition fixes the member that reads it, so the records of one
 * key are processed in order by one consumer: Kafka's ordering guarantee is per partition, never per
 * topic. Values: {@link org.mqworkbook.dispatch.partition.TopicPartition},
 * {@link org.mqworkbook.dispatch.partition.Subscription}.
 */
package org.mqworkbook.dispatch.partition;

package org.mqworkbook.dispatch.partition;

import java.util.Comparator;
import java.util.Objects;

/**
 * One partition of one topic: the unit a producer writes to and an assignor hands out. Immutable.
 *
 * <p>Partitions order by topic name, then partition number, the order Kafka's {@code RoundRobinAssignor}
 * deals them in and the order every assignment list in this package is sorted by. {@link #toString}
 * prints {@code t0-1} as Kafka's {@code TopicPartition} does.
 *
 * @param topic     the topic's name
 * @param partition the partition number, from 0
 */
public record TopicPartition(String topic, int partition) implements Comparable<TopicPartition> {
    private static final Comparator<TopicPartition> ORDER =
        Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    /** Checks that the topic is named and the partition number is not negative. */
    public TopicPartition {
        Objects.requireNonNull(topic, "topic");
        if (partition < 0) {
            throw new IllegalArgumentException("negative partition " + partition + " of topic " + topic);
        }
    }

    @Override
    public int compareTo(TopicPartition other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}

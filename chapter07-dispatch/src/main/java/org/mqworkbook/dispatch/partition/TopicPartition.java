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

    /**
     * Mixes the topic's hash with a large odd multiplier. The record's own hash combines the fields linearly with
     * a small one, and topic names that differ in their last character ({@code t0}, {@code t1}, ...) have
     * hashes that differ by one: {@code (t0, 31)} and {@code (t1, 0)} would collide, and a hash map of a few
     * thousand partitions would degrade into trees.
     */
    @Override
    public int hashCode() {
        return topic.hashCode() * 0x9E3779B1 + partition;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TopicPartition that && partition == that.partition && topic.equals(that.topic);
    }

    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}

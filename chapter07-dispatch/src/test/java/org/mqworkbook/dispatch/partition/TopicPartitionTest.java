package org.mqworkbook.dispatch.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link TopicPartition}, given code: equality, order, and a hash that does not collide for a topic's partitions. */
@Timeout(10)
class TopicPartitionTest {
    @Test
    void partitionsOfTopicsWhoseNamesDifferInTheLastCharacterHashApart() {
        Set<Integer> hashes = new HashSet<>();
        for (int t = 0; t < 10; t++) {
            for (int p = 0; p < 1_000; p++) {
                hashes.add(new TopicPartition("t" + t, p).hashCode());
            }
        }
        assertThat(hashes).as("10 topics t0..t9 of 1000 partitions: a linear hash with a small multiplier makes "
            + "(t0, 31) and (t1, 0) collide, and hash maps of partitions degrade").hasSize(10_000);
    }

    @Test
    void equalityAndOrderFollowTopicThenPartition() {
        assertThat(new TopicPartition("orders", 2)).isEqualTo(new TopicPartition("orders", 2))
            .hasSameHashCodeAs(new TopicPartition("orders", 2)).isNotEqualTo(new TopicPartition("orders", 3));
        assertThat(new TopicPartition("a", 9)).isLessThan(new TopicPartition("b", 0));
        assertThat(new TopicPartition("t0", 1)).hasToString("t0-1");
    }
}

package org.mqworkbook.dispatch.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.mqworkbook.dispatch.partition.TopicPartition;

/** What the coordinator tests of 7.2, 7.7 and 7.8 share. Stateless. */
final class Groups {
    private Groups() {
    }

    /** Partitions of topic {@code orders}, in the order given. */
    static List<TopicPartition> orders(int... partitions) {
        List<TopicPartition> list = new ArrayList<>();
        for (int p : partitions) {
            list.add(new TopicPartition("orders", p));
        }
        return list;
    }

    /** The answer of a join that the test expects complete — the barrier has let it through — saying why. */
    static JoinResult answered(CompletableFuture<JoinResult> join, String why) {
        assertThat(join).as(why).isDone();
        return join.join();
    }
}

package org.mqworkbook.ha.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.Seeded;

/**
 * The failure museum, chapter 8: the simulation of {@link FailoverSimulationTest} run against followers that
 * first cut their logs at their own high watermark whenever they start following, as Kafka's brokers did before
 * KIP-101. A follower's high watermark lags the leader's by a fetch, so the cut can remove records that are
 * acknowledged while the follower stays in the ISR: the leader's high watermark is then beyond an in-sync
 * replica's log end, and if that follower is elected before it fetches them again, they are gone. The
 * simulation must catch it, and print the seed that shows it. Then the schedule that caught it is played again,
 * the same seed with the same faults, by followers that ask the leader where their logs diverge (exercise 8.4):
 * it must lose nothing. The replay is what makes this exhibit depend on 8.4, and what shows that the catch was
 * the truncation rule's fault, not the schedule's. README section "Failure museum".
 */
@Exercise("8.4")
@Tag("8.4")
@Timeout(300)
@ExtendWith(Seeded.class)
class TruncationMuseumTest {
    /** About one schedule in eight catches it; 150 without a catch would happen about once in a billion runs. */
    private static final int SCHEDULES = 150;

    @TempDir
    Path dir;

    @Test
    void truncatingToTheHighWatermarkLosesAcknowledgedRecords(Random random) throws IOException {
        List<Long> caught = new ArrayList<>();
        for (int schedule = 0; schedule < SCHEDULES && caught.isEmpty(); schedule++) {
            long seed = random.nextLong();
            try (FailoverCluster cluster = new FailoverCluster(seed, dir.resolve("schedule-" + schedule),
                FailoverCluster.Truncation.HIGH_WATERMARK, "the failure museum")) {
                String failure = cluster.play();
                if (failure != null) {
                    caught.add(seed);
                    System.out.println("[museum] truncating to the high watermark, caught at seed " + seed + ": "
                        + failure);
                }
            }
        }
        assertThat(caught).as("within %d schedules, the simulation catches followers that truncate to their own "
            + "high watermark (README, Failure museum)", SCHEDULES).isNotEmpty();
        long seed = caught.get(0);
        try (FailoverCluster cluster = new FailoverCluster(seed, dir.resolve("replay"),
            FailoverCluster.Truncation.LEADER_EPOCH, "section 8.4")) {
            assertThat(cluster.play()).as("the schedule that caught high-watermark truncation (simulation seed %d), "
                + "played again with truncation by leader epoch (exercise 8.4), must lose nothing", seed).isNull();
        }
    }
}

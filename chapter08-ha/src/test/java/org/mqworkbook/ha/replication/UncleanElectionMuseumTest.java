package org.mqworkbook.ha.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.Seeded;

/**
 * The failure museum, chapter 8: unclean leader election (Kafka's {@code unclean.leader.election.enable=true}).
 * The simulation of {@link FailoverSimulationTest}, but the controller may crash the last in-sync replica, and
 * then elects a replica that is not in sync rather than leave the partition without a leader. The partition
 * stays available; what the new leader lacks of the acknowledged records is gone, and the other replicas
 * truncate to its log. The simulation must catch it and print the seed. Then the schedule that caught it is
 * played again, the same seed, with clean elections, which must lose nothing: this is how the exhibit depends
 * on exercise 8.4, whose truncation both runs use. README section "Failure museum".
 */
@Exercise("8.4")
@Tag("8.4")
@Timeout(300)
@ExtendWith(Seeded.class)
class UncleanElectionMuseumTest {
    /** How many schedules it may take; a catch comes within a few. */
    private static final int SCHEDULES = 60;

    @TempDir
    Path dir;

    @Test
    void electingAReplicaThatIsNotInSyncLosesAcknowledgedRecords(Random random) throws IOException {
        Long caught = null;
        for (int schedule = 0; schedule < SCHEDULES && caught == null; schedule++) {
            long seed = random.nextLong();
            try (FailoverCluster cluster = new FailoverCluster(seed, dir.resolve("schedule-" + schedule),
                FailoverCluster.Truncation.LEADER_EPOCH, FailoverCluster.Election.UNCLEAN, "the failure museum")) {
                String failure = cluster.play();
                if (failure != null) {
                    caught = seed;
                    System.out.println("[museum] unclean leader election, caught at seed " + seed + ": " + failure);
                }
            }
        }
        assertThat(caught).as("within %d schedules, the simulation catches a controller that elects a replica "
            + "outside the ISR (README, Failure museum)", SCHEDULES).isNotNull();
        try (FailoverCluster cluster = new FailoverCluster(caught, dir.resolve("replay"),
            FailoverCluster.Truncation.LEADER_EPOCH, FailoverCluster.Election.CLEAN, "section 8.4")) {
            assertThat(cluster.play()).as("the schedule that caught unclean election (simulation seed %d), played "
                + "again with clean elections, must lose nothing", caught).isNull();
        }
    }
}

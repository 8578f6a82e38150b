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
 * Exercise 8.4 in the deterministic simulation: three replicas whose brokers crash, lose what their disks did
 * not force, restart, and follow leaders elected in new epochs, while a producer writes with {@code acks=all}
 * on a network that loses, delays and duplicates messages ({@link FailoverCluster} says what it checks). The
 * followers truncate by leader epoch; no acknowledged record may be lost, and the logs must end identical.
 * Each schedule is seeded; {@code -Dsim.seed=S} replays one, {@code -Dsim.schedules=N} plays more. README
 * section "8.4 Truncation by leader epoch (主从复制)".
 */
@Exercise("8.4")
@Tag("8.4")
@Timeout(300)
@ExtendWith(Seeded.class)
class FailoverSimulationTest {
    private static final String README = "README 8.4";
    private static final int SCHEDULES = Integer.getInteger("sim.schedules", 40);
    private static final Long ONE_SEED = Long.getLong("sim.seed");

    @TempDir
    Path dir;

    @Test
    void noAcknowledgedRecordIsLostAcrossCrashesAndElections(Random random) throws IOException {
        int schedules = ONE_SEED != null ? 1 : SCHEDULES;
        int acknowledged = 0;
        int crashes = 0;
        int elections = 0;
        for (int schedule = 0; schedule < schedules; schedule++) {
            long seed = ONE_SEED != null ? ONE_SEED : random.nextLong();
            try (FailoverCluster cluster = new FailoverCluster(seed, dir.resolve("schedule-" + schedule),
                FailoverCluster.Truncation.LEADER_EPOCH, README)) {
                String failure = cluster.play();
                assertThat(failure).as("schedule %d of %d (simulation seed %d; replay it alone with -Dsim.seed=%d)",
                    schedule + 1, schedules, seed, seed).isNull();
                acknowledged += cluster.acknowledgedCount();
                crashes += cluster.crashes();
                elections += cluster.elections();
            }
        }
        assertThat(elections).as("the schedules elected new leaders (%d crashes, %d acknowledged)", crashes,
            acknowledged).isGreaterThan(schedules);
    }
}

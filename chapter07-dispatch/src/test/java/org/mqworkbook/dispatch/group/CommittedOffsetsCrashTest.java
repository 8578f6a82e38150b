package org.mqworkbook.dispatch.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.dispatch.partition.RangeAssignor;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;
import org.mqworkbook.testkit.Seeded;
import org.mqworkbook.testkit.storage.CrashPoints;
import org.mqworkbook.testkit.storage.CrashScenario;
import org.mqworkbook.testkit.storage.CrashSimulator;

/**
 * Exercise 7.2's commits on a disk that loses power: wherever the power fails, a group's committed offset
 * for a partition is never behind a commit that was acknowledged (commit returned), and never an offset
 * that no one committed. The checkpoint is chapter 6's {@code CheckpointFile}; this sweep is what proves
 * that the coordinator writes it through the file opener, in order. README section "7.2 Consumer groups".
 */
@Exercise("7.2")
@Tag("7.2")
@Timeout(60)
@ExtendWith(Seeded.class)
class CommittedOffsetsCrashTest {
    private static final Duration SESSION = Duration.ofSeconds(10);
    private static final int PARTITIONS = 3;
    private static final int ROUNDS = 6;

    private final ManualClock clock = new ManualClock();

    private GroupCoordinator open(Path dir, FileOpener opener) throws IOException {
        return GroupCoordinator.open("billing", new RangeAssignor(), Map.of("orders", PARTITIONS), SESSION, SESSION,
            clock, dir, opener);
    }

    /** Round r commits 10 × r on partition r mod 3 (commit), then 10 × r + 5 on every partition (commitAll). */
    @Test
    void aCommittedOffsetNeverGoesBackPastAnAcknowledgedCommitWhereverThePowerFails(Random random,
                                                                                     @TempDir Path sweeps)
        throws IOException {
        CrashPoints.sweep(random.nextLong(), 200, sweeps, new CrashScenario<String>() {
            @Override
            public void workload(CrashSimulator disk, Path directory, List<String> acknowledged) throws IOException {
                GroupCoordinator group = open(directory, disk::open);
                int generation = group.join("a", Set.of("orders")).join().generation();
                for (int round = 1; round <= ROUNDS; round++) {
                    int p = round % PARTITIONS;
                    group.commit("a", generation, new TopicPartition("orders", p), 10L * round);
                    acknowledged.add(p + "=" + 10L * round);
                    Map<TopicPartition, Long> all = new LinkedHashMap<>();
                    for (int q = 0; q < PARTITIONS; q++) {
                        all.put(new TopicPartition("orders", q), 10L * round + 5);
                    }
                    group.commitAll("a", generation, all);
                    for (int q = 0; q < PARTITIONS; q++) {
                        acknowledged.add(q + "=" + (10L * round + 5));
                    }
                }
            }

            @Override
            public void check(Path directory, List<String> acknowledged) throws IOException {
                Map<Integer, Long> last = new HashMap<>();
                for (String commit : acknowledged) {
                    String[] parts = commit.split("=");
                    last.put(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
                }
                GroupCoordinator group = open(directory, FileOpener.REAL);
                for (int p = 0; p < PARTITIONS; p++) {
                    long acked = last.getOrDefault(p, -1L);
                    long committed = group.committed(new TopicPartition("orders", p)).orElse(-1L);
                    assertThat(committed).as("orders-%d: the last acknowledged commit was %d; after the crash the "
                        + "group must resume there or later, never earlier (%s)", p, acked, acknowledged)
                        .isGreaterThanOrEqualTo(acked);
                    assertThat(committed == -1 || committed % 5 == 0 && committed <= 10L * ROUNDS + 5)
                        .as("orders-%d: %d is an offset some commit asked for", p, committed).isTrue();
                }
            }
        });
    }
}

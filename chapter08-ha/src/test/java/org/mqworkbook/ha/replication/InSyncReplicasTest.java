package org.mqworkbook.ha.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mqworkbook.testkit.Exercise;

/**
 * Exercise 8.3, {@link InSyncReplicas}: a follower stays in sync while it catches up with the leader's log end
 * within the maximum lag, leaves when it does not, and comes back once it reaches the high watermark. Leader L,
 * followers F and G, a maximum lag of 30 s. README section "8.3 The in-sync replicas (主从复制)".
 */
@Exercise("8.3")
@Tag("8.3")
@Timeout(10)
class InSyncReplicasTest {
    private static final String README = "README 8.3";
    private static final long SECOND = 1_000;

    private final InSyncReplicas isr = new InSyncReplicas("L", Set.of("F", "G"), Duration.ofSeconds(30), 0);

    @Test
    void aFollowerThatKeepsCatchingUpStaysAndOneThatStopsLeaves() {
        for (long t = 0; t <= 40 * SECOND; t += SECOND) {
            isr.fetched("F", 100 + t, 100 + t, 90, t); // F is always at the log end
        }
        assertThat(isr.shrink(40 * SECOND)).as("G has not caught up for 40 s > 30 s (%s)", README)
            .containsExactly("G");
        assertThat(isr.members()).containsExactly("F", "L");
    }

    @Test
    void fetchingIsNotEnoughAFollowerMustReachTheLogEnd() {
        for (long t = 0; t <= 31 * SECOND; t += SECOND) {
            isr.fetched("F", 100 + t, 100 + t, 90, t);
            isr.fetched("G", 50, 100 + t, 90, t); // G fetches every second, but stays 50 records behind
        }
        assertThat(isr.shrink(31 * SECOND)).as("G fetched all along but never reached the log end: too slow is as "
            + "bad as dead (%s)", README).containsExactly("G");
    }

    @Test
    void theLagIsATimeNotACountOfRecords() {
        isr.fetched("G", 100, 100, 100, 10 * SECOND); // caught up at 10 s
        isr.fetched("G", 100, 5_000, 100, 20 * SECOND); // a burst: now far behind, but it was caught up 10 s ago
        isr.fetched("F", 5_000, 5_000, 100, 20 * SECOND);

        assertThat(isr.shrink(39 * SECOND)).as("29 s since G was caught up: still within the 30 s").isEmpty();
        assertThat(isr.shrink(40 * SECOND + 1)).as("more than 30 s: out").containsExactly("G");
    }

    @Test
    void anOutOfSyncFollowerComesBackWhenItReachesTheHighWatermark() {
        isr.fetched("F", 10, 10, 10, 0);
        isr.shrink(31 * SECOND);
        assertThat(isr.contains("G")).isFalse();

        isr.fetched("G", 80, 200, 90, 32 * SECOND);
        assertThat(isr.contains("G")).as("80 is below the high watermark 90: not yet (%s)", README).isFalse();
        isr.fetched("G", 90, 200, 90, 33 * SECOND);
        assertThat(isr.contains("G")).as("it has everything committed: back in sync").isTrue();
        assertThat(isr.shrink(34 * SECOND)).as("and it counts as caught up now, not 33 s ago").isEmpty();
    }

    @Test
    void reachingTheHighWatermarkIsNotCatchingUp() {
        for (long t = 0; t <= 31 * SECOND; t += SECOND) {
            isr.fetched("F", 100 + t, 100 + t, 90, t);
            isr.fetched("G", 90, 100 + t, 90, t); // G has everything committed, but not the leader's log end
        }
        assertThat(isr.shrink(31 * SECOND)).as("caught up means the leader's log end, not the high watermark: "
            + "a follower stuck at the high watermark holds every acks=all write back (%s)", README)
            .containsExactly("G");
    }

    @Test
    void exactlyTheMaximumLagIsStillInSyncAndAShrinkRemovesEachFollowerOnce() {
        isr.fetched("F", 10, 10, 10, 0);
        isr.fetched("G", 10, 10, 10, 0);
        assertThat(isr.shrink(30 * SECOND)).as("exactly 30 s since G caught up: still in sync (the rule is "
            + "now - lastCaughtUp > maxLag, %s)", README).isEmpty();
        assertThat(isr.shrink(30 * SECOND + 1)).containsExactly("F", "G");
        assertThat(isr.shrink(40 * SECOND)).as("a second shrink has nobody left to remove").isEmpty();
    }

    @Test
    void aFollowerAtTheLogEndRejoinsEvenAboveTheHighWatermark() {
        isr.shrink(31 * SECOND);
        isr.fetched("G", 150, 150, 90, 32 * SECOND); // at the leader's log end, above the high watermark

        assertThat(isr.contains("G")).as("at or above the high watermark rejoins (%s)", README).isTrue();
    }

    @Test
    void shrinkAnswersInSortedOrder() {
        InSyncReplicas many = new InSyncReplicas("broker-1", Set.of("broker-9", "broker-10", "broker-2", "a",
            "zeta", "Broker-7"), Duration.ofSeconds(30), 0);

        assertThat(many.shrink(31 * SECOND)).as("sorted, whatever order the set was given in")
            .containsExactly("Broker-7", "a", "broker-10", "broker-2", "broker-9", "zeta");
    }

    @Test
    void theLeaderNeverLeavesAndAStrangerNeverJoins() {
        isr.fetched("X", 1_000, 1_000, 0, 0);
        assertThat(isr.shrink(100 * SECOND)).containsExactly("F", "G");
        assertThat(isr.members()).as("the leader alone").containsExactly("L");
        assertThat(isr.contains("X")).isFalse();
    }
}

package org.mqworkbook.testkit.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class OwnershipHistoryTest {
    private final OwnershipHistory history = new OwnershipHistory();

    @Test
    void acceptsAHandOverInWhichTheOldOwnerReleasesBeforeTheNewOneAcquires() {
        history.acquired("a", "orders-0", "generation 1");
        history.worked("a", "orders-0", 0);
        history.committed("orders-0", 1);
        history.released("a", "orders-0");
        history.acquired("b", "orders-0", "generation 2");
        history.worked("b", "orders-0", 1);
        history.committed("orders-0", 2);

        history.assertOk();
        assertThat(history.violations()).isEmpty();
        assertThat(history.acquisitions()).isEqualTo(2);
    }

    @Test
    void reportsTwoOwnersHoldingOneResourceAtOnceNamingBoth() {
        history.acquired("a", "orders-0", "generation 1");
        history.acquired("b", "orders-0", "generation 2");

        assertThat(history.violations()).singleElement().asString()
            .contains("b acquired orders-0 (generation 2) while a still held it").contains("generation 1");
        assertThatThrownBy(history::assertOk).isInstanceOf(AssertionError.class)
            .hasMessageContaining("1 ownership violation(s)").hasMessageContaining("2 owners");
    }

    @Test
    void anOwnerAcquiringAgainWhatItHoldsIsNotAnOverlap() {
        history.acquired("a", "orders-0", "generation 1");
        history.acquired("a", "orders-0", "generation 1, lease renewed");

        history.assertOk();
    }

    @Test
    void reportsWorkOnAResourceTheOwnerDoesNotHold() {
        history.acquired("a", "orders-0", "generation 1");
        history.released("a", "orders-0");
        history.worked("a", "orders-0", 5);
        history.acquired("b", "orders-1", "generation 1");
        history.worked("a", "orders-1", 7);

        assertThat(history.violations()).hasSize(2);
        assertThat(history.violations().get(0)).contains("a worked on orders-0 at 5 without holding it");
        assertThat(history.violations().get(1)).contains("a worked on orders-1 at 7").contains("(b held it)");
    }

    @Test
    void reportsACommittedPositionThatMovesBackwards() {
        history.committed("orders-0", 50);
        history.committed("orders-0", 50);
        history.committed("orders-0", 20);

        assertThat(history.violations()).singleElement().asString()
            .contains("committed position of orders-0 moved backwards, from 50 to 20");
    }

    @Test
    void aLateReleaseByAnOwnerThatWasAlreadyReplacedLeavesTheNewOwnerHolding() {
        history.acquired("a", "orders-0", "generation 1");
        history.acquired("b", "orders-0", "generation 2"); // the violation
        history.released("a", "orders-0");
        history.worked("b", "orders-0", 3);

        assertThat(history.violations()).as("only the overlap, not b's work").hasSize(1);
    }

    @Test
    void keepsAtMostOneHundredViolationsButCountsThemAll() {
        for (int i = 0; i < 250; i++) {
            history.worked("a", "orders-0", i);
        }

        assertThat(history.violations()).hasSize(OwnershipHistory.MAX_VIOLATIONS);
        assertThatThrownBy(history::assertOk).hasMessageContaining("250 ownership violation(s)")
            .hasMessageContaining("... and 240 more");
    }

    @Test
    void ownersRecordingFromManyThreadsAtOnceAreJudgedInOneOrder() throws Exception {
        // Each thread owns its own resource: however the recordings interleave there is no violation, and
        // every recording is counted (a lost update in the checker's maps would show here).
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                String owner = "owner-" + t;
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 5_000; i++) {
                        history.acquired(owner, owner + "-partition", "round " + i);
                        history.worked(owner, owner + "-partition", i);
                        history.committed(owner + "-partition", i);
                        history.released(owner, owner + "-partition");
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            threads.shutdownNow();
        }
        history.assertOk();
        assertThat(history.acquisitions()).isEqualTo(20_000);
    }
}

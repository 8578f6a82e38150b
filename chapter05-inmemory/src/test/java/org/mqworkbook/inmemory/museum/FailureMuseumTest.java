package org.mqworkbook.inmemory.museum;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mqworkbook.inmemory.Scenarios;
import org.mqworkbook.testkit.ManualClock;
import org.mqworkbook.testkit.Seeded;
import org.mqworkbook.testkit.history.Guarantee;
import org.mqworkbook.testkit.history.HistoryReport;
import org.mqworkbook.testkit.history.Ordering;

/**
 * The failure museum: the scenarios that the exercise tests run against your code, run here against
 * known-bad queues, to show that they catch each mistake. These tests check the tests, so they pass on
 * the skeleton and on the solution alike. README section "Failure museum".
 */
@Timeout(30)
@ExtendWith(Seeded.class)
class FailureMuseumTest {

    @Test
    void theConcurrencyScenarioCatchesAQueueWithoutALock(Random random) throws InterruptedException {
        // The same scenario as BoundedBlockingQueueTest, more rounds: a race needs bad luck to show,
        // and an unlocked ring buffer under 4 x 4 threads runs out of luck within the first rounds.
        boolean caught = false;
        StringBuilder evidence = new StringBuilder();
        for (int round = 0; round < 20 && !caught; round++) {
            Scenarios.Outcome outcome = Scenarios
                .producersAndConsumers(new UnsynchronizedQueue<>(16), 4, 4, 5_000, random);
            HistoryReport report = outcome.history().check(Guarantee.EXACTLY_ONCE, Ordering.NONE);
            caught = !report.isOk() || !outcome.errors().isEmpty();
            evidence.append(report).append(outcome.errors());
        }

        assertThat(caught).as("an unsynchronized queue loses, duplicates or corrupts messages: " + evidence)
            .isTrue();
    }

    @Test
    void theCrashScenarioCatchesAQueueThatDeletesOnDelivery(Random random) throws InterruptedException {
        Duration visibility = Duration.ofSeconds(30);

        Scenarios.Outcome outcome = Scenarios
            .crashingConsumers(new DeleteOnDeliveryQueue(), new ManualClock(), visibility, 300, random);
        HistoryReport report = outcome.history().check(Guarantee.AT_LEAST_ONCE, Ordering.NONE);

        assertThat(report.isOk()).as("messages held by crashed consumers are lost: %s", report).isFalse();
        assertThat(report.lost()).as("the report names the lost messages").isNotEmpty();
    }
}

package org.mqworkbook.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ManualClockTest {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void startsAtTheFirstInstantOf2026InUtcByDefault() {
        ManualClock clock = new ManualClock();

        assertThat(clock.instant()).isEqualTo(START);
        assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
    }

    @Test
    void startsAtTheInstantItIsGiven() {
        Instant start = Instant.parse("2030-06-15T12:34:56.789Z");

        ManualClock clock = new ManualClock(start);

        assertThat(clock.instant()).isEqualTo(start);
        assertThat(clock.millis()).isEqualTo(start.toEpochMilli());
    }

    @Test
    void movesForwardByExactlyTheDurationItIsAdvancedBy() {
        ManualClock clock = new ManualClock();

        clock.advance(Duration.ofSeconds(30));
        clock.advance(Duration.ofMillis(1));

        assertThat(clock.instant()).isEqualTo(START.plusMillis(30_001));
        assertThat(clock.millis()).isEqualTo(START.toEpochMilli() + 30_001);
    }

    @Test
    void rejectsANegativeDurationAndNamesIt() {
        ManualClock clock = new ManualClock();

        assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-5)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("PT-5S");
        assertThat(clock.instant()).isEqualTo(START);
    }

    @Test
    void sharesItsTimeWithAViewInAnotherZone() {
        ManualClock clock = new ManualClock();
        ManualClock paris = clock.withZone(ZoneId.of("Europe/Paris"));

        clock.advance(Duration.ofMinutes(1));
        paris.advance(Duration.ofMinutes(2));

        assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
        assertThat(paris.instant()).isEqualTo(START.plus(Duration.ofMinutes(3)));
        assertThat(clock.instant()).isEqualTo(START.plus(Duration.ofMinutes(3)));
    }

    @Test
    void returnsItselfWhenAskedForItsOwnZone() {
        ManualClock clock = new ManualClock();

        assertThat(clock.withZone(ZoneOffset.UTC)).isSameAs(clock);
    }

    @Test
    void showsTheCurrentInstantInItsDescription() {
        ManualClock clock = new ManualClock();
        clock.advance(Duration.ofHours(1));

        assertThat(clock).hasToString("ManualClock[2026-01-01T01:00:00Z, Z]");
    }

    @Test
    void losesNoStepWhenSeveralThreadsAdvanceAtOnce() throws Exception {
        ManualClock clock = new ManualClock();
        int threads = 4;
        int stepsPerThread = 10_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < stepsPerThread; i++) {
                        clock.advance(Duration.ofMillis(1));
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(clock.millis()).isEqualTo(START.toEpochMilli() + threads * stepsPerThread);
    }
}

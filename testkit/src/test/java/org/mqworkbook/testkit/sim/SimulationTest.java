package org.mqworkbook.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SimulationTest {
    @Test
    void runsEventsInTheOrderOfTheirTimeThenOfTheirScheduling() {
        Simulation sim = new Simulation(1);
        List<String> ran = new ArrayList<>();
        sim.schedule(Duration.ofMillis(20), "c", () -> ran.add("c@" + sim.nowMillis()));
        sim.schedule(Duration.ofMillis(10), "a", () -> ran.add("a@" + sim.nowMillis()));
        sim.schedule(Duration.ofMillis(10), "b", () -> ran.add("b@" + sim.nowMillis()));
        sim.schedule(Duration.ZERO, "now", () -> sim.schedule(Duration.ZERO, "later now", () -> ran.add("then")));

        while (sim.step()) {
            // run everything
        }

        assertThat(ran).containsExactly("then", "a@10", "b@10", "c@20");
        assertThat(sim.eventsRun()).isEqualTo(5);
        assertThat(sim.clock().instant()).isEqualTo(Simulation.START.plusMillis(20));
    }

    @Test
    void aCancelledEventDoesNotRunAndTheClockMovesOnlyThroughEvents() {
        Simulation sim = new Simulation(1);
        List<String> ran = new ArrayList<>();
        Simulation.Timer timer = sim.schedule(Duration.ofSeconds(5), "timeout", () -> ran.add("timeout"));
        sim.schedule(Duration.ofSeconds(1), "answer", timer::cancel);

        sim.runFor(Duration.ofSeconds(10));

        assertThat(ran).isEmpty();
        assertThat(timer.cancelled()).isTrue();
        assertThat(sim.nowMillis()).as("runFor leaves the clock at its end").isEqualTo(10_000);
    }

    @Test
    void runUntilStopsWhenTheConditionHoldsOrTheTimeRunsOut() {
        Simulation sim = new Simulation(1);
        int[] ticks = {0};
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> {
            ticks[0]++;
            sim.schedule(Duration.ofMillis(100), "tick", tick[0]);
        };
        sim.schedule(Duration.ZERO, "tick", tick[0]);

        assertThat(sim.runUntil(() -> ticks[0] == 5, Duration.ofSeconds(1))).isTrue();
        assertThat(sim.nowMillis()).isEqualTo(400);
        assertThat(sim.runUntil(() -> ticks[0] == 1_000, Duration.ofSeconds(1))).as("1 s more: 10 more ticks")
            .isFalse();
        assertThat(ticks[0]).isEqualTo(15);
        assertThat(sim.nowMillis()).isEqualTo(1_400);
    }

    @Test
    void refusesThePastAndDescribesItselfWithItsSeedAndItsLastEvents() {
        Simulation sim = new Simulation(424242);
        assertThatThrownBy(() -> sim.schedule(Duration.ofMillis(-1), "yesterday", () -> { }))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("yesterday");
        for (int i = 0; i < Simulation.TRACE_LENGTH + 10; i++) {
            sim.schedule(Duration.ofMillis(i), "event " + i, () -> { });
        }
        sim.note("crash b");
        sim.runFor(Duration.ofSeconds(1));

        assertThat(sim.describe()).contains("seed 424242", "new Simulation(424242)", "event "
            + (Simulation.TRACE_LENGTH + 9))
            .doesNotContain("event 0\n");
        assertThat(sim.trace()).hasSize(Simulation.TRACE_LENGTH);
    }
}

package org.mqworkbook.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class SimNetworkTest {
    private static final Duration MS = Duration.ofMillis(1);

    @Test
    void aPerfectNetworkDeliversEverythingOnceInOrder() {
        Simulation sim = new Simulation(7);
        SimNetwork<Integer> net = new SimNetwork<>(sim, NetworkFaults.NONE);
        List<Integer> received = new ArrayList<>();
        net.start("a", d -> { });
        net.start("b", d -> received.add(d.message()));
        for (int i = 0; i < 100; i++) {
            net.send("a", "b", i);
        }
        sim.runFor(Duration.ofSeconds(1));

        assertThat(received).hasSize(100).isSorted();
        assertThat(net.delivered()).isEqualTo(100);
        assertThat(net.dropped()).isZero();
    }

    @Test
    void lossDelayAndDuplicatesAreDrawnFromTheSeed() {
        Simulation sim = new Simulation(7);
        SimNetwork<Integer> net = new SimNetwork<>(sim, NetworkFaults.lossy(0.2, MS, Duration.ofMillis(50))
            .withDuplicates(0.1));
        List<Integer> received = new ArrayList<>();
        net.start("a", d -> { });
        net.start("b", d -> received.add(d.message()));
        for (int i = 0; i < 10_000; i++) {
            net.send("a", "b", i);
        }
        sim.runFor(Duration.ofSeconds(1));

        assertThat(net.dropped()).as("about 20%% lost").isBetween(1_800L, 2_200L);
        assertThat(net.duplicated()).as("about 10%% of the rest twice").isBetween(650L, 950L);
        assertThat(received).as("delivered = sent - lost + duplicates").hasSize((int) (10_000 - net.dropped()
            + net.duplicated()));
        assertThat(received).as("different delays reorder").isNotEqualTo(received.stream().sorted().toList());
    }

    @Test
    void aPartitionCutsBothWaysIncludingWhatIsInFlightAndHealing() {
        Simulation sim = new Simulation(7);
        SimNetwork<String> net = new SimNetwork<>(sim, NetworkFaults.lossy(0, Duration.ofMillis(10),
            Duration.ofMillis(10)));
        List<String> atB = new ArrayList<>();
        List<String> atA = new ArrayList<>();
        net.start("a", d -> atA.add(d.message()));
        net.start("b", d -> atB.add(d.message()));
        net.start("c", d -> { });

        net.send("a", "b", "in flight");
        sim.runFor(Duration.ofMillis(5));
        net.partition(Set.of("a"));
        net.send("a", "b", "across");
        net.send("b", "a", "back across");
        sim.runFor(Duration.ofMillis(50));
        assertThat(atB).as("cut while in flight, and sent across the cut").isEmpty();
        assertThat(atA).isEmpty();
        assertThat(net.connected("b", "c")).as("the other side still talks").isTrue();

        net.heal();
        net.send("a", "b", "after");
        sim.runFor(Duration.ofMillis(50));
        assertThat(atB).containsExactly("after");
    }

    @Test
    void aRestartedNodeGetsNothingSentToItsEarlierIncarnation() {
        Simulation sim = new Simulation(7);
        SimNetwork<String> net = new SimNetwork<>(sim, NetworkFaults.lossy(0, Duration.ofMillis(10),
            Duration.ofMillis(10)));
        List<String> atB = new ArrayList<>();
        net.start("a", d -> { });
        net.start("b", d -> atB.add(d.message()));

        net.send("a", "b", "before the crash");
        net.crash("b");
        net.send("a", "b", "while down");
        net.start("b", d -> atB.add(d.message()));
        net.send("a", "b", "after the restart");
        sim.runFor(Duration.ofMillis(50));

        assertThat(atB).containsExactly("after the restart");
        assertThatThrownBy(() -> net.start("b", d -> { })).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> net.crash("z")).isInstanceOf(IllegalStateException.class);
    }

    /** Pings with retries until each is answered: the same seed gives the same run, event for event. */
    @Test
    void theSameSeedReplaysTheSameScheduleExactly() {
        assertThat(pingPong(99)).isEqualTo(pingPong(99));
        assertThat(pingPong(99)).isNotEqualTo(pingPong(100));
    }

    private static List<String> pingPong(long seed) {
        Simulation sim = new Simulation(seed);
        SimNetwork<String> net = new SimNetwork<>(sim, NetworkFaults.lossy(0.3, MS, Duration.ofMillis(30))
            .withDuplicates(0.05));
        List<String> answered = new ArrayList<>();
        net.start("server", d -> net.send("server", d.from(), "pong " + d.message()));
        net.start("client", d -> {
            if (!answered.contains(d.message())) {
                answered.add(d.message());
            }
        });
        for (int i = 0; i < 20; i++) {
            String ping = "ping " + i;
            Runnable[] attempt = new Runnable[1];
            attempt[0] = () -> {
                if (!answered.contains("pong " + ping)) {
                    net.send("client", "server", ping);
                    sim.schedule(Duration.ofMillis(100), "retry " + ping, attempt[0]);
                }
            };
            sim.schedule(Duration.ofMillis(i), "first " + ping, attempt[0]);
        }
        boolean done = sim.runUntil(() -> answered.size() == 20, Duration.ofSeconds(60));
        assertThat(done).as(sim.describe()).isTrue();
        List<String> run = new ArrayList<>(answered);
        run.add(sim.nowMillis() + " ms, " + net);
        return run;
    }
}

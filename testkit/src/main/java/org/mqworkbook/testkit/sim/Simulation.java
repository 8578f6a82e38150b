package org.mqworkbook.testkit.sim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * A deterministic discrete-event simulation: everything a test's cluster does — messages arriving, timers
 * firing, nodes crashing — is an event on one queue, run one at a time on the test's thread, in the order of
 * their simulated time (and, at the same time, of their scheduling). Nothing else moves the clock: it jumps
 * to each event's time as the event runs. With one seeded {@link Random} for every random choice, one seed
 * replays one whole schedule exactly; {@link #describe()} says which seed, where in simulated time, and the
 * last events, for the failure message. (A test that plays many schedules draws each one's seed from its own
 * seeded {@code Random}; it should say how to replay one schedule alone, as {@code -Dsim.seed=} does in
 * chapter 8's tests.)
 *
 * <pre>{@code
 * Simulation sim = new Simulation(seed);
 * SimNetwork<Message> net = new SimNetwork<>(sim, NetworkFaults.lossy(0.1, ms(1), ms(20)));
 * net.register("a", delivery -> a.receive(delivery.from(), delivery.message()));
 * sim.schedule(Duration.ofMillis(50), "a ticks", a::tick);
 * boolean done = sim.runUntil(() -> a.committed() >= 100, Duration.ofSeconds(60));
 * assertThat(done).as(sim.describe()).isTrue();
 * }</pre>
 *
 * <p>This is the shape of FoundationDB's simulation testing and of the sans-IO state machines it tests: the
 * code under test has no threads, sockets or clocks of its own, so the same code runs here and, with real
 * sockets and threads around it, in a real broker.
 *
 * <p>Thread-safety: none. The simulation and everything it drives run on the one thread that calls
 * {@link #step()} and the {@code run} methods; calling it from another thread is a test bug.
 */
public final class Simulation {
    /** How many past events {@link #describe()} shows. */
    public static final int TRACE_LENGTH = 40;
    /** The epoch the simulated clock starts at: a fixed instant, so that timestamps replay too. */
    public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private final long seed;
    private final Random random;
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private final ArrayDeque<String> trace = new ArrayDeque<>(TRACE_LENGTH);
    private final Clock clock = new SimulatedClock();
    private long nowMillis;
    private long nextSequence;
    private long eventsRun;

    /** One scheduled action. Ordered by time, then by the order it was scheduled in. */
    private static final class Event implements Comparable<Event>, Timer {
        final long atMillis;
        final long sequence;
        final String what;
        final Runnable action;
        boolean cancelled;

        Event(long atMillis, long sequence, String what, Runnable action) {
            this.atMillis = atMillis;
            this.sequence = sequence;
            this.what = what;
            this.action = action;
        }

        @Override
        public int compareTo(Event other) {
            int byTime = Long.compare(atMillis, other.atMillis);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public boolean cancelled() {
            return cancelled;
        }
    }

    /** A scheduled event that can be called off before it runs. */
    public interface Timer {
        /** Calls the event off: it will not run. Harmless after it has run. */
        void cancel();

        /** Whether {@link #cancel()} was called. */
        boolean cancelled();
    }

    /** A simulation whose every random choice comes from {@code seed}. */
    public Simulation(long seed) {
        this.seed = seed;
        this.random = new Random(seed);
    }

    /** The seed: {@code new Simulation(seed)} replays this simulation, given the same test code. */
    public long seed() {
        return seed;
    }

    /** The one source of randomness: every fault and every randomised timeout must draw from it. */
    public Random random() {
        return random;
    }

    /** Simulated milliseconds since {@link #START}. */
    public long nowMillis() {
        return nowMillis;
    }

    /** The simulated time as a {@link Clock}, for code that takes one (a coordinator, a log). */
    public Clock clock() {
        return clock;
    }

    /** How many events have run. */
    public long eventsRun() {
        return eventsRun;
    }

    /** How many events are waiting (cancelled ones included until their time comes). */
    public int pending() {
        return queue.size();
    }

    /**
     * Schedules {@code action} to run {@code delay} from now (zero: after every event already scheduled for
     * now). {@code what} names it in the trace.
     *
     * @throws IllegalArgumentException if the delay is negative: the simulated past cannot be changed
     */
    public Timer schedule(Duration delay, String what, Runnable action) {
        Objects.requireNonNull(action, "action");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("cannot schedule '" + what + "' " + delay + " in the past");
        }
        Event event = new Event(Math.addExact(nowMillis, delay.toMillis()), nextSequence++, what, action);
        queue.add(event);
        return event;
    }

    /**
     * Runs the next event that is not cancelled, moving the clock to its time.
     *
     * @return false if no event is left
     */
    public boolean step() {
        while (!queue.isEmpty()) {
            Event event = queue.poll();
            if (event.cancelled) {
                continue;
            }
            nowMillis = event.atMillis;
            eventsRun++;
            remember(event.what);
            event.action.run();
            return true;
        }
        return false;
    }

    /**
     * Runs every event up to {@code duration} from now, then leaves the clock there (even if nothing was due).
     */
    public void runFor(Duration duration) {
        long until = Math.addExact(nowMillis, duration.toMillis());
        while (!queue.isEmpty() && nextDueMillis() <= until) {
            step();
        }
        nowMillis = Math.max(nowMillis, until);
    }

    /**
     * Runs events until {@code condition} holds (checked before each event and after the last), at most
     * {@code limit} of simulated time from now.
     *
     * @return whether the condition held; false if the time ran out or no event was left
     */
    public boolean runUntil(BooleanSupplier condition, Duration limit) {
        long until = Math.addExact(nowMillis, limit.toMillis());
        while (!condition.getAsBoolean()) {
            if (queue.isEmpty() || nextDueMillis() > until) {
                nowMillis = Math.max(nowMillis, Math.min(until, queue.isEmpty() ? until : nextDueMillis()));
                return false;
            }
            step();
        }
        return true;
    }

    private long nextDueMillis() {
        while (!queue.isEmpty() && queue.peek().cancelled) {
            queue.poll();
        }
        return queue.isEmpty() ? Long.MAX_VALUE : queue.peek().atMillis;
    }

    /** Adds a line to the trace without an event: what the test did ("crash b", "partition {a} | {b, c}"). */
    public void note(String what) {
        remember(what);
    }

    private void remember(String what) {
        if (trace.size() == TRACE_LENGTH) {
            trace.removeFirst();
        }
        trace.addLast(String.format("%9.3f s  %s", nowMillis / 1000.0, what));
    }

    /** The last {@link #TRACE_LENGTH} events, oldest first. */
    public List<String> trace() {
        return new ArrayList<>(trace);
    }

    /**
     * The seed, the simulated time, how many events ran and the last ones: what a failing test's message must
     * carry, so that the failure can be replayed and read.
     */
    public String describe() {
        StringBuilder text = new StringBuilder("simulation seed ").append(seed).append(" (new Simulation(")
            .append(seed).append(") replays it), at ").append(nowMillis / 1000.0).append(" s after ")
            .append(eventsRun).append(" events; the last ones:");
        for (String line : trace) {
            text.append(System.lineSeparator()).append("  ").append(line);
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return "Simulation[seed " + seed + ", t=" + nowMillis + " ms, " + eventsRun + " events, " + queue.size()
            + " pending]";
    }

    /** {@link #clock()}: reads the simulated time, in UTC. */
    private final class SimulatedClock extends Clock {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the simulated clock is in UTC only");
        }

        @Override
        public long millis() {
            return START.toEpochMilli() + nowMillis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }
    }
}

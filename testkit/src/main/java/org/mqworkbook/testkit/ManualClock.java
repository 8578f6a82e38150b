package org.mqworkbook.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that stands still until the test moves it forward, so that a redelivery deadline, a
 * session timeout or a retention limit expires exactly when the test says so and never because the
 * machine was slow. Methods of this class are thread safe: the test thread calls {@link #advance}
 * while broker threads (request handlers, timers, redelivery scanners) read the time through
 * {@link #instant()} and {@link #millis()}; a reader sees an advance as soon as {@code advance}
 * returns.
 *
 * <p>Give the broker a {@code Clock} in its constructor and the tests a {@code ManualClock}, as Kafka
 * gives its components a {@code Time} and its tests a {@code MockTime}. Production code then asks
 * {@code clock.millis()} instead of calling {@code System.currentTimeMillis()}, and a test can write:
 *
 * <pre>{@code
 * ManualClock clock = new ManualClock();
 * Broker broker = new Broker(clock);
 * ...
 * clock.advance(Duration.ofSeconds(31));   // the 30 s visibility timeout has now expired
 * }</pre>
 *
 * <p>The clock only moves forwards: a deadline that has passed stays passed, which is what the
 * broker's code may assume of a real clock's {@code millis()} over short intervals. It starts at
 * {@link #DEFAULT_START} unless told otherwise and its zone is UTC. This clock is not serializable.
 */
public final class ManualClock extends Clock {

    /** Where a clock made with {@link #ManualClock()} starts: 2026-01-01T00:00:00Z. */
    public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

    /*
     * The current time, shared with every view made by withZone, so advancing one advances all.
     * Written by the test thread in advance(), read by any broker thread. An AtomicReference rather
     * than a volatile field: its get() is the same volatile read, and updateAndGet keeps two threads
     * that advance at once (say the test and a scheduler it drives) from losing one of the steps.
     */
    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    /** A clock standing at {@link #DEFAULT_START}, zone UTC. */
    public ManualClock() {
        this(DEFAULT_START);
    }

    /**
     * A clock standing at {@code start}, zone UTC.
     *
     * @param start the instant the clock shows until it is first advanced
     */
    public ManualClock(Instant start) {
        this(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
    }

    private ManualClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /**
     * Moves this clock, and every view of it made by {@link #withZone}, forward by {@code duration}.
     *
     * @param duration how far to move; zero is allowed and changes nothing
     * @throws IllegalArgumentException if {@code duration} is negative: time in the broker never goes
     *     backwards, so a test that wants it to is mistaken
     */
    public void advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException(
                "A ManualClock only moves forwards, but advance was asked to move it by " + duration);
        }
        now.updateAndGet(current -> current.plus(duration));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public long millis() {
        return now.get().toEpochMilli();
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    /**
     * A view of this clock in another zone. It shares this clock's time: advancing either one moves
     * both.
     */
    @Override
    public ManualClock withZone(ZoneId newZone) {
        Objects.requireNonNull(newZone, "newZone");
        if (newZone.equals(zone)) {
            return this;
        }
        return new ManualClock(now, newZone);
    }

    @Override
    public String toString() {
        return "ManualClock[" + now.get() + ", " + zone + "]";
    }
}

package org.mqworkbook.testkit.sim;

import java.time.Duration;

/**
 * How a {@link SimNetwork} mistreats messages: each one is dropped with probability {@code dropRate}, else
 * delivered after a delay drawn uniformly between {@code minDelay} and {@code maxDelay} (different delays
 * reorder messages, as a real network may between two connections), and delivered a second time, after
 * another delay, with probability {@code duplicateRate} (a retry whose first attempt did arrive). Immutable.
 *
 * @param dropRate      the chance a message is lost, 0 to 1
 * @param minDelay      the shortest delay
 * @param maxDelay      the longest delay, at least {@code minDelay}
 * @param duplicateRate the chance a delivered message is delivered twice, 0 to 1
 */
public record NetworkFaults(double dropRate, Duration minDelay, Duration maxDelay, double duplicateRate) {
    /** A perfect network with a fixed 1 ms delay: nothing lost, nothing reordered, nothing repeated. */
    public static final NetworkFaults NONE = new NetworkFaults(0, Duration.ofMillis(1), Duration.ofMillis(1), 0);

    /** Checks the ranges, naming the one that is wrong. */
    public NetworkFaults {
        if (!(dropRate >= 0 && dropRate <= 1) || !(duplicateRate >= 0 && duplicateRate <= 1)) {
            throw new IllegalArgumentException("rates are between 0 and 1, not drop " + dropRate + ", duplicate "
                + duplicateRate);
        }
        if (minDelay.isNegative() || maxDelay.compareTo(minDelay) < 0) {
            throw new IllegalArgumentException("delays need 0 <= min <= max, not " + minDelay + " to " + maxDelay);
        }
    }

    /** Loses {@code dropRate} of messages and delays the rest between the two bounds; no duplicates. */
    public static NetworkFaults lossy(double dropRate, Duration minDelay, Duration maxDelay) {
        return new NetworkFaults(dropRate, minDelay, maxDelay, 0);
    }

    /** The same faults, with duplicates. */
    public NetworkFaults withDuplicates(double rate) {
        return new NetworkFaults(dropRate, minDelay, maxDelay, rate);
    }
}

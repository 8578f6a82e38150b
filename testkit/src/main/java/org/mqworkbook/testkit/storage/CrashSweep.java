package org.mqworkbook.testkit.storage;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link CrashPoints#sweep} visited. Instances are immutable and thread safe.
 *
 * @param seed the sweep's seed, from which each crash point's disk seed is derived
 * @param mode what each crash did with unforced writes
 * @param operations how many mutating operations the workload made when nothing crashed: its crash
 *     points are 1 to {@code operations}, and {@code operations + 1} stands for the crash after it
 *     finished
 * @param crashPoints the crash points whose recovery was checked, in increasing order; the last is
 *     always {@code operations + 1}
 * @param unreachedPoints crash points the workload never reached because it made fewer operations than
 *     the clean run: a sign that the workload is not deterministic (its recovery was still checked, after
 *     a crash at its end). Empty for a deterministic workload.
 */
public record CrashSweep(long seed, CrashMode mode, long operations, List<Long> crashPoints,
    List<Long> unreachedPoints) {

    /** Copies the lists. */
    public CrashSweep {
        Objects.requireNonNull(mode, "mode");
        crashPoints = List.copyOf(crashPoints);
        unreachedPoints = List.copyOf(unreachedPoints);
    }

    @Override
    public String toString() {
        return "crash sweep with seed " + seed + " (" + mode + "): checked " + crashPoints.size()
            + " crash points of a workload of " + operations + " operations"
            + (unreachedPoints.isEmpty() ? "" : "; never reached " + unreachedPoints);
    }
}

package org.mqworkbook.testkit.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import org.mqworkbook.marker.ExerciseNotDone;

/**
 * Crashes a storage workload at each of its mutating operations in turn and checks its recovery after
 * each crash: the systematic way to find the one write after which recovery loses an acknowledged
 * record. This class has no state; {@link #sweep} may run in several threads at once, each with its own
 * directory.
 *
 * <p>How a sweep runs:
 *
 * <ol>
 *   <li>The workload runs once on a {@link CrashSimulator} with no crash point, to count its mutating
 *       operations {@code N}. The disk then crashes anyway (the power fails after the workload
 *       finished: crash point {@code N + 1}) and the check runs.
 *   <li>For each crash point {@code k} in 1..N (at most {@code maxPoints} of them, spread evenly with the
 *       first and the last included when there are more), the workload runs again in a fresh directory
 *       on a fresh simulator whose operation {@code k} fails; the disk crashes and the check runs.
 * </ol>
 *
 * <p>Each crash point's simulator has its own seed, derived from the sweep's seed and {@code k}, so
 * that the points do not all make the same drop-or-tear choices; the {@link CrashReport} in a failure
 * shows it. A failing point throws an {@code AssertionError} that names the sweep's seed, the crash
 * point, the check's own failure and the report, and leaves that point's files on disk to look at; the
 * directories of passing points are deleted as the sweep goes.
 *
 * <p>Replaying: the same seed replays the same crashes. Tests take the seed from the project's
 * {@link org.mqworkbook.testkit.Seeded} extension, whose failure message ends with
 * {@code [replay with -Dseed=…]}; run the test again with that property:
 *
 * <pre>{@code
 * @ExtendWith(Seeded.class)
 * class RecordLogCrashTest {
 *     @Test
 *     void keepsEveryAcknowledgedRecordWhereverThePowerFails(Random random, @TempDir Path tempDir)
 *         throws IOException {
 *         CrashPoints.sweep(random.nextLong(), 200, tempDir, new RecordLogScenario());
 *     }
 * }
 * }</pre>
 *
 * <p>A workload or check that throws {@link ExerciseNotDone} ends the sweep with that exception as it
 * is: the exercise is not done, and no crash point can say more.
 */
public final class CrashPoints {

    /** The crash point that stands for "no crash point": the power fails after the workload finished. */
    private static final long AT_THE_END = 0;
    private static final String REPLAY_HINT = "\n  the same sweep seed replays this run; a test that draws its"
        + " seed from the Random of the Seeded extension replays with the -Dseed=... that Seeded reports";

    private CrashPoints() {
    }

    /**
     * Sweeps the crash points of {@code scenario}'s workload with {@link CrashMode#DROP_OR_TEAR}.
     *
     * @see #sweep(long, CrashMode, int, Path, CrashScenario)
     */
    public static <T> CrashSweep sweep(long seed, int maxPoints, Path directory, CrashScenario<T> scenario)
        throws IOException {
        return sweep(seed, CrashMode.DROP_OR_TEAR, maxPoints, directory, scenario);
    }

    /**
     * Runs {@code scenario}'s workload once without a crash point and then once per crash point, crashes
     * the disk after each run, and checks the recovery each time.
     *
     * @param seed chooses what each crash keeps; the same seed replays the same crashes
     * @param mode what each crash does with unforced writes
     * @param maxPoints at most this many crash points inside the workload (the crash after it finished
     *     is checked as well)
     * @param directory where each run gets its own subdirectory, {@code crash-point-<k>} (a test's
     *     {@code @TempDir})
     * @param scenario the workload and the check of its recovery
     * @return which crash points were checked
     * @throws AssertionError if a check fails at some crash point, or the workload fails before any
     *     crash; its message names the seed, the crash point and the {@link CrashReport}
     * @throws IOException if a directory cannot be created or a crashed file rewritten
     */
    public static <T> CrashSweep sweep(long seed, CrashMode mode, int maxPoints, Path directory,
        CrashScenario<T> scenario) throws IOException {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(scenario, "scenario");
        if (maxPoints < 1) {
            throw new IllegalArgumentException("A sweep needs at least one crash point, but maxPoints is "
                + maxPoints);
        }
        Sweep<T> sweep = new Sweep<>(seed, mode, directory, scenario);
        long operations = sweep.run(AT_THE_END, -1).operations();
        List<Long> checked = new ArrayList<>();
        List<Long> unreached = new ArrayList<>();
        for (long point : choose(operations, maxPoints)) {
            Run run = sweep.run(point, operations);
            checked.add(point);
            if (!run.powerFailed()) {
                unreached.add(point);
            }
        }
        checked.add(operations + 1);
        return new CrashSweep(seed, mode, operations, checked, unreached);
    }

    /**
     * Up to {@code maxPoints} crash points in 1..operations, evenly spread, first and last included when
     * {@code maxPoints} is at least 2.
     */
    static List<Long> choose(long operations, int maxPoints) {
        List<Long> points = new ArrayList<>();
        if (operations <= maxPoints) {
            for (long k = 1; k <= operations; k++) {
                points.add(k);
            }
            return points;
        }
        // Steps of (operations - 1) / (maxPoints - 1) >= 1, so the points are distinct and increasing.
        long gaps = Math.max(1, maxPoints - 1);
        for (long i = 0; i < maxPoints; i++) {
            points.add(1 + i * (operations - 1) / gaps);
        }
        return points;
    }

    /**
     * The seed of one crash point's simulator: the sweep's seed and the point, mixed (SplitMix64's
     * finaliser). With one seed for every point, each point would make the same first drop-or-tear
     * choice, and a whole sweep would only ever drop, or only ever tear, its busiest file.
     */
    static long pointSeed(long seed, long point) {
        long z = seed + (point + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** One sweep's fixed inputs, and a run of its workload at one crash point. */
    private record Sweep<T>(long seed, CrashMode mode, Path directory, CrashScenario<T> scenario) {

        /**
         * Runs the workload with the power failing at {@code point} ({@link #AT_THE_END}: after it
         * finished), crashes the disk and checks the recovery.
         *
         * @param operations the clean run's operations, or -1 while counting them
         */
        Run run(long point, long operations) throws IOException {
            Path runDirectory = directory.resolve(point == AT_THE_END ? "crash-point-end" : "crash-point-" + point);
            Files.createDirectories(runDirectory);
            CrashSimulator disk = new CrashSimulator(pointSeed(seed, point), mode);
            if (point != AT_THE_END) {
                disk.crashAt(point);
            }
            List<T> acknowledged = Collections.synchronizedList(new ArrayList<>());
            Throwable stopped = null;
            try {
                scenario.workload(disk, runDirectory, acknowledged);
            } catch (ExerciseNotDone e) {
                try {
                    disk.crash(); // only to close the channels
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            } catch (Exception | SimulatedCrash | AssertionError e) {
                stopped = e;
            }
            boolean powerFailed = disk.hasLostPower();
            long made = disk.operations();
            CrashReport report = disk.crash();
            long total = operations < 0 ? made : operations;
            if (stopped != null && !powerFailed) {
                // After the power failed, whatever the workload threw is the process dying; before, it is
                // a broken workload or broken storage code, and no crash explains it.
                String run = point == AT_THE_END ? "on its run without a crash point"
                    : "on its run for crash point " + point + " of " + (total + 1) + ", before reaching it";
                throw new AssertionError("The workload of the sweep with seed " + seed + " (" + mode
                    + ") failed before any crash, " + run + ": " + stopped + "\n" + report
                    + "\n  the files are kept in " + runDirectory + REPLAY_HINT, stopped);
            }
            List<T> copy = Collections.unmodifiableList(new ArrayList<>(acknowledged));
            try {
                scenario.check(runDirectory, copy);
            } catch (ExerciseNotDone e) {
                throw e;
            } catch (Exception | AssertionError e) {
                throw new AssertionError(describe(point, total) + " failed its check: " + e + "\n" + report
                    + "\n  acknowledged before the crash: " + copy.size() + (copy.size() == 1 ? " item" : " items")
                    + (copy.isEmpty() ? "" : ", the last " + copy.get(copy.size() - 1))
                    + "\n  the files are kept in " + runDirectory + REPLAY_HINT, e);
            }
            deleteRecursively(runDirectory);
            return new Run(made, powerFailed);
        }

        private String describe(long point, long operations) {
            String which = point == AT_THE_END
                ? "The crash after the workload finished (crash point " + (operations + 1) + " of "
                    + (operations + 1) + ")"
                : "Crash point " + point + " of " + (operations + 1);
            return which + " of the sweep with seed " + seed + " (" + mode + ")";
        }
    }

    /**
     * What one run of the workload did.
     *
     * @param operations how many mutating operations it completed
     * @param powerFailed whether its crash point was reached while it ran
     */
    private record Run(long operations, boolean powerFailed) {
    }

    private static void deleteRecursively(Path directory) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(directory)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path path : paths) {
            Files.delete(path);
        }
    }
}

package org.mqworkbook.testkit.storage;

import java.nio.file.Path;
import java.util.List;

/**
 * A storage workload and the check of its recovery, for {@link CrashPoints#sweep}: the sweep runs the
 * workload once per crash point, crashes the disk, and hands the directory to the check.
 *
 * <p>The two phases meet in the list of acknowledgements. The workload adds to it what the storage
 * code has promised is durable, at the moment of the promise (typically right after a {@code flush}
 * or a force returns), so that the list is correct however far the workload got before the crash. The
 * check recovers from the directory and asserts that everything acknowledged is there:
 *
 * <pre>{@code
 * CrashPoints.sweep(seed, 200, tempDir, new CrashScenario<String>() {
 *     @Override
 *     public void workload(CrashSimulator disk, Path directory, List<String> acknowledged)
 *         throws IOException {
 *         try (RecordLog log = RecordLog.open(directory, disk::open)) {
 *             for (int i = 0; i < 20; i++) {
 *                 log.append("m-" + i);
 *                 if (i % 5 == 4) {
 *                     log.flush();                                    // force: now it is durable
 *                     acknowledged.addAll(log.appendedSinceLastAcknowledgement());
 *                 }
 *             }
 *         }
 *     }
 *
 *     @Override
 *     public void check(Path directory, List<String> acknowledged) throws IOException {
 *         try (RecordLog log = RecordLog.open(directory, FileChannel::open)) {   // recovery
 *             assertThat(log.readAll()).containsAll(acknowledged);
 *         }
 *     }
 * });
 * }</pre>
 *
 * <p>The workload may be stopped at any operation by a {@link SimulatedCrash}; it should let the
 * crash propagate (or simply not catch it: it is an {@code Error}). Both methods may throw whatever
 * they like; the sweep turns a failure into an {@code AssertionError} that names the seed, the crash
 * point and the {@link CrashReport}. Implementations need no state of their own: each run gets a fresh
 * directory, a fresh simulator and a fresh list.
 *
 * @param <T> what the workload acknowledges: record payloads, offsets, message ids
 */
public interface CrashScenario<T> {

    /**
     * Runs the storage code against {@code disk}, with its files in {@code directory}.
     *
     * @param disk the simulated disk: give the storage code {@code disk::open} as its file opener
     * @param directory an empty directory for this run's files
     * @param acknowledged add here, as it happens, what the storage code has made durable; the list is
     *     thread safe, so a flusher thread may add to it
     */
    void workload(CrashSimulator disk, Path directory, List<T> acknowledged) throws Exception;

    /**
     * Recovers from what the crash left in {@code directory}, through real {@code FileChannel}s
     * ({@code FileChannel::open}), and asserts that nothing acknowledged was lost (and, as the chapter
     * promises, nothing corrupt was returned).
     *
     * @param directory the same directory, after the crash
     * @param acknowledged an unmodifiable copy of what the workload acknowledged before the crash
     */
    void check(Path directory, List<T> acknowledged) throws Exception;
}

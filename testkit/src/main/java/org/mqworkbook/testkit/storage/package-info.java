/**
 * Crash consistency at fsync granularity: a file layer for storage tests that loses, at a "power
 * failure", exactly what a real disk may lose, and nothing that was forced.
 *
 * <p>The storage code under test opens its files through a seam ({@code FileOpener}, whose real
 * implementation is {@code FileChannel::open}); the test hands it {@code disk::open} instead:
 *
 * <pre>
 *   storage code under test                     CrashSimulator (one "disk", one seed)
 *   ───────────────────────                     ─────────────────────────────────────
 *   opener.open(path, options) ───────────────▶ open: remember the file, wrap a real FileChannel
 *        │                                            │
 *        ▼                                            ▼
 *   channel.write / truncate ─────────────────▶ CrashableFileChannel ──▶ real file in a temp directory
 *   channel.force ─────────────────────────────▶   (each of these is one numbered operation;
 *                                                   force makes the file's content its durable image)
 *                                                     │
 *   test: disk.crashAt(k) ─────────────────────▶ operation k throws SimulatedCrash; the power is off
 *   test: disk.crash() ────────────────────────▶ each file := durable image + a seeded prefix of the
 *                                                 unforced writes (dropped, or torn at a byte)
 *                                                     │
 *   test: recovery with FileChannel::open ◀────── the real files, as they would be after reboot
 *                                                 + CrashReport: per file, what was kept
 * </pre>
 *
 * <ul>
 *   <li>{@link org.mqworkbook.testkit.storage.CrashSimulator}: the disk, its model of durability and
 *       what it does not model (directory entries, reordered write-back);
 *   <li>{@link org.mqworkbook.testkit.storage.CrashableFileChannel}: the {@code FileChannel} that the
 *       storage code holds;
 *   <li>{@link org.mqworkbook.testkit.storage.CrashMode}: drop the unforced writes, tear them at a byte,
 *       or tear them and leave garbage in the torn sector;
 *   <li>{@link org.mqworkbook.testkit.storage.SimulatedCrash}: the power failure, an {@code Error} so
 *       that storage code cannot swallow it;
 *   <li>{@link org.mqworkbook.testkit.storage.CrashReport}: what each file kept, readable when a test
 *       fails;
 *   <li>{@link org.mqworkbook.testkit.storage.CrashPoints} and
 *       {@link org.mqworkbook.testkit.storage.CrashScenario}: crash a workload at every one of its
 *       operations in turn and check recovery after each; {@link org.mqworkbook.testkit.storage.CrashSweep}
 *       says which points were checked.
 * </ul>
 *
 * <p>The idea is the one behind ALICE and CrashMonkey, cut down to what chapter 6 needs: record the
 * operations a program makes on its files, and construct each state that a crash at each point could
 * leave on disk, instead of pulling the plug and hoping to hit the interesting moment.
 */
package org.mqworkbook.testkit.storage;

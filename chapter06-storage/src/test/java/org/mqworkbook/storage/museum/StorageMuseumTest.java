package org.mqworkbook.storage.museum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.testkit.Seeded;
import org.mqworkbook.testkit.storage.CrashMode;
import org.mqworkbook.testkit.storage.CrashPoints;
import org.mqworkbook.testkit.storage.CrashScenario;
import org.mqworkbook.testkit.storage.CrashSimulator;

/**
 * The storage failure museum: the crash sweep that checks the learner's log, run against logs that are
 * wrong on purpose. Each exhibit must be caught; the honest {@link TinyLog} must not be. README section
 * "Failure museum".
 */
@Timeout(60)
@ExtendWith(Seeded.class)
class StorageMuseumTest {
    @TempDir
    Path dir;

    /** How to open one of the museum's logs. */
    @FunctionalInterface
    interface Opener {
        TinyLog open(Path dir, FileOpener files) throws IOException;
    }

    /** The i-th value the workload writes: known in advance, so that any other content is garbage. */
    private static String valueNumber(int i) {
        return "value-" + i + "-" + "x".repeat(i % 7 * 20);
    }

    /** 40 values, each acknowledged when the log's append returns; recovery must keep them and invent none. */
    private static CrashScenario<String> appendsOf(Opener opener) {
        return new CrashScenario<>() {
            @Override
            public void workload(CrashSimulator disk, Path directory, List<String> acknowledged) throws Exception {
                try (TinyLog log = opener.open(directory, disk::open)) {
                    for (int i = 0; i < 40; i++) {
                        String value = valueNumber(i);
                        log.appendAndAcknowledge(value);
                        acknowledged.add(value);
                    }
                }
            }

            @Override
            public void check(Path directory, List<String> acknowledged) throws Exception {
                try (TinyLog log = opener.open(directory, FileChannel::open)) {
                    List<String> recovered = log.readAll();
                    assertThat(recovered.size()).as("acknowledged records survive").isGreaterThanOrEqualTo(
                        acknowledged.size());
                    for (int i = 0; i < recovered.size(); i++) {
                        assertThat(recovered.get(i)).as("record %d is what was written", i)
                            .isEqualTo(valueNumber(i));
                    }
                }
            }
        };
    }

    /**
     * 30 values, acknowledged three at a time; after recovery 10 more of other lengths are appended, and every offset is
     * read back through the index.
     */
    private static CrashScenario<String> indexedAppends(boolean rebuildIndex) {
        return new CrashScenario<>() {
            @Override
            public void workload(CrashSimulator disk, Path directory, List<String> acknowledged) throws Exception {
                try (IndexedTinyLog log = new IndexedTinyLog(directory, disk::open, rebuildIndex)) {
                    for (int i = 0; i < 30; i++) {
                        log.append(valueNumber(i));
                        if (i % 3 == 2) {
                            log.sync();
                            acknowledged.addAll(List.of(valueNumber(i - 2), valueNumber(i - 1), valueNumber(i)));
                        }
                    }
                }
            }

            @Override
            public void check(Path directory, List<String> acknowledged) throws Exception {
                try (IndexedTinyLog log = new IndexedTinyLog(directory, FileChannel::open, rebuildIndex)) {
                    long kept = log.nextOffset();
                    assertThat(kept).as("acknowledged records survive").isGreaterThanOrEqualTo(acknowledged.size());
                    for (int i = 0; i < 10; i++) {
                        log.append("after-" + i + "-" + "y".repeat(i * 13));
                    }
                    log.sync();
                    for (long offset = 0; offset < kept + 10; offset++) {
                        String expected = offset < kept ? valueNumber((int) offset)
                            : "after-" + (offset - kept) + "-" + "y".repeat((int) (offset - kept) * 13);
                        assertThat(log.read(offset)).as("offset %d read through the index", offset)
                            .isEqualTo(expected);
                    }
                }
            }
        };
    }

    @Test
    void theSweepFindsNothingWrongWithALogThatRebuildsItsIndex(Random random) throws IOException {
        CrashPoints.sweep(random.nextLong(), CrashMode.DROP_OR_TEAR, 200, dir, indexedAppends(true));
    }

    @Test
    void theSweepCatchesARecoveryThatTrustsTheIndex(Random random) {
        assertThatThrownBy(() -> CrashPoints.sweep(random.nextLong(), CrashMode.DROP, 200, dir,
            indexedAppends(false)))
            .as("index entries for records the crash took send lookups to the wrong place")
            .isInstanceOf(AssertionError.class).hasMessageContaining("read through the index");
    }

    @Test
    void theSweepFindsNothingWrongWithAnHonestLog(Random random) throws IOException {
        CrashPoints.sweep(random.nextLong(), CrashMode.TEAR_WITH_GARBAGE, 200, dir,
            appendsOf((d, files) -> new TinyLog(d, files, true, true)));
    }

    @Test
    void theSweepCatchesALogThatAcknowledgesBeforeFsync(Random random) {
        assertThatThrownBy(() -> CrashPoints.sweep(random.nextLong(), CrashMode.DROP, 200, dir,
            appendsOf(AcksBeforeFsyncLog::new)))
            .as("acknowledged records vanish with the page cache")
            .isInstanceOf(AssertionError.class).hasMessageContaining("acknowledged records survive");
    }

    @Test
    void theSweepCatchesALogWithoutChecksums(Random random) throws IOException {
        // Garbage is read back as a record only when a tear leaves a plausible length and enough bytes
        // after it: most sweeps find such a crash point, a rare one does not. So sweep again, with new
        // seeds, until one does — ten sweeps that all miss would take odds far below one in a billion.
        AssertionError caught = null;
        for (int sweep = 0; sweep < 10 && caught == null; sweep++) {
            try {
                CrashPoints.sweep(random.nextLong(), CrashMode.TEAR_WITH_GARBAGE, 200,
                    dir.resolve("sweep-" + sweep), appendsOf(NoChecksumLog::new));
            } catch (AssertionError e) {
                caught = e;
            }
        }

        assertThat(caught).as("a torn record full of garbage is read back as data").isNotNull();
        assertThat(caught).hasMessageContaining("is what was written");
    }

    /** Checkpoints 1, 2, … 8, each acknowledged when write returns; after a crash the last one must be there. */
    private static CrashScenario<Long> checkpoints(boolean forceBeforeRename) {
        return new CrashScenario<>() {
            @Override
            public void workload(CrashSimulator disk, Path directory, List<Long> acknowledged) throws Exception {
                TinyCheckpoint checkpoint = new TinyCheckpoint(directory, disk::open, forceBeforeRename);
                for (long value = 1; value <= 8; value++) {
                    checkpoint.write(value);
                    acknowledged.add(value);
                }
            }

            @Override
            public void check(Path directory, List<Long> acknowledged) throws Exception {
                long last = acknowledged.isEmpty() ? -1 : acknowledged.get(acknowledged.size() - 1);
                assertThat(new TinyCheckpoint(directory, FileChannel::open, forceBeforeRename).read())
                    .as("the checkpoint holds the last acknowledged value or a later one").isGreaterThanOrEqualTo(last);
            }
        };
    }

    @Test
    void theSweepFindsNothingWrongWithACheckpointForcedBeforeItsRename(Random random) throws IOException {
        CrashPoints.sweep(random.nextLong(), CrashMode.DROP_OR_TEAR, 200, dir, checkpoints(true));
    }

    @Test
    void theSweepCatchesACheckpointRenamedBeforeItWasForced(Random random) {
        assertThatThrownBy(() -> CrashPoints.sweep(random.nextLong(), CrashMode.DROP, 200, dir, checkpoints(false)))
            .as("the rename survives the crash, the bytes it names do not: an empty file under the real name")
            .isInstanceOf(AssertionError.class).hasMessageContaining("not a whole checkpoint");
    }
}

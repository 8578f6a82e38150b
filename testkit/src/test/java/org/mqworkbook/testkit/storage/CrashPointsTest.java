package org.mqworkbook.testkit.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mqworkbook.marker.ExerciseNotDone;
import org.mqworkbook.testkit.Seeded;

/**
 * The sweep over crash points, on {@link RecordLogScenario}: 10 records of two writes each, forced every
 * 3 records and at the end, which makes 20 writes and 4 forces.
 */
@Timeout(30)
@ExtendWith(Seeded.class)
class CrashPointsTest {

    private static final int RECORDS = 10;
    private static final int FORCE_EVERY = 3;
    private static final long OPERATIONS = 24;

    @TempDir
    private Path dir;

    private final RecordLogScenario scenario = new RecordLogScenario(RECORDS, FORCE_EVERY);

    @Test
    void visitsEveryCrashPointAndTheCrashAfterTheEnd(Random random) throws IOException {
        CrashSweep sweep = CrashPoints.sweep(random.nextLong(), 100, dir, scenario);

        assertThat(scenario.operations()).isEqualTo(OPERATIONS);
        assertThat(sweep.operations()).isEqualTo(OPERATIONS);
        assertThat(sweep.crashPoints()).containsExactlyElementsOf(
            LongStream.rangeClosed(1, OPERATIONS + 1).boxed().toList());
        assertThat(sweep.unreachedPoints()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = CrashMode.class, names = {"DROP", "TEAR", "DROP_OR_TEAR"})
    void aLogThatAcknowledgesOnlyAfterAForceKeepsEveryAcknowledgedRecord(CrashMode mode, Random random)
        throws IOException {
        CrashSweep sweep = CrashPoints.sweep(random.nextLong(), mode, 100, dir, scenario);

        assertThat(sweep.crashPoints()).hasSize((int) OPERATIONS + 1);
    }

    @Test
    void spreadsTheCrashPointsEvenlyWhenThereAreMoreThanMaxPoints(Random random) throws IOException {
        CrashSweep sweep = CrashPoints.sweep(random.nextLong(), 5, dir, scenario);

        assertThat(sweep.crashPoints()).containsExactly(1L, 6L, 12L, 18L, 24L, 25L);
    }

    @Test
    void deletesTheFilesOfEveryPassingCrashPoint(Random random) throws IOException {
        CrashPoints.sweep(random.nextLong(), 100, dir, scenario);

        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aFailingCheckNamesTheSeedTheCrashPointAndTheCrashReport() throws IOException {
        CrashScenario<String> expectsEveryRecord = new RecordLogScenario(RECORDS, FORCE_EVERY) {
            @Override
            public void check(Path directory, List<String> acknowledged) throws IOException {
                assertThat(recover(directory)).as("records after recovery").hasSize(RECORDS);
            }
        };

        Throwable failure = catchThrowable(() -> CrashPoints.sweep(42, 100, dir, expectsEveryRecord));

        // The clean run forces every record, so the first point to fail is the first operation.
        assertThat(failure).isInstanceOf(AssertionError.class)
            .hasMessageContaining("Crash point 1 of 25 of the sweep with seed 42 (DROP_OR_TEAR) failed its check")
            .hasMessageContaining("[records after recovery]")
            .hasMessageContaining("crash of the disk with seed " + CrashPoints.pointSeed(42, 1))
            .hasMessageContaining("interrupted: write of 4 bytes at position 0 of "
                + dir.resolve("crash-point-1").resolve(RecordLogScenario.FILE_NAME))
            .hasMessageContaining("the files are kept in " + dir.resolve("crash-point-1"))
            .hasMessageContaining("-Dseed=")
            .hasCauseInstanceOf(AssertionError.class);
        assertThat(dir.resolve("crash-point-1").resolve(RecordLogScenario.FILE_NAME)).exists();
    }

    @Test
    void catchesALogThatAcknowledgesRecordsBeforeForcingThem(Random random) {
        RecordLogScenario acknowledgesTooEarly = RecordLogScenario.acknowledgingBeforeForcing(RECORDS, FORCE_EVERY);

        assertThatThrownBy(() -> CrashPoints.sweep(random.nextLong(), CrashMode.DROP, 100, dir, acknowledgesTooEarly))
            .isInstanceOf(AssertionError.class)
            .hasMessageContaining("failed its check")
            .hasMessageContaining("[every acknowledged record]");
    }

    @Test
    void aWorkloadThatFailsBeforeAnyCrashIsReportedAsSuch() {
        CrashScenario<String> brokenWorkload = new RecordLogScenario(RECORDS, FORCE_EVERY) {
            @Override
            public void workload(CrashSimulator disk, Path directory, List<String> acknowledged) throws IOException {
                throw new IOException("No space left on device");
            }
        };

        assertThatThrownBy(() -> CrashPoints.sweep(42, 100, dir, brokenWorkload))
            .isInstanceOf(AssertionError.class)
            .hasMessageContaining("The workload of the sweep with seed 42 (DROP_OR_TEAR) failed before any crash,"
                + " on its run without a crash point")
            .hasMessageContaining("No space left on device")
            .hasCauseInstanceOf(IOException.class);
    }

    @Test
    void anUnfinishedExerciseEndsTheSweepWithTheExercisesOwnMarker() {
        CrashScenario<String> skeleton = new RecordLogScenario(RECORDS, FORCE_EVERY) {
            @Override
            public void workload(CrashSimulator disk, Path directory, List<String> acknowledged) {
                throw new ExerciseNotDone("6.1");
            }
        };

        assertThatThrownBy(() -> CrashPoints.sweep(42, 100, dir, skeleton)).isInstanceOf(ExerciseNotDone.class);
    }

    @Test
    void choosesAtMostMaxPointsWithTheFirstAndTheLastOperation() {
        assertThat(CrashPoints.choose(3, 10)).containsExactly(1L, 2L, 3L);
        assertThat(CrashPoints.choose(100, 4)).containsExactly(1L, 34L, 67L, 100L);
        assertThat(CrashPoints.choose(0, 10)).isEmpty();
    }
}

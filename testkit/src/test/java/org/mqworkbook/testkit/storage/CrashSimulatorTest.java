package org.mqworkbook.testkit.storage;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.DSYNC;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mqworkbook.testkit.Seeded;
import org.mqworkbook.testkit.storage.CrashReport.Fate;
import org.mqworkbook.testkit.storage.CrashReport.FileOutcome;

/**
 * The crash model: what was forced survives, what was not is dropped or torn as the seed says, and
 * the same seed always does the same thing. Most tests write "forced" bytes, force, then write
 * "unforced" bytes, and look at the file after the crash.
 */
@Timeout(10)
@ExtendWith(Seeded.class)
class CrashSimulatorTest {

    private static final Set<OpenOption> READ_WRITE = Set.of(CREATE, READ, WRITE);
    private static final int SEEDS = 64;

    @TempDir
    private Path dir;

    @ParameterizedTest
    @EnumSource(CrashMode.class)
    void forcedBytesSurviveEveryCrash(CrashMode mode) throws IOException {
        for (long seed = 0; seed < SEEDS; seed++) {
            Path file = dir.resolve(mode + "-" + seed + ".log");

            crashAfterForcedAndUnforcedWrites(new CrashSimulator(seed, mode), file, "forced;", "unforced");

            assertThat(new String(Files.readAllBytes(file), US_ASCII)).as("seed %d", seed).startsWith("forced;");
        }
    }

    @Test
    void dropModeLosesEveryUnforcedWrite() throws IOException {
        Path file = dir.resolve("a.log");

        CrashReport report = crashAfterForcedAndUnforcedWrites(new CrashSimulator(7, CrashMode.DROP), file,
            "forced;", "unforced");

        assertThat(Files.readString(file, US_ASCII)).isEqualTo("forced;");
        assertThat(report.file(file).fate()).isEqualTo(Fate.DROPPED);
        assertThat(report.file(file).keptBytes()).isZero();
    }

    @Test
    void tearModeKeepsTheUnforcedBytesUpToTheCutTheSeedChose() throws IOException {
        Set<Long> cuts = new HashSet<>();
        for (long seed = 0; seed < SEEDS; seed++) {
            Path file = dir.resolve(seed + ".log");

            CrashReport report = crashAfterForcedAndUnforcedWrites(new CrashSimulator(seed, CrashMode.TEAR), file,
                "forced;", "0123456789");

            long kept = report.file(file).keptBytes();
            assertThat(kept).isBetween(0L, 10L);
            assertThat(Files.readString(file, US_ASCII)).as("seed %d", seed)
                .isEqualTo("forced;" + "0123456789".substring(0, (int) kept));
            cuts.add(kept);
        }
        assertThat(cuts).as("the seed chooses the cut").hasSizeGreaterThan(5);
    }

    @Test
    void dropOrTearChoosesForEachSeedAndKeepsWhatTheReportSays() throws IOException {
        Set<Fate> fates = new HashSet<>();
        for (long seed = 0; seed < SEEDS; seed++) {
            Path file = dir.resolve(seed + ".log");

            CrashReport report = crashAfterForcedAndUnforcedWrites(new CrashSimulator(seed), file, "forced;",
                "0123456789");

            FileOutcome outcome = report.file(file);
            assertThat(Files.readString(file, US_ASCII)).as("seed %d", seed)
                .isEqualTo("forced;" + "0123456789".substring(0, (int) outcome.keptBytes()));
            fates.add(outcome.fate());
        }
        assertThat(fates).containsExactlyInAnyOrder(Fate.DROPPED, Fate.TORN);
    }

    @Test
    void tearWithGarbageFillsPartOfTheTornWriteWithGarbage() throws IOException {
        for (long seed = 0; seed < SEEDS; seed++) {
            Path file = dir.resolve(seed + ".log");
            String unforced = "0123456789".repeat(100);

            CrashReport report = crashAfterForcedAndUnforcedWrites(
                new CrashSimulator(seed, CrashMode.TEAR_WITH_GARBAGE), file, "forced;", unforced);

            FileOutcome outcome = report.file(file);
            int kept = (int) outcome.keptBytes();
            assertThat(kept).as("the cut falls inside the write").isLessThan(unforced.length());
            assertThat(outcome.garbageBytes()).isBetween(1, CrashSimulator.MAX_GARBAGE_BYTES);
            byte[] content = Files.readAllBytes(file);
            assertThat(content).hasSize(7 + kept + outcome.garbageBytes());
            assertThat(new String(content, 0, 7 + kept, US_ASCII)).isEqualTo("forced;" + unforced.substring(0, kept));
        }
    }

    @ParameterizedTest
    @EnumSource(CrashMode.class)
    void theSameSeedReplaysTheSameCrash(CrashMode mode) throws IOException {
        for (long seed = 0; seed < SEEDS; seed++) {
            Path first = Files.createDirectories(dir.resolve(mode + "-" + seed + "-first"));
            Path second = Files.createDirectories(dir.resolve(mode + "-" + seed + "-second"));

            CrashReport firstReport = twoFileWorkload(new CrashSimulator(seed, mode), first);
            CrashReport secondReport = twoFileWorkload(new CrashSimulator(seed, mode), second);

            for (String name : List.of("a.log", "b.index")) {
                assertThat(Files.readAllBytes(second.resolve(name))).as("%s, seed %d", name, seed)
                    .isEqualTo(Files.readAllBytes(first.resolve(name)));
                assertThat(withoutPath(secondReport.file(second.resolve(name))))
                    .isEqualTo(withoutPath(firstReport.file(first.resolve(name))));
            }
        }
    }

    @Test
    void anOverwriteAfterAForceIsRolledBackToTheForcedContent() throws IOException {
        Path file = dir.resolve("a.index");
        CrashSimulator disk = new CrashSimulator(3, CrashMode.DROP);
        try (FileChannel channel = disk.open(file, READ_WRITE)) {
            channel.write(ascii("AAAAAAAA"));
            channel.force(true);
            channel.write(ascii("BBBB"), 2);
        }

        disk.crash();

        assertThat(Files.readString(file, US_ASCII)).isEqualTo("AAAAAAAA");
    }

    @Test
    void aTruncationAfterAForceIsRolledBack() throws IOException {
        Path file = dir.resolve("a.log");
        CrashSimulator disk = new CrashSimulator(3, CrashMode.DROP);
        try (FileChannel channel = disk.open(file, READ_WRITE)) {
            channel.write(ascii("0123456789"));
            channel.force(false);
            channel.truncate(4);
        }

        disk.crash();

        assertThat(Files.readString(file, US_ASCII)).isEqualTo("0123456789");
    }

    @Test
    void aForcedFileSurvivesExactlyAsItWasAtItsLastForce(Random random) throws IOException {
        Path realFile = dir.resolve("real.log");
        Path simulatedFile = dir.resolve("simulated.log");
        CrashSimulator disk = new CrashSimulator(random.nextLong(), CrashMode.DROP);
        MirroredOperations operations;
        try (FileChannel real = FileChannel.open(realFile, CREATE, READ, WRITE);
            FileChannel simulated = disk.open(simulatedFile, READ_WRITE)) {
            operations = new MirroredOperations(random, real, realFile, simulated);
            operations.run(500);
        }

        disk.crash();

        assertThat(Files.readAllBytes(simulatedFile)).isEqualTo(operations.contentAtLastForce());
    }

    @Test
    void aForceThroughOneChannelMakesTheWritesOfEveryChannelOfTheFileDurable() throws IOException {
        Path file = dir.resolve("a.log");
        CrashSimulator disk = new CrashSimulator(5, CrashMode.DROP);
        try (FileChannel writer = disk.open(file, READ_WRITE);
            FileChannel flusher = disk.open(file, Set.of(WRITE))) {
            writer.write(ascii("written by one, forced by the other"));
            flusher.force(true);
        }

        disk.crash();

        assertThat(Files.readString(file, US_ASCII)).isEqualTo("written by one, forced by the other");
    }

    @Test
    void aFileOpenedWithDsyncIsDurableAfterEachWrite() throws IOException {
        Path file = dir.resolve("a.log");
        CrashSimulator disk = new CrashSimulator(5, CrashMode.DROP);
        try (FileChannel channel = disk.open(file, Set.of(CREATE, WRITE, DSYNC))) {
            channel.write(ascii("synchronous"));
        }

        disk.crash();

        assertThat(Files.readString(file, US_ASCII)).isEqualTo("synchronous");
    }

    @Test
    void aFileCreatedAndNeverForcedIsEmptyAfterTheCrash() throws IOException {
        Path file = dir.resolve("a.log");
        CrashSimulator disk = new CrashSimulator(5, CrashMode.DROP);
        try (FileChannel channel = disk.open(file, READ_WRITE)) {
            channel.write(ascii("never forced"));
        }

        disk.crash();

        assertThat(file).as("directory entries are not modelled: the file stays").exists().isEmptyFile();
    }

    @Test
    void aFileThatExistedBeforeItWasOpenedCountsAsDurable() throws IOException {
        Path file = dir.resolve("a.log");
        Files.writeString(file, "recovered earlier;", US_ASCII);
        CrashSimulator disk = new CrashSimulator(5, CrashMode.DROP);
        try (FileChannel channel = disk.open(file, Set.of(WRITE, APPEND))) {
            channel.write(ascii("appended during recovery"));
        }

        disk.crash();

        assertThat(Files.readString(file, US_ASCII)).isEqualTo("recovered earlier;");
    }

    @Test
    void aFileDeletedAfterItWasOpenedIsLeftAlone() throws IOException {
        Path file = dir.resolve("a.log");
        CrashSimulator disk = new CrashSimulator(5, CrashMode.DROP);
        try (FileChannel channel = disk.open(file, READ_WRITE)) {
            channel.write(ascii("doomed"));
        }
        Files.delete(file);

        CrashReport report = disk.crash();

        assertThat(file).doesNotExist();
        assertThat(report.file(file).fate()).isEqualTo(Fate.GONE);
    }

    @Test
    void aFileRenamedIntoPlaceBeforeItWasForcedLosesItsUnforcedWritesThere() throws IOException {
        Path tmp = dir.resolve("config.tmp");
        Path file = dir.resolve("config");
        CrashSimulator disk = new CrashSimulator(5, CrashMode.DROP);
        try (FileChannel channel = disk.open(tmp, Set.of(CREATE, WRITE))) {
            channel.write(ascii("capacity=10"));
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);

        CrashReport report = disk.crash();

        assertThat(file).as("the rename survives, the bytes that were never forced do not: the write-rename "
            + "pattern without its fsync").hasContent("");
        assertThat(report.file(file).fate()).isEqualTo(Fate.DROPPED);
    }

    @Test
    void aFileForcedAndThenRenamedKeepsItsContentAtItsNewPath() throws IOException {
        Path tmp = dir.resolve("config.tmp");
        Path file = dir.resolve("config");
        CrashSimulator disk = new CrashSimulator(5, CrashMode.DROP);
        try (FileChannel channel = disk.open(tmp, Set.of(CREATE, WRITE))) {
            channel.write(ascii("capacity=10"));
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);

        CrashReport report = disk.crash();

        assertThat(file).hasContent("capacity=10");
        assertThat(report.file(file).fate()).isEqualTo(Fate.FORCED);
    }

    @Test
    void aTemporaryNameReusedAfterARenameStillTracksTheRenamedFile() throws IOException {
        Path tmp = dir.resolve("acks.tmp");
        Path file = dir.resolve("acks");
        CrashSimulator disk = new CrashSimulator(5, CrashMode.DROP);
        for (String content : List.of("first;", "second;")) {
            try (FileChannel channel = disk.open(tmp, Set.of(CREATE, WRITE, TRUNCATE_EXISTING))) {
                channel.write(ascii(content));
                if (content.equals("first;")) {
                    channel.force(true);
                }
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }

        disk.crash();

        assertThat(file).as("the second file was renamed over the first without a force: a crash leaves "
            + "what was forced of it, nothing").hasContent("");
    }

    @Test
    void aRenamedFileReopenedAtItsNewPathKeepsItsUnforcedWrites() throws IOException {
        Path tmp = dir.resolve("a.tmp");
        Path file = dir.resolve("a");
        CrashSimulator disk = new CrashSimulator(5, CrashMode.DROP);
        try (FileChannel channel = disk.open(tmp, Set.of(CREATE, WRITE))) {
            channel.write(ascii("unforced"));
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel channel = disk.open(file, Set.of(READ))) {
            assertThat(channel.size()).as("the real file holds the unforced bytes until the crash").isEqualTo(8);
        }

        disk.crash();

        assertThat(file).as("reopening it under its new name did not make its content durable").hasContent("");
    }

    @Test
    void forcingTheDirectoryIsAnOperationThatChangesNoFile() throws IOException {
        Path file = dir.resolve("a.log");
        CrashSimulator disk = new CrashSimulator(5, CrashMode.DROP);
        try (FileChannel channel = disk.open(file, READ_WRITE);
            FileChannel directory = disk.open(dir, Set.of(READ))) {
            channel.write(ascii("forced;"));
            channel.force(true);
            directory.force(true);
        }

        CrashReport report = disk.crash();

        assertThat(disk.operations()).isEqualTo(3);
        assertThat(report.files()).extracting(FileOutcome::path).containsExactly(file);
        assertThat(file).hasContent("forced;");
    }

    @Test
    void theOperationAtTheCrashPointThrowsAndNeverReachesTheDisk() throws IOException {
        Path file = dir.resolve("a.log");
        CrashSimulator disk = new CrashSimulator(5, CrashMode.TEAR);
        disk.crashAt(3);
        try (FileChannel channel = disk.open(file, READ_WRITE)) {
            channel.write(ascii("one;"));
            channel.force(true);

            Throwable crash = catchThrowable(() -> channel.write(ascii("two;")));

            assertThat(crash).isInstanceOf(SimulatedCrash.class).hasMessageContaining("operation 3");
            assertThat(((SimulatedCrash) crash).operation()).isEqualTo(3);
            assertThat(file).hasContent("one;");
            assertThat(disk.operations()).isEqualTo(2);
        }
    }

    @Test
    void everyOperationAfterTheCrashPointThrowsSimulatedCrash() throws IOException {
        CrashSimulator disk = new CrashSimulator(5);
        disk.crashAt(1);
        try (FileChannel channel = disk.open(dir.resolve("a.log"), READ_WRITE)) {
            assertThatThrownBy(() -> channel.write(ascii("x"))).isInstanceOf(SimulatedCrash.class);

            assertThatThrownBy(() -> channel.write(ascii("y"))).isInstanceOf(SimulatedCrash.class);
            assertThatThrownBy(() -> channel.force(true)).isInstanceOf(SimulatedCrash.class);
            assertThatThrownBy(() -> channel.read(ByteBuffer.allocate(1))).isInstanceOf(SimulatedCrash.class);
            assertThatThrownBy(channel::size).isInstanceOf(SimulatedCrash.class);
            assertThatThrownBy(() -> disk.open(dir.resolve("b.log"), READ_WRITE))
                .isInstanceOf(SimulatedCrash.class);
        }
    }

    @Test
    void closingAChannelAfterThePowerFailedDoesNotHideTheCrash() throws IOException {
        CrashSimulator disk = new CrashSimulator(5);
        disk.crashAt(1);
        FileChannel channel = disk.open(dir.resolve("a.log"), READ_WRITE);

        Throwable crash = catchThrowable(() -> {
            try (channel) {
                channel.write(ascii("x"));
            }
        });

        assertThat(crash).isInstanceOf(SimulatedCrash.class).hasNoSuppressedExceptions();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void storageCodeCatchingIoOrRuntimeExceptionsCannotSwallowTheCrash() throws IOException {
        CrashSimulator disk = new CrashSimulator(5);
        disk.crashAt(1);
        try (FileChannel channel = disk.open(dir.resolve("a.log"), READ_WRITE)) {
            List<Exception> swallowed = new ArrayList<>();

            Throwable crash = catchThrowable(() -> {
                try {
                    channel.write(ascii("x"));
                } catch (IOException | RuntimeException e) {
                    swallowed.add(e); // what a careless retry loop would do
                }
            });

            assertThat(crash).isInstanceOf(SimulatedCrash.class).isInstanceOf(Error.class);
            assertThat(swallowed).isEmpty();
        }
    }

    @Test
    void channelsAreDeadAfterTheCrash() throws IOException {
        CrashSimulator disk = new CrashSimulator(5);
        FileChannel channel = disk.open(dir.resolve("a.log"), READ_WRITE);

        disk.crash();

        assertThat(channel.isOpen()).isFalse();
        assertThatThrownBy(() -> channel.write(ascii("x"))).isInstanceOf(SimulatedCrash.class);
        assertThatThrownBy(channel::position).isInstanceOf(SimulatedCrash.class);
        assertThatThrownBy(disk::crash).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("new CrashSimulator");
    }

    @Test
    void aCrashPointThatHasAlreadyPassedIsRefused() throws IOException {
        CrashSimulator disk = new CrashSimulator(5);
        try (FileChannel channel = disk.open(dir.resolve("a.log"), READ_WRITE)) {
            channel.write(ascii("x"));
            channel.write(ascii("y"));

            assertThatThrownBy(() -> disk.crashAt(2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already happened");
            assertThatThrownBy(() -> disk.crashAt(0)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void countsWritesTruncationsAndForcesButNotReads() throws IOException {
        CrashSimulator disk = new CrashSimulator(5);
        try (FileChannel channel = disk.open(dir.resolve("a.log"), READ_WRITE)) {
            channel.write(ascii("abc"));
            channel.read(ByteBuffer.allocate(3), 0);
            channel.truncate(1);
            channel.size();
            channel.force(true);
        }

        assertThat(disk.operations()).isEqualTo(3);
    }

    @Test
    void writesFromSeveralThreadsAreEachOneOperationAndAllSurviveAForce() throws Exception {
        int threads = 4;
        int writesPerThread = 100;
        Path file = dir.resolve("a.log");
        CrashSimulator disk = new CrashSimulator(5, CrashMode.DROP);
        ExecutorService writers = Executors.newFixedThreadPool(threads);
        try (FileChannel channel = disk.open(file, Set.of(CREATE, WRITE, APPEND))) {
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int writer = t;
                tasks.add(() -> {
                    for (int i = 0; i < writesPerThread; i++) {
                        channel.write(ByteBuffer.allocate(8).putInt(writer).putInt(i).flip());
                    }
                    return null;
                });
            }
            for (Future<Void> done : writers.invokeAll(tasks)) {
                done.get();
            }
            channel.force(true);
        } finally {
            writers.shutdownNow();
        }

        assertThat(disk.operations()).isEqualTo(threads * writesPerThread + 1);
        disk.crash();

        ByteBuffer content = ByteBuffer.wrap(Files.readAllBytes(file));
        assertThat(content.remaining()).isEqualTo(threads * writesPerThread * 8);
        int[] next = new int[threads];
        while (content.hasRemaining()) {
            int writer = content.getInt();
            assertThat(content.getInt()).as("writer %d's records, in order", writer).isEqualTo(next[writer]++);
        }
        assertThat(next).containsOnly(writesPerThread);
    }

    @Test
    void theReportNamesEachFilesForcedLengthUnforcedBytesKeptBytesAndTheSeed() throws IOException {
        Path file = dir.resolve("a.log");

        CrashReport report = crashAfterForcedAndUnforcedWrites(new CrashSimulator(42, CrashMode.DROP), file,
            "forced;", "unforced");

        assertThat(report.toString())
            .contains("seed 42", "DROP", file.toString(), "forced 7 bytes", "unforced 2 operations, 8 bytes",
                "dropped", "length now 7");
    }

    @Test
    void theReportOfATornWriteSaysHowManyBytesWereKept() throws IOException {
        Path file = dir.resolve("a.log");
        CrashSimulator disk = new CrashSimulator(42, CrashMode.TEAR);
        disk.crashAt(3);
        try (FileChannel channel = disk.open(file, READ_WRITE)) {
            channel.write(ascii("0123456789"));
            channel.write(ascii("abcdefghij"));
            catchThrowable(() -> channel.force(true));
        }

        CrashReport report = disk.crash();

        FileOutcome outcome = report.file(file);
        assertThat(report.toString())
            .contains("power lost at operation 3, after 2 completed operations", "interrupted: force of " + file,
                "torn: kept " + outcome.keptBytes() + " of 20 bytes", "length now " + outcome.lengthAfterCrash());
    }

    /** Writes {@code forced}, forces, writes {@code unforced} in two halves, and crashes. */
    private static CrashReport crashAfterForcedAndUnforcedWrites(CrashSimulator disk, Path file, String forced,
        String unforced) throws IOException {
        try (FileChannel channel = disk.open(file, READ_WRITE)) {
            channel.write(ascii(forced));
            channel.force(true);
            int half = unforced.length() / 2;
            channel.write(ascii(unforced.substring(0, half)));
            channel.write(ascii(unforced.substring(half)));
        }
        return disk.crash();
    }

    /** A log and an index rewritten in place, with forces in between, and a crash. */
    private static CrashReport twoFileWorkload(CrashSimulator disk, Path directory) throws IOException {
        try (FileChannel log = disk.open(directory.resolve("a.log"), READ_WRITE);
            FileChannel index = disk.open(directory.resolve("b.index"), READ_WRITE)) {
            for (int i = 0; i < 10; i++) {
                log.write(ascii("record-" + i + ";"));
                index.write(ByteBuffer.allocate(8).putLong(log.size()).flip(), 0);
                if (i % 4 == 3) {
                    log.force(true);
                    index.force(true);
                }
            }
        }
        return disk.crash();
    }

    private static List<Object> withoutPath(FileOutcome outcome) {
        return Arrays.asList(outcome.fate(), outcome.forcedLength(), outcome.unforcedOperations(),
            outcome.unforcedBytes(), outcome.keptBytes(), outcome.garbageBytes(), outcome.lengthAfterCrash());
    }

    private static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(US_ASCII));
    }
}

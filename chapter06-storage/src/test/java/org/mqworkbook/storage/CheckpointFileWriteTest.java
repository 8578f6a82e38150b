package org.mqworkbook.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.Seeded;
import org.mqworkbook.testkit.storage.CrashMode;
import org.mqworkbook.testkit.storage.CrashSimulator;
import org.mqworkbook.testkit.storage.ForceRecorder;
import org.mqworkbook.testkit.storage.ShortWrites;
import org.mqworkbook.testkit.storage.SimulatedCrash;

/**
 * Exercise 6.2, {@link CheckpointFile#write}: the write-force-rename-force recipe, checked after a power cut,
 * on a disk that writes a few bytes at a time, and at every crash point of a write. README section "6.2
 * Sequential writes and flushing", "Checkpoint files".
 */
@Exercise("6.2")
@Tag("6.2")
@Timeout(30)
@ExtendWith(Seeded.class)
class CheckpointFileWriteTest {
    private static final String README = "README 6.2, \"Checkpoint files\"";

    @TempDir
    Path dir;

    private CheckpointFile checkpoint(FileOpener opener) {
        return new CheckpointFile(dir.resolve("offsets.checkpoint"), "OFFS", 1, opener);
    }

    private static ByteBuffer text(String payload) {
        return ByteBuffer.wrap(payload.getBytes(UTF_8));
    }

    private static String text(Optional<CheckpointFile.Content> content) {
        return UTF_8.decode(content.orElseThrow().payload()).toString();
    }

    @Test
    void aWrittenCheckpointReadsBackItsPayloadAndLeavesNoTemporaryFile() throws IOException {
        CheckpointFile file = checkpoint(FileOpener.REAL);
        file.write(text("orders#0=1"));
        file.write(text("orders#0=2"));
        assertThat(text(file.read())).as("the second write replaced the first (%s)", README)
            .isEqualTo("orders#0=2");
        assertThat(file.temporaryFile()).as("the temporary file was renamed into place (%s)", README)
            .doesNotExist();
    }

    @Test
    void aPowerCutRightAfterAWriteKeepsWhatItWrote() throws IOException {
        CrashSimulator disk = new CrashSimulator(1, CrashMode.DROP);
        checkpoint(FileOpener.REAL).write(text("orders#0=1"));
        checkpoint(disk::open).write(text("orders#0=2"));
        disk.crash();
        assertThat(text(checkpoint(FileOpener.REAL).read()))
            .as("write returned, so the new checkpoint is durable: force the temporary file before renaming "
                + "it, or the rename can reach the disk before the bytes it names (%s)", README)
            .isEqualTo("orders#0=2");
    }

    @Test
    void theDirectoryIsForcedAfterTheRename() throws IOException {
        CheckpointFile[] file = new CheckpointFile[1];
        ForceRecorder recorder = new ForceRecorder(path -> readQuietly(file[0]));
        file[0] = checkpoint(recorder::open);
        file[0].write(text("orders#0=7"));
        List<String> directoryForces = recorder.forced().stream()
            .filter(f -> Files.isDirectory(f.path()))
            .map(f -> "directory forced when the checkpoint held: " + f.note())
            .toList();
        assertThat(directoryForces).as("a rename is durable only once its directory is forced: open the "
            + "directory through the opener after the rename, and force it (%s)", README)
            .containsExactly("directory forced when the checkpoint held: orders#0=7");
    }

    @Test
    void aDiskThatTakesAFewBytesPerWriteStillGetsTheWholeCheckpoint(Random random) throws IOException {
        ShortWrites disk = new ShortWrites(random.nextLong(), 5);
        String payload = "orders#0=" + "9".repeat(200);
        checkpoint(disk::open).write(text(payload));
        assertThat(disk.shortenedWrites()).as("the disk did write short").isPositive();
        String hint = "FileChannel.write may write fewer bytes than it was given (here 1 to 5 per call, disk seed "
            + disk.seed() + "): write in a loop until the buffer has nothing left (" + README + ")";
        Optional<CheckpointFile.Content> read;
        try {
            read = checkpoint(FileOpener.REAL).read();
        } catch (StorageException e) {
            throw new AssertionError(hint + "; reading it back said: " + e.getMessage(), e);
        }
        assertThat(text(read)).as(hint).isEqualTo(payload);
    }

    @Test
    void aCrashAtAnyPointOfAWriteLeavesTheOldCheckpointOrTheNew(Random random) throws IOException {
        checkpoint(FileOpener.REAL).write(text("orders#0=1"));
        CrashSimulator counting = new CrashSimulator(0);
        checkpoint(counting::open).write(text("orders#0=2" + "x".repeat(5000)));
        long operations = counting.operations();
        counting.crash();
        for (CrashMode mode : CrashMode.values()) {
            for (long point = 1; point <= operations; point++) {
                checkpoint(FileOpener.REAL).write(text("orders#0=1"));
                long seed = random.nextLong();
                CrashSimulator disk = new CrashSimulator(seed, mode);
                disk.crashAt(point);
                try {
                    checkpoint(disk::open).write(text("orders#0=2" + "x".repeat(5000)));
                } catch (SimulatedCrash expected) {
                    // the power failed during the write
                }
                disk.crash();
                String after;
                try {
                    after = text(checkpoint(FileOpener.REAL).read()).substring(0, 10);
                } catch (IOException | RuntimeException unreadable) {
                    throw new AssertionError("crash at operation " + point + " of " + operations + " (" + mode
                        + ", disk seed " + seed + "): the checkpoint cannot be read after the power cut: "
                        + unreadable.getMessage() + ". The real name must hold the old checkpoint or the new, "
                        + "whole: force the temporary file before renaming it (" + README + ")", unreadable);
                }
                assertThat(after).as("crash at operation %d of %d (%s, disk seed %d): the old checkpoint or the "
                    + "new, never an error or a mix (%s)", point, operations, mode, seed, README)
                    .isIn("orders#0=1", "orders#0=2");
            }
        }
    }

    private static String readQuietly(CheckpointFile file) {
        try {
            return file.read().map(c -> UTF_8.decode(c.payload()).toString()).orElse("nothing");
        } catch (IOException e) {
            return e.getMessage();
        }
    }
}

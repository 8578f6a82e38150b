package org.mqworkbook.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CheckpointFile}, the given half: reading, where a foreign, torn, corrupt or newer file is refused by
 * name. No {@code @Exercise}: these pass on the skeleton too; {@link CheckpointFileWriteTest} checks the
 * write (exercise 6.2). README section "6.2 Sequential writes and flushing", "Checkpoint files".
 */
@Timeout(20)
class CheckpointFileTest {
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

    /** Puts {@code payload}'s whole checkpoint file in place without {@link CheckpointFile#write}. */
    private void place(CheckpointFile file, String payload) throws IOException {
        ByteBuffer bytes = file.encode(text(payload));
        byte[] array = new byte[bytes.remaining()];
        bytes.get(array);
        Files.write(file.file(), array);
    }

    @Test
    void readsNothingWhenThereIsNoCheckpointYet() throws IOException {
        assertThat(checkpoint(FileOpener.REAL).read()).isEmpty();
    }

    @Test
    void encodesTheWorkedExampleOfTheClassComment() {
        ByteBuffer bytes = checkpoint(FileOpener.REAL).encode(text("a=1"));
        assertThat(bytes.remaining()).as("4 + 2 + 4 + 3 + 4").isEqualTo(17);
        assertThat(bytes.get(0)).isEqualTo((byte) 'O');
        assertThat(bytes.getShort(4)).as("version").isEqualTo((short) 1);
        assertThat(bytes.getInt(6)).as("payload length").isEqualTo(3);
    }

    @Test
    void readsBackAPlacedCheckpoint() throws IOException {
        CheckpointFile file = checkpoint(FileOpener.REAL);
        place(file, "orders#0=42");
        Optional<CheckpointFile.Content> content = file.read();
        assertThat(text(content)).isEqualTo("orders#0=42");
        assertThat(content.orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void refusesAForeignFileNamingItAndItsKind() throws IOException {
        CheckpointFile file = checkpoint(FileOpener.REAL);
        place(new CheckpointFile(file.file(), "ACKS", 1, FileOpener.REAL), "not offsets");
        assertThatThrownBy(file::read).isInstanceOf(StorageException.class)
            .hasMessageContaining(file.file().toString()).hasMessageContaining("'ACKS'")
            .hasMessageContaining("'OFFS'");
        Files.writeString(file.file(), "capacity=10\nmaxInFlight=5\n");
        assertThatThrownBy(file::read).as("a properties file left by an older version")
            .isInstanceOf(StorageException.class).hasMessageContaining("foreign");
    }

    @Test
    void refusesATornCheckpoint() throws IOException {
        CheckpointFile file = checkpoint(FileOpener.REAL);
        place(file, "orders#0=42");
        byte[] bytes = Files.readAllBytes(file.file());
        Files.write(file.file(), Arrays.copyOf(bytes, bytes.length - 5));
        assertThatThrownBy(file::read).isInstanceOf(StorageException.class).hasMessageContaining("torn");
        Files.write(file.file(), Arrays.copyOf(bytes, 7));
        assertThatThrownBy(file::read).as("shorter than a header").isInstanceOf(StorageException.class)
            .hasMessageContaining("7 bytes");
    }

    @Test
    void refusesACorruptCheckpoint() throws IOException {
        CheckpointFile file = checkpoint(FileOpener.REAL);
        place(file, "orders#0=42");
        byte[] bytes = Files.readAllBytes(file.file());
        bytes[12] ^= 0x01;
        Files.write(file.file(), bytes);
        assertThatThrownBy(file::read).isInstanceOf(StorageException.class).hasMessageContaining("checksum");
    }

    @Test
    void refusesACheckpointOfANewerVersion() throws IOException {
        CheckpointFile file = checkpoint(FileOpener.REAL);
        place(new CheckpointFile(file.file(), "OFFS", 2, FileOpener.REAL), "orders#0=42;epoch=3");
        assertThatThrownBy(file::read).isInstanceOf(StorageException.class).hasMessageContaining("version 2")
            .hasMessageContaining("versions 1 to 1");
    }

    @Test
    void refusesAFileTooLargeToBeACheckpointWithoutReadingIt() throws IOException {
        CheckpointFile file = checkpoint(FileOpener.REAL);
        try (RandomAccessFile sparse = new RandomAccessFile(file.file().toFile(), "rw")) {
            sparse.setLength(CheckpointFile.MAX_FILE_BYTES + 1L);
        }
        assertThatThrownBy(file::read).isInstanceOf(StorageException.class).hasMessageContaining("not a checkpoint");
    }
}

package org.mqworkbook.testkit.storage;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.testkit.Seeded;

/** The channel that the storage code holds must behave as a {@link FileChannel} does. */
@Timeout(10)
@ExtendWith(Seeded.class)
class CrashableFileChannelTest {

    private static final Set<OpenOption> READ_WRITE = Set.of(CREATE, READ, WRITE);

    /** The seam of chapter 6's storage code, as it will declare it. */
    @FunctionalInterface
    private interface FileOpener {
        FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException;
    }

    @TempDir
    private Path dir;

    private final CrashSimulator disk = new CrashSimulator(1L);

    @Test
    void opensThroughTheSameSeamAsFileChannelOpen() throws IOException {
        FileOpener simulated = disk::open;
        FileOpener real = FileChannel::open;

        try (FileChannel channel = simulated.open(dir.resolve("a.log"), READ_WRITE)) {
            channel.write(ascii("hello"));
        }

        try (FileChannel channel = real.open(dir.resolve("a.log"), Set.of(READ))) {
            assertThat(channel.size()).isEqualTo(5);
        }
    }

    @Test
    void behavesLikeARealChannelOverARandomSequenceOfOperations(Random random) throws IOException {
        Path realFile = dir.resolve("real.log");
        Path simulatedFile = dir.resolve("simulated.log");
        try (FileChannel real = FileChannel.open(realFile, CREATE, READ, WRITE);
            FileChannel simulated = disk.open(simulatedFile, READ_WRITE)) {
            new MirroredOperations(random, real, realFile, simulated).run(500);
        }

        assertThat(Files.readAllBytes(simulatedFile)).isEqualTo(Files.readAllBytes(realFile));
    }

    @Test
    void relativeWritesAdvanceThePositionAndReadsSeeThem() throws IOException {
        try (FileChannel channel = disk.open(dir.resolve("a.log"), READ_WRITE)) {
            assertThat(channel.write(ascii("abc"))).isEqualTo(3);
            assertThat(channel.write(ascii("def"))).isEqualTo(3);
            assertThat(channel.position()).isEqualTo(6);

            channel.position(2);
            ByteBuffer read = ByteBuffer.allocate(3);
            assertThat(channel.read(read)).isEqualTo(3);

            assertThat(text(read)).isEqualTo("cde");
            assertThat(channel.position()).isEqualTo(5);
        }
    }

    @Test
    void positionalReadsAndWritesLeaveThePositionAlone() throws IOException {
        try (FileChannel channel = disk.open(dir.resolve("a.log"), READ_WRITE)) {
            channel.write(ascii("0123456789"));
            channel.position(4);

            channel.write(ascii("ab"), 1);
            ByteBuffer read = ByteBuffer.allocate(4);
            channel.read(read, 0);

            assertThat(text(read)).isEqualTo("0ab3");
            assertThat(channel.position()).isEqualTo(4);
        }
    }

    @Test
    void writingPastTheEndLeavesAHoleOfZeros() throws IOException {
        try (FileChannel channel = disk.open(dir.resolve("a.log"), READ_WRITE)) {
            channel.write(ascii("x"), 4);

            assertThat(channel.size()).isEqualTo(5);
            assertThat(Files.readAllBytes(dir.resolve("a.log"))).containsExactly(0, 0, 0, 0, 'x');
        }
    }

    @Test
    void truncateShrinksTheFileAndPullsBackThePosition() throws IOException {
        try (FileChannel channel = disk.open(dir.resolve("a.log"), READ_WRITE)) {
            channel.write(ascii("0123456789"));

            assertThat(channel.truncate(4)).isSameAs(channel);

            assertThat(channel.size()).isEqualTo(4);
            assertThat(channel.position()).isEqualTo(4);
        }
    }

    @Test
    void appendModeWritesAtTheEndWhateverThePosition() throws IOException {
        Path file = dir.resolve("a.log");
        Files.write(file, "start".getBytes(US_ASCII));
        try (FileChannel channel = disk.open(file, Set.of(WRITE, APPEND))) {
            channel.write(ascii("-one"));
            channel.position(0);
            channel.write(ascii("-two"));
        }

        assertThat(Files.readString(file, US_ASCII)).isEqualTo("start-one-two");
    }

    @Test
    void gatheringWritesAndScatteringReadsMoveWholeBuffersInOrder() throws IOException {
        try (FileChannel channel = disk.open(dir.resolve("a.log"), READ_WRITE)) {
            ByteBuffer[] sources = {ascii("skip"), ascii("ab"), ascii("cde")};
            assertThat(channel.write(sources, 1, 2)).isEqualTo(5);

            ByteBuffer first = ByteBuffer.allocate(2);
            ByteBuffer second = ByteBuffer.allocate(3);
            channel.position(0);
            assertThat(channel.read(new ByteBuffer[] {first, second}, 0, 2)).isEqualTo(5);

            assertThat(text(first) + "|" + text(second)).isEqualTo("ab|cde");
        }
    }

    @Test
    void transferFromWritesTheSourceBytesAtThePosition() throws IOException {
        Path source = dir.resolve("source.log");
        Files.write(source, "payload".getBytes(US_ASCII));
        try (FileChannel channel = disk.open(dir.resolve("a.log"), READ_WRITE);
            FileChannel from = FileChannel.open(source, READ)) {
            channel.write(ascii("--"));

            assertThat(channel.transferFrom(from, 2, Long.MAX_VALUE)).isEqualTo(7);
            assertThat(channel.transferFrom(from, 100, 5)).as("a position past the end transfers nothing")
                .isZero();
        }

        assertThat(Files.readString(dir.resolve("a.log"), US_ASCII)).isEqualTo("--payload");
    }

    @Test
    void transferToCopiesBytesOfThisFileIntoTheTarget() throws IOException {
        Path target = dir.resolve("target.log");
        try (FileChannel channel = disk.open(dir.resolve("a.log"), READ_WRITE);
            FileChannel to = FileChannel.open(target, CREATE, WRITE)) {
            channel.write(ascii("0123456789"));

            assertThat(channel.transferTo(3, 4, to)).isEqualTo(4);
        }

        assertThat(Files.readString(target, US_ASCII)).isEqualTo("3456");
    }

    @Test
    void refusesToMapTheFileAndSaysWhy() throws IOException {
        try (FileChannel channel = disk.open(dir.resolve("a.log"), READ_WRITE)) {
            assertThatThrownBy(() -> channel.map(FileChannel.MapMode.READ_WRITE, 0, 16))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("bypass write() and force()");
        }
    }

    @Test
    void locksTheRealFileAndNamesThisChannelAsTheLocksChannel() throws IOException {
        try (FileChannel channel = disk.open(dir.resolve("a.log"), READ_WRITE)) {
            try (FileLock lock = channel.lock()) {
                assertThat(lock.channel()).isSameAs(channel);
                assertThat(lock.isValid()).isTrue();
            }
            try (FileLock lock = channel.tryLock(0, 10, false)) {
                assertThat(lock).isNotNull();
                assertThat(lock.channel()).isSameAs(channel);
            }
        }
    }

    @Test
    void aClosedChannelThrowsClosedChannelException() throws IOException {
        FileChannel channel = disk.open(dir.resolve("a.log"), READ_WRITE);
        channel.close();

        assertThat(channel.isOpen()).isFalse();
        assertThatThrownBy(() -> channel.write(ascii("x"))).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(channel::size).isInstanceOf(ClosedChannelException.class);
        assertThat(disk.operations()).as("a write refused because the channel is closed is no operation")
            .isZero();
    }

    private static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(US_ASCII));
    }

    private static String text(ByteBuffer buffer) {
        return new String(buffer.array(), 0, buffer.position(), US_ASCII);
    }
}

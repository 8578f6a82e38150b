package org.mqworkbook.testkit.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Applies one random sequence of writes, positional writes, reads, moves, truncations and forces to a
 * real {@link FileChannel} and to a channel under test, asserting after each step that both answered
 * alike, and remembers the real file's content at the last force. This class is not thread safe: one
 * test thread drives it.
 */
final class MirroredOperations {

    private static final int MAX_POSITION = 300;
    private static final int MAX_WRITE = 40;

    private final Random random;
    private final FileChannel expected;
    private final Path expectedFile;
    private final FileChannel actual;
    private byte[] contentAtLastForce = new byte[0];

    /**
     * @param expected a real channel on {@code expectedFile}, which starts empty
     * @param actual the channel under test, on another file that starts empty
     */
    MirroredOperations(Random random, FileChannel expected, Path expectedFile, FileChannel actual) {
        this.random = random;
        this.expected = expected;
        this.expectedFile = expectedFile;
        this.actual = actual;
    }

    /** Runs {@code steps} random operations on both channels. */
    void run(int steps) throws IOException {
        for (int step = 0; step < steps; step++) {
            switch (random.nextInt(7)) {
                case 0 -> {
                    byte[] data = randomBytes();
                    assertThat(actual.write(ByteBuffer.wrap(data))).isEqualTo(expected.write(ByteBuffer.wrap(data)));
                }
                case 1 -> {
                    byte[] data = randomBytes();
                    long position = random.nextInt(MAX_POSITION);
                    assertThat(actual.write(ByteBuffer.wrap(data), position))
                        .isEqualTo(expected.write(ByteBuffer.wrap(data), position));
                }
                case 2 -> {
                    ByteBuffer wanted = ByteBuffer.allocate(random.nextInt(MAX_WRITE));
                    ByteBuffer got = ByteBuffer.allocate(wanted.capacity());
                    assertThat(actual.read(got)).isEqualTo(expected.read(wanted));
                    assertThat(got.flip()).isEqualTo(wanted.flip());
                }
                case 3 -> {
                    long position = random.nextInt(MAX_POSITION);
                    ByteBuffer wanted = ByteBuffer.allocate(random.nextInt(MAX_WRITE));
                    ByteBuffer got = ByteBuffer.allocate(wanted.capacity());
                    assertThat(actual.read(got, position)).isEqualTo(expected.read(wanted, position));
                    assertThat(got.flip()).isEqualTo(wanted.flip());
                }
                case 4 -> {
                    long position = random.nextInt(MAX_POSITION);
                    actual.position(position);
                    expected.position(position);
                }
                case 5 -> {
                    long size = random.nextInt(MAX_POSITION);
                    actual.truncate(size);
                    expected.truncate(size);
                }
                default -> {
                    actual.force(random.nextBoolean());
                    contentAtLastForce = Files.readAllBytes(expectedFile);
                }
            }
            assertThat(actual.position()).as("position after step %d", step).isEqualTo(expected.position());
            assertThat(actual.size()).as("size after step %d", step).isEqualTo(expected.size());
        }
    }

    /** The real file's content when the channel under test was last forced; empty before any force. */
    byte[] contentAtLastForce() {
        return contentAtLastForce.clone();
    }

    private byte[] randomBytes() {
        byte[] data = new byte[random.nextInt(MAX_WRITE)];
        random.nextBytes(data);
        return data;
    }
}

package org.mqworkbook.testkit.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class FullDiskTest {
    @TempDir
    Path dir;

    @Test
    void aFullDiskRefusesWritesWithoutWritingAndRecoversWhenSpaceReturns() throws IOException {
        CrashSimulator disk = new CrashSimulator(1);
        Path file = dir.resolve("f");
        try (FileChannel channel = disk.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE))) {
            channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
            disk.setDiskFull(true);

            assertThatThrownBy(() -> channel.write(ByteBuffer.wrap(new byte[] {4}), 3))
                .isInstanceOf(IOException.class).hasMessageContaining("No space left on device")
                .hasMessageContaining(file.toString());
            channel.force(true);
            assertThat(Files.size(file)).as("nothing of the refused write landed").isEqualTo(3);

            disk.setDiskFull(false);
            channel.write(ByteBuffer.wrap(new byte[] {4}), 3);
            assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3, 4);
        }
    }
}

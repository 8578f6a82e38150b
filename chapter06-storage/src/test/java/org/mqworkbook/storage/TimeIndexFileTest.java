package org.mqworkbook.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The given half of {@link TimeIndex}: which entries it keeps, its file layout (the class comment's worked
 * example), and refusing a file that is not a time index. No exercise: these pass on the skeleton.
 */
@Timeout(20)
class TimeIndexFileTest {
    private static final long BASE = 50;

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("00000000000000000050.timeindex");
    }

    @Test
    void keepsAnEntryOnlyWhenTheLargestTimestampGrew() throws IOException {
        try (TimeIndex index = TimeIndex.open(file(), BASE, FileOpener.REAL)) {
            assertThat(index.maybeAppend(1_700_000_000_120L, 55)).isTrue();
            assertThat(index.maybeAppend(1_700_000_000_120L, 60)).as("the same largest timestamp: no entry")
                .isFalse();
            assertThat(index.maybeAppend(1_700_000_000_100L, 61)).as("an earlier one: no entry").isFalse();
            assertThat(index.maybeAppend(1_700_000_000_410L, 83)).isTrue();
            assertThat(index.entries()).isEqualTo(2);
        }
        assertThat(HexFormat.of().formatHex(Files.readAllBytes(file()))).as("the class comment's worked example")
            .isEqualTo("0000018bcfe56878" + "00000005" + "0000018bcfe5699a" + "00000021");
    }

    @Test
    void refusesAnEntryWhoseOffsetDoesNotGrowWithItsTimestamp() throws IOException {
        try (TimeIndex index = TimeIndex.open(file(), BASE, FileOpener.REAL)) {
            index.maybeAppend(1_000, 55);
            assertThatThrownBy(() -> index.maybeAppend(2_000, 55)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("55").hasMessageContaining(file().toString());
            assertThatThrownBy(() -> index.maybeAppend(3_000, 49)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("base offset 50");
            assertThat(index.entries()).isEqualTo(1);
        }
    }

    @Test
    void refusesAFileThatIsNotATimeIndex() throws IOException {
        Files.write(file(), new byte[13]);
        assertThatThrownBy(() -> TimeIndex.open(file(), BASE, FileOpener.REAL)).isInstanceOf(StorageException.class)
            .hasMessageContaining("not a multiple of 12");

        ByteBuffer backwards = ByteBuffer.allocate(2 * TimeIndex.ENTRY_BYTES);
        backwards.putLong(2_000).putInt(5).putLong(1_000).putInt(9);
        Files.write(file(), backwards.array());
        assertThatThrownBy(() -> TimeIndex.open(file(), BASE, FileOpener.REAL)).isInstanceOf(StorageException.class)
            .hasMessageContaining("corrupt");
    }
}

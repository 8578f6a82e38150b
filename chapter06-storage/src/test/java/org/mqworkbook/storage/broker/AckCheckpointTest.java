package org.mqworkbook.storage.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.StorageException;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.storage.CrashMode;
import org.mqworkbook.testkit.storage.CrashSimulator;
import org.mqworkbook.testkit.storage.SimulatedCrash;

/**
 * Exercise 6.6, the ack checkpoint: an ack floor plus the acks above it, written so that a crash never
 * leaves half a checkpoint. README section "6.6 The durable broker".
 */
@Exercise("6.6")
@Tag("6.6")
@Timeout(20)
class AckCheckpointTest {
    @TempDir
    Path dir;

    private AckCheckpoint settled(String ids) throws IOException {
        AckCheckpoint acks = AckCheckpoint.load(dir, FileOpener.REAL);
        if (!ids.isBlank()) {
            Arrays.stream(ids.trim().split(" +")).mapToLong(Long::parseLong).forEach(acks::settle);
        }
        return acks;
    }

    @ParameterizedTest(name = "settle {0} -> floor {1}, {2} above")
    @CsvSource(delimiter = '|', textBlock = """
        0             | 1 | 0 | the floor moves past 0
        0 1 2         | 3 | 0 | in order: the floor follows
        1 2           | 0 | 2 | 0 is missing: 1 and 2 wait above the floor
        1 2 0         | 3 | 0 | 0 arrives: the floor jumps past 1 and 2
        0 1 3 5       | 2 | 2 | gaps at 2 and 4
        0 1 3 5 2     | 4 | 1 | 2 fills the first gap; 5 still waits
        0 0 1         | 2 | 0 | settling twice changes nothing
        """)
    void theFloorMovesPastEverySettledIdWithoutAGap(String ids, long floor, int above, String why) throws IOException {
        AckCheckpoint acks = settled(ids);

        assertThat(acks.floor()).as(why).isEqualTo(floor);
        assertThat(acks.aboveFloor()).as(why).isEqualTo(above);
    }

    @Test
    void knowsWhichIdsAreSettled() throws IOException {
        AckCheckpoint acks = settled("0 1 3");

        assertThat(acks.isSettled(0)).isTrue();
        assertThat(acks.isSettled(2)).isFalse();
        assertThat(acks.isSettled(3)).isTrue();
        assertThat(acks.isSettled(4)).isFalse();
    }

    @Test
    void unreadableMessagesDoNotHoldTheFloorBack() throws IOException {
        AckCheckpoint acks = settled("0 1 2 3 4 8 9");
        acks.settleUnreadable(5, 7);
        assertThat(acks.floor()).as("5 to 7 can never be delivered (their records were damaged): the floor passes "
            + "them and the settled 8 and 9 (README 6.6)").isEqualTo(10);
        acks.settleUnreadable(20, 25);
        assertThat(acks.floor()).as("a range above the floor waits until the floor reaches it").isEqualTo(10);
        for (long id = 10; id < 20; id++) {
            acks.settle(id);
        }
        assertThat(acks.floor()).as("then it is passed too").isEqualTo(26);
        assertThat(acks.aboveFloor()).isZero();
    }

    @Test
    void aWrittenCheckpointLoadsBackTheSameState() throws IOException {
        settled("0 1 2 3 5 6 9").write();

        AckCheckpoint loaded = AckCheckpoint.load(dir, FileOpener.REAL);

        assertThat(loaded.floor()).isEqualTo(4);
        assertThat(loaded.isSettled(5)).isTrue();
        assertThat(loaded.isSettled(9)).isTrue();
        assertThat(loaded.isSettled(7)).isFalse();
        assertThat(Files.size(dir.resolve(AckCheckpoint.FILE)))
            .as("the worked example: floor 4, {5, 6, 9} is 36 bytes of payload in a 50-byte checkpoint file")
            .isEqualTo(50);
        assertThat(Files.exists(dir.resolve(AckCheckpoint.FILE + ".tmp"))).as("the temporary file was renamed")
            .isFalse();
    }

    @Test
    void aCrashWhileWritingLeavesTheOldCheckpointOrTheNewNeverHalfOfOne() throws IOException {
        settled("0 1 2").write();
        for (long point = 1; point <= 3; point++) {
            CrashSimulator disk = new CrashSimulator(point, CrashMode.TEAR_WITH_GARBAGE);
            AckCheckpoint acks = AckCheckpoint.load(dir, disk::open);
            acks.settle(3);
            acks.settle(4);
            disk.crashAt(point);
            assertThatThrownBy(acks::write).isInstanceOf(SimulatedCrash.class);
            disk.crash();

            assertThat(AckCheckpoint.load(dir, FileOpener.REAL).floor())
                .as("crash at operation %d of the write: the old checkpoint (floor 3) or the new (floor 5)", point)
                .isIn(3L, 5L);
        }
    }

    @Test
    void aCorruptCheckpointIsRefusedWithTheFileName() throws IOException {
        settled("0 1").write();
        Path file = dir.resolve(AckCheckpoint.FILE);
        byte[] bytes = Files.readAllBytes(file);
        bytes[14] ^= 0x10; // inside the floor, after the checkpoint file's 10-byte header
        Files.write(file, bytes);

        assertThatThrownBy(() -> AckCheckpoint.load(dir, FileOpener.REAL)).isInstanceOf(StorageException.class)
            .hasMessageContaining(AckCheckpoint.FILE).hasMessageContaining("checksum");
    }
}

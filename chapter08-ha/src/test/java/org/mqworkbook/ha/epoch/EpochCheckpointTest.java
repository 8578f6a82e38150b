package org.mqworkbook.ha.epoch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.storage.CheckpointFile;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.StorageException;

/**
 * The given half of {@link LeaderEpochCache}: reading the checkpoint, refusing one that is not a valid
 * leader-epoch checkpoint, and the lookups that need no exercise. No exercise: these pass on the skeleton.
 */
@Timeout(20)
class EpochCheckpointTest {
    @TempDir
    Path dir;

    private void writeCheckpoint(int count, int... epochAndStart) throws IOException {
        ByteBuffer payload = ByteBuffer.allocate(4 + epochAndStart.length / 2 * 12).putInt(count);
        for (int i = 0; i < epochAndStart.length; i += 2) {
            payload.putInt(epochAndStart[i]).putLong(epochAndStart[i + 1]);
        }
        new CheckpointFile(dir.resolve(LeaderEpochCache.FILE), LeaderEpochCache.KIND, LeaderEpochCache.VERSION,
            FileOpener.REAL).write(payload.flip());
    }

    @Test
    void aNewReplicaHasAnEmptyCache() throws IOException {
        LeaderEpochCache cache = LeaderEpochCache.open(dir, FileOpener.REAL);

        assertThat(cache.entries()).isEmpty();
        assertThat(cache.latestEpoch()).isEmpty();
        assertThat(cache.epochAt(0)).isEmpty();
        assertThat(cache.file()).isEqualTo(dir.resolve("leader-epoch.checkpoint"));
    }

    @Test
    void readsTheCheckpointAndAnswersWhichEpochWroteAnOffset() throws IOException {
        writeCheckpoint(3, 0, 0, 2, 4, 3, 7);
        LeaderEpochCache cache = LeaderEpochCache.open(dir, FileOpener.REAL);

        assertThat(cache.entries()).containsExactly(new EpochEntry(0, 0), new EpochEntry(2, 4), new EpochEntry(3, 7));
        assertThat(cache.latestEntry()).contains(new EpochEntry(3, 7));
        assertThat(cache.epochAt(3)).hasValue(0);
        assertThat(cache.epochAt(4)).hasValue(2);
        assertThat(cache.epochAt(100)).hasValue(3);
    }

    @Test
    void refusesACheckpointWhoseEntriesDoNotIncrease() throws IOException {
        writeCheckpoint(2, 3, 7, 2, 9);
        assertThatThrownBy(() -> LeaderEpochCache.open(dir, FileOpener.REAL)).isInstanceOf(StorageException.class)
            .hasMessageContaining("leader-epoch.checkpoint").hasMessageContaining("must both increase");
    }

    @Test
    void refusesACheckpointWhoseCountDoesNotMatchItsBytesOrThatIsNotOne() throws IOException {
        writeCheckpoint(5, 0, 0);
        assertThatThrownBy(() -> LeaderEpochCache.open(dir, FileOpener.REAL)).isInstanceOf(StorageException.class)
            .hasMessageContaining("5 epoch entries");

        writeCheckpoint(1, -2, 0);
        assertThatThrownBy(() -> LeaderEpochCache.open(dir, FileOpener.REAL)).isInstanceOf(StorageException.class)
            .hasMessageContaining("epoch -2");

        Files.write(dir.resolve(LeaderEpochCache.FILE), "0 0\n2 4\n".getBytes());
        assertThatThrownBy(() -> LeaderEpochCache.open(dir, FileOpener.REAL)).isInstanceOf(StorageException.class)
            .hasMessageContaining("leader-epoch.checkpoint");
    }

    @Test
    void anEntryNeedsAnEpochAndAnOffsetOfAtLeastZero() {
        assertThatThrownBy(() -> new EpochEntry(-1, 0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("epoch -1");
        assertThatThrownBy(() -> new EpochEntry(0, -1)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("offset -1");
        assertThat(EpochEndOffset.UNDEFINED.defined()).isFalse();
        assertThat(new EpochEndOffset(3, 9).defined()).isTrue();
    }
}

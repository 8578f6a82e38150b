package org.mqworkbook.ha.replication;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.ha.epoch.EpochEntry;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.LogConfig;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;

/**
 * A leader's appends (given code) record their epoch in the replica's {@code LeaderEpochCache}: the cache of
 * exercise 8.1 at work. README sections "8.1 Leader epochs" and "8.2 Pull replication".
 */
@Exercise("8.1")
@Tag("8.1")
@Timeout(20)
class LeaderAppendTest {
    @TempDir
    Path dir;

    private Replica open(String id) throws IOException {
        return Replica.open(id, dir.resolve(id), LogConfig.DEFAULT, FileOpener.REAL, new ManualClock(),
            (to, message) -> { });
    }

    @Test
    void aLeaderTagsItsRecordsWithItsEpochAndOnlyALeaderAppends() throws IOException {
        try (Replica replica = open("a")) {
            assertThatThrownBy(() -> replica.append(null, "x".getBytes(UTF_8)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not the leader");
            replica.becomeLeader(4, Set.of());
            replica.append(null, "x".getBytes(UTF_8));
            replica.append(null, "y".getBytes(UTF_8));

            assertThat(replica.readAll(0, 1 << 16)).extracting(Replica::epochOf).containsExactly(4, 4);
            assertThat(replica.epochs().entries()).containsExactly(new EpochEntry(4, 0));
            assertThat(replica.highWatermark()).as("with no followers, what the leader has is committed").isEqualTo(2);
            assertThatThrownBy(() -> replica.becomeFollower(3, "b")).as("epochs never go back")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epoch 4");
        }
    }
}

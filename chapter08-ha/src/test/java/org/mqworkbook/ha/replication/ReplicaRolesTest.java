package org.mqworkbook.ha.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.LogConfig;
import org.mqworkbook.storage.Record;
import org.mqworkbook.testkit.ManualClock;

/**
 * The given half of {@link Replica}: the follower's fetch timer and the
 * epoch header. No exercise: these pass on the skeleton.
 */
@Timeout(20)
class ReplicaRolesTest {
    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock();
    private final List<ReplicaMessage> sent = new ArrayList<>();

    private Replica open(String id) throws IOException {
        return Replica.open(id, dir.resolve(id), LogConfig.DEFAULT, FileOpener.REAL, clock,
            (to, message) -> sent.add(message));
    }

    @Test
    void aFollowerKeepsOneFetchInFlightAndAsksAgainAfterTheTimeout() throws IOException {
        try (Replica replica = open("f")) {
            replica.tick();
            assertThat(sent).as("no role: no fetch").isEmpty();
            replica.becomeFollower(1, "l");
            replica.tick();
            replica.tick();
            assertThat(sent).as("one fetch in flight at a time").hasSize(1);
            clock.advance(Replica.FETCH_TIMEOUT.minusMillis(1));
            replica.tick();
            assertThat(sent).hasSize(1);
            clock.advance(Duration.ofMillis(1));
            replica.tick();
            assertThat(sent).as("no answer within the timeout: ask again").hasSize(2);
            replica.receive("l", new ReplicaMessage.Refused(1, ReplicaMessage.Error.NOT_LEADER_OR_FOLLOWER,
                "not the leader"));
            replica.tick();
            assertThat(sent).as("a refusal ends the wait: ask again at the next tick").hasSize(3);
        }
    }

    @Test
    void theEpochHeaderIsReadBackAndAMissingOrMalformedOneIsNamed() {
        assertThat(Replica.epochOf(new Record(7, 0, null, new byte[0], List.of(Replica.epochHeader(12)))))
            .isEqualTo(12);
        assertThatThrownBy(() -> Replica.epochOf(Record.of(8, 0, new byte[0]))).isInstanceOf(
            IllegalArgumentException.class).hasMessageContaining("record 8").hasMessageContaining(Replica.EPOCH_HEADER);
        assertThatThrownBy(() -> Replica.epochOf(new Record(9, 0, null, new byte[0], List.of(
            new org.mqworkbook.storage.Header(Replica.EPOCH_HEADER, new byte[3]))))).isInstanceOf(
            IllegalArgumentException.class).hasMessageContaining("malformed");
    }
}

package org.mqworkbook.dispatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.dispatch.broker.TopicBroker;
import org.mqworkbook.dispatch.partition.RangeAssignor;
import org.mqworkbook.inmemory.server.ConnectionLimits;
import org.mqworkbook.testkit.ManualClock;

/**
 * Given code on its own: the server closes a connection that sends no whole request in time. It needs no
 * exercise, so it passes on the skeleton too; {@code HostileClientTest} checks the rest with the broker.
 * README section "Serving topics and groups", "Hostile clients".
 */
@Timeout(30)
class SilentConnectionTest {
    @TempDir
    Path dir;

    @Test
    void aConnectionThatSendsNoWholeRequestIsClosedAfterTheFirstRequestTimeout() throws IOException {
        try (TopicBroker broker = TopicBroker.open(dir, TopicBroker.BrokerConfig.defaults(RangeAssignor::new),
                new ManualClock());
             DispatchServer server = new DispatchServer(broker, "127.0.0.1", 0, 1, 16).connectionLimits(
                 ConnectionLimits.DEFAULT.withTimeouts(Duration.ofMillis(400), Duration.ofMinutes(10), Duration.ZERO))
                 .start();
             RawSocket silent = new RawSocket(server.port());
             RawSocket dribbling = new RawSocket(server.port())) {
            dribbling.send(new byte[] {0, 0, 0, 40, 0, 0x22}); // the start of a frame, and then nothing
            assertThat(silent.closedByServer()).as("silent: closed").isTrue();
            assertThat(dribbling.closedByServer()).as("half a frame is not a request: closed").isTrue();
            assertThat(server.guard().closedSilent()).isEqualTo(2);
        }
    }
}

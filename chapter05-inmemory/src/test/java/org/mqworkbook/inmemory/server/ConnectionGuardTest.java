package org.mqworkbook.inmemory.server;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mqworkbook.inmemory.Broker;

/**
 * The given {@link ConnectionGuard} on its own: what it does needs no exercise, so these pass on the skeleton
 * too. {@code HostileClientTest} checks it together with the broker. README section "5.5", "Hostile clients".
 */
@Timeout(30)
class ConnectionGuardTest {
    private final List<Socket> sockets = new ArrayList<>();
    private BrokerServer server;

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void silentConnectionsAreClosedWhenTheirFirstRequestIsLate() throws IOException {
        server = new BrokerServer(new Broker(Clock.systemUTC()), ServerConfig.DEFAULT.port(0).connections(
            ConnectionLimits.DEFAULT.withTimeouts(Duration.ofMillis(400), Duration.ofMinutes(10), Duration.ZERO)))
            .start();
        for (int i = 0; i < 50; i++) {
            sockets.add(new Socket("127.0.0.1", server.port()));
        }
        await().atMost(Duration.ofSeconds(10)).alias("every silent connection closed after the first-request timeout")
            .until(() -> server.guard().closedSilent() >= 50 && server.connectionCount() == 0);
    }
}

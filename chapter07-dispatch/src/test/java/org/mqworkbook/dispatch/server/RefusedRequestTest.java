package org.mqworkbook.dispatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.dispatch.broker.TopicBroker;
import org.mqworkbook.dispatch.partition.RangeAssignor;
import org.mqworkbook.dispatch.protocol.ErrorKind;
import org.mqworkbook.dispatch.protocol.Message;
import org.mqworkbook.inmemory.protocol.Frame;
import org.mqworkbook.testkit.ManualClock;

/**
 * Given code on its own: a request the server refuses before it reaches the broker is answered and
 * released like any other, so a client cannot use it to make the server forget requests (and stop
 * reading its connection for good). Needs no exercise; passes on the skeleton too. README section
 * "Serving topics and groups", "Bounded memory".
 */
@Timeout(30)
class RefusedRequestTest {
    @TempDir
    Path dir;

    @Test
    void aRequestWhoseFieldsAreOutOfRangeIsAnsweredAndReleasedNotForgotten() throws IOException {
        // 2 requests in flight at most: if a refused request were never answered (and so never released), the
        // third request on this connection would not even be read.
        try (TopicBroker broker = TopicBroker.open(dir, TopicBroker.BrokerConfig.defaults(RangeAssignor::new),
                new ManualClock());
             DispatchServer server = new DispatchServer(broker, "127.0.0.1", 0, 1, 2).start();
             RawSocket socket = new RawSocket(server.port())) {
            for (int id = 1; id <= 6; id += 2) {
                socket.send(new Message.Commit(id, "g", "m", 1, "orders", -1, 0));
                Message.Error commit = socket.readError();
                assertThat(commit.correlationId()).isEqualTo(id);
                assertThat(commit.kind()).as(commit.message()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
                socket.send(new Message.Committed(id + 1, "g", "orders", -1));
                assertThat(socket.readError().kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
            }
            socket.send(new Frame.ApiVersions(99));
            assertThat(socket.read()).as("the connection is still served").isInstanceOf(Frame.Versions.class);
        }
    }

}

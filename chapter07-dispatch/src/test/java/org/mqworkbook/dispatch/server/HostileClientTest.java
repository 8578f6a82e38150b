package org.mqworkbook.dispatch.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.dispatch.broker.TopicBroker;
import org.mqworkbook.dispatch.client.DispatchClient;
import org.mqworkbook.dispatch.client.DispatchException;
import org.mqworkbook.dispatch.partition.RangeAssignor;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.protocol.ErrorKind;
import org.mqworkbook.dispatch.protocol.Message;
import org.mqworkbook.dispatch.topic.PartitionOffset;
import org.mqworkbook.inmemory.server.ConnectionLimits;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;
import org.mqworkbook.testkit.Seeded;

/**
 * The chapter 7 server against clients that do not play by the rules, reproducing a probe of the running
 * server: a flood of silent connections (which used to lock every real client out), connections that never
 * send a whole request or go quiet, random bytes, frames cut short, garbage bodies behind every command
 * code, absurd partition counts and names. Each gets a named error or a closed connection, and everyone
 * else keeps being served. README section "Serving topics and groups", "Hostile clients".
 */
@Exercise("7.6")
@Tag("7.6")
@Timeout(60)
@ExtendWith(Seeded.class)
class HostileClientTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private TopicBroker broker;
    private DispatchServer server;

    private DispatchServer start(ConnectionLimits limits) throws IOException {
        broker = TopicBroker.open(dir, TopicBroker.BrokerConfig.defaults(RangeAssignor::new)
            .withSessionTimeout(Duration.ofSeconds(10)), clock);
        server = new DispatchServer(broker, "127.0.0.1", 0, 2, 64).connectionLimits(limits).start();
        return server;
    }

    private DispatchClient client() throws IOException {
        DispatchClient client = DispatchClient.connect("127.0.0.1", server.port(), WAIT);
        opened.add(client);
        return client;
    }

    private RawSocket raw() throws IOException {
        RawSocket socket = new RawSocket(server.port());
        opened.add(socket);
        return socket;
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void twoHundredFiftySixSilentConnectionsCannotKeepARealClientOut() throws Exception {
        start(ConnectionLimits.DEFAULT); // 256 connections, as in the probe
        for (int i = 0; i < 256; i++) {
            raw(); // connects and says nothing, as an attacker (or a broken load balancer) does
        }
        await().atMost(WAIT).until(() -> server.guard().openConnections() == 256);
        // A connection silent for a second (ConnectionLimits.evictionAge) gives its place to a new one;
        // until then the new one is refused BUSY, and a client retries.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
            .alias("a real client is served within about a second of the flood").until(() -> {
                DispatchClient real = client();
                real.createTopic("orders", 1);
                return real.produce("orders", null, "served".getBytes(), null).offset() >= 0;
            });
        assertThat(server.guard().evicted()).as("the real client took a silent connection's place, the "
            + "connection limit held").isGreaterThanOrEqualTo(1);
    }

    @Test
    void anIdleConnectionIsClosedButALongPollInProgressIsNot() throws Exception {
        start(ConnectionLimits.DEFAULT.withTimeouts(Duration.ofSeconds(10), Duration.ofMillis(300),
            Duration.ZERO));
        client().createTopic("quiet", 1);
        RawSocket idle = raw();
        idle.send(new Message.Describe(1, "nobody"));
        assertThat(idle.read()).as("it spoke once").isNotNull();
        RawSocket polling = raw();
        polling.send(new Message.Poll(2, "*", 1 << 16, 2_000, List.of(
            new PartitionOffset(new TopicPartition("quiet", 0), 0))));

        assertThat(idle.closedByServer()).as("then said nothing for the idle timeout: closed").isTrue();
        assertThat(polling.read()).as("the poll, parked for longer than the idle timeout, is answered: a "
            + "connection waiting for the broker is not idle").isInstanceOf(Message.Polled.class);
    }

    @Test
    void randomBytesGetAnErrorOrAClosedConnectionAndEveryoneElseIsServed(Random random) throws Exception {
        start(ConnectionLimits.DEFAULT.withTimeouts(Duration.ofMillis(400), Duration.ofMinutes(10),
            Duration.ZERO));
        DispatchClient bystander = client();
        bystander.createTopic("health", 1);
        for (int i = 0; i < 30; i++) {
            byte[] noise = new byte[1 + random.nextInt(2_000)];
            random.nextBytes(noise);
            RawSocket socket = raw();
            socket.send(noise);
            assertThat(drainUntilClosed(socket)).as("connection %d, %d random bytes", i, noise.length).isTrue();
        }
        assertServes(bystander);
    }

    @Test
    void aFrameCutShortAndThenClosedLeavesNothingBehind() throws Exception {
        start(ConnectionLimits.DEFAULT);
        DispatchClient bystander = client();
        bystander.createTopic("health", 1);
        for (int i = 0; i < 20; i++) {
            RawSocket socket = raw();
            socket.send(new byte[] {0, 0, 0, 60, 0, 0x22, 0, 0, 0, 0, 0, 1, 0, 6, 'o', 'r'});
            socket.close();
        }
        await().atMost(WAIT).alias("only the bystander is left")
            .until(() -> server.guard().openConnections() == 1);
        assertServes(bystander);
    }

    @Test
    void garbageBehindEveryCommandCodeIsAnsweredOrClosedAndTheServerGoesOn(Random random) throws Exception {
        start(ConnectionLimits.DEFAULT);
        DispatchClient bystander = client();
        bystander.createTopic("health", 1);
        List<Integer> codes = new ArrayList<>();
        for (Message.Api api : Message.Api.values()) {
            codes.add(api.code());
        }
        for (int i = 0; i < 20; i++) {
            codes.add(random.nextInt(256));
        }
        for (int code : codes) {
            for (int n = 0; n < 8; n++) {
                byte[] body = new byte[random.nextInt(60)];
                random.nextBytes(body);
                ByteBuffer frame = ByteBuffer.allocate(4 + 1 + 4 + body.length);
                frame.putInt(1 + 4 + body.length).put((byte) code).putInt(n).put(body);
                RawSocket socket = raw();
                socket.send(frame.array());
                assertThat(answeredOrClosed(socket)).as("command 0x%02X with %d garbage bytes: an answer or a "
                    + "closed connection, never silence", code, body.length).isTrue();
                socket.close();
            }
        }
        assertServes(bystander);
    }

    @Test
    void absurdPartitionCountsAndTopicNamesAreRefusedByName() throws Exception {
        start(ConnectionLimits.DEFAULT);
        DispatchClient client = client();
        assertThatThrownBy(() -> client.createTopic("huge", Integer.MAX_VALUE))
            .isInstanceOfSatisfying(DispatchException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
            .hasMessageContaining(String.valueOf(Integer.MAX_VALUE));
        assertThatThrownBy(() -> client.createTopic("negative", -5)).isInstanceOf(DispatchException.class)
            .hasMessageContaining("-5");
        assertThatThrownBy(() -> client.createTopic("../../etc", 1)).isInstanceOf(DispatchException.class)
            .hasMessageContaining("../../etc");
        client.createTopic("health", 1);
        assertServes(client);
    }

    private static void assertServes(DispatchClient client) {
        long offset = client.produce("health", null, "ok".getBytes(), null).offset();
        assertThat(client.fetch(new TopicPartition("health", 0), offset, 1 << 20, "*").records()).hasSize(1);
    }

    private static boolean drainUntilClosed(RawSocket socket) {
        try {
            while (true) {
                socket.read();
            }
        } catch (IOException e) {
            return !(e instanceof SocketTimeoutException);
        }
    }

    private static boolean answeredOrClosed(RawSocket socket) {
        try {
            socket.read();
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // end of stream or reset: closed
        }
    }
}

package org.mqworkbook.inmemory.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mqworkbook.inmemory.Broker;
import org.mqworkbook.inmemory.Delivery;
import org.mqworkbook.inmemory.ErrorCode;
import org.mqworkbook.inmemory.client.BrokerClient;
import org.mqworkbook.inmemory.protocol.Frame;
import org.mqworkbook.inmemory.protocol.Opcode;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.Seeded;

/**
 * The chapter 5 server against clients that do not play by the rules: random bytes, frames cut short,
 * garbage bodies behind valid headers, connections that never speak, connections that go quiet, and a
 * client that never reads its answers. Each gets a named error or a closed connection; everyone else keeps
 * being served; and the server's memory stays bounded (its outbound bytes are measured). README section
 * "5.5 The threading model and graceful shutdown", "Hostile clients".
 */
@Exercise("5.5")
@Tag("5.5")
@Timeout(60)
@ExtendWith(Seeded.class)
class HostileClientTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** A short first-request timeout, so that the server's patience with silence runs out within the test. */
    private static final ConnectionLimits IMPATIENT = ConnectionLimits.DEFAULT
        .withTimeouts(Duration.ofMillis(400), Duration.ofMinutes(10), Duration.ZERO);
    /** And a short idle timeout too. */
    private static final ConnectionLimits RESTLESS = ConnectionLimits.DEFAULT
        .withTimeouts(Duration.ofMillis(400), Duration.ofMillis(400), Duration.ZERO);

    private final Broker broker = new Broker(Clock.systemUTC());
    private final List<AutoCloseable> opened = new ArrayList<>();
    private BrokerServer server;

    private BrokerServer start(ServerConfig config) throws IOException {
        server = new BrokerServer(broker, config.port(0)).start();
        return server;
    }

    private BrokerClient client() {
        BrokerClient client = BrokerClient.connect("127.0.0.1", server.port());
        opened.add(client);
        return client;
    }

    private Socket raw() throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(5_000);
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
    }

    @Test
    void randomBytesGetAnErrorOrAClosedConnectionAndEveryoneElseIsServed(Random random) throws Exception {
        start(ServerConfig.DEFAULT.connections(IMPATIENT));
        BrokerClient bystander = client();
        assertServes(bystander); // it has spoken: the first-request timeout is not for it
        for (int i = 0; i < 30; i++) {
            byte[] noise = new byte[1 + random.nextInt(2_000)];
            random.nextBytes(noise);
            Socket socket = raw();
            socket.getOutputStream().write(noise);
            assertThat(drainUntilClosed(socket)).as("connection %d sent %d random bytes: the server answers with "
                + "error frames and closes it, or closes it when no whole request arrives in time", i, noise.length)
                .isTrue();
        }
        assertServes(bystander);
    }

    @Test
    void aFrameCutShortAndThenClosedLeavesNothingBehind() throws Exception {
        start(ServerConfig.DEFAULT);
        BrokerClient bystander = client();
        assertServes(bystander);
        for (int i = 0; i < 20; i++) {
            Socket socket = raw();
            socket.getOutputStream().write(new byte[] {0, 0, 0, 40, 0, 0x02, 0, 0, 0, 0, 0, 1, 0, 10, 'h', 'a'});
            socket.close();
        }
        await().atMost(WAIT).alias("the half-sent connections are gone; only the bystander remains")
            .until(() -> server.connectionCount() == 1);
        assertServes(bystander);
    }

    @Test
    void aValidHeaderWithAGarbageBodyIsRefusedForEveryCommand(Random random) throws Exception {
        start(ServerConfig.DEFAULT);
        BrokerClient bystander = client();
        for (Opcode opcode : Opcode.values()) {
            for (int n = 0; n < 10; n++) {
                byte[] body = new byte[random.nextInt(40)];
                random.nextBytes(body);
                ByteBuffer frame = ByteBuffer.allocate(4 + 8 + body.length);
                frame.putInt(8 + body.length).putShort((short) opcode.code()).putShort((short) 0).putInt(n).put(body);
                Socket socket = raw();
                socket.getOutputStream().write(frame.array());
                int answer = firstOpcodeOrClose(socket);
                assertThat(answer).as("%s with %d garbage bytes: an answer (an error, or what the garbage happened "
                    + "to mean) or a closed connection, never silence", opcode, body.length).isNotEqualTo(-2);
                socket.close();
            }
        }
        assertServes(bystander);
    }

    @Test
    void aFloodOfSilentConnectionsCannotKeepARealClientOut() throws Exception {
        start(ServerConfig.DEFAULT.connections(ConnectionLimits.DEFAULT.withMaxConnections(32, 32)
            .withTimeouts(Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ZERO)));
        for (int i = 0; i < 32; i++) {
            raw(); // connects, says nothing
        }
        await().atMost(WAIT).until(() -> server.connectionCount() == 32);
        BrokerClient real = client();
        assertServes(real);
        assertThat(server.guard().evicted()).as("the real client took the place of a silent connection")
            .isGreaterThanOrEqualTo(1);
        assertThat(server.connectionCount()).as("the limit held").isLessThanOrEqualTo(32);
    }

    @Test
    void whenEveryPlaceIsTakenByClientsThatSpokeANewOneIsRefusedByName() throws Exception {
        start(ServerConfig.DEFAULT.connections(ConnectionLimits.DEFAULT.withMaxConnections(4, 4)));
        List<BrokerClient> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            BrokerClient client = client();
            client.declareQueue("q", 10, Duration.ofSeconds(30));
            clients.add(client);
        }
        Socket fifth = raw();
        RawConnection.ErrorAnswer refused = readError(fifth.getInputStream());
        assertThat(refused.code()).isEqualTo(ErrorCode.BUSY);
        assertThat(refused.message()).contains("4 connections").contains("limit");
        assertThat(drainUntilClosed(fifth)).isTrue();
        assertServes(clients.get(0));
    }

    @Test
    void anIdleConnectionIsClosedButOneWaitingForDeliveriesIsNot() throws Exception {
        start(ServerConfig.DEFAULT.connections(RESTLESS));
        BrokerClient subscriber = client();
        subscriber.declareQueue("quiet", 10, Duration.ofSeconds(30));
        List<Delivery> pushed = new CopyOnWriteArrayList<>();
        subscriber.subscribe("quiet", 1, pushed::add);
        Socket idle = raw();
        idle.getOutputStream().write(RawConnection.encode(new Frame.Receive(1, "quiet", 0)));
        assertThat(firstOpcodeOrClose(idle)).as("it spoke once: EMPTY").isEqualTo(Opcode.EMPTY.code());

        assertThat(drainUntilClosed(idle)).as("then said nothing for the idle timeout: closed").isTrue();
        assertThat(server.guard().closedIdle()).isGreaterThanOrEqualTo(1);
        BrokerClient producer = client();
        producer.publish("quiet", "still here".getBytes(StandardCharsets.UTF_8));
        await().atMost(WAIT).alias("the subscriber, as quiet for as long but waiting for the broker, is still "
            + "connected and gets the message").until(() -> pushed.size() == 1);
    }

    @Test
    void aClientThatNeverReadsItsAnswersIsSlowedNotBufferedFor() throws Exception {
        start(ServerConfig.DEFAULT);
        BrokerClient producer = client();
        producer.declareQueue("big", 2_000, Duration.ofMinutes(5));
        byte[] body = new byte[16 * 1024];
        for (int i = 0; i < 1_000; i++) {
            producer.publish("big", body);
        }
        Socket hog = new Socket();
        hog.setReceiveBufferSize(4 * 1024);
        hog.connect(new InetSocketAddress("127.0.0.1", server.port()));
        opened.add(hog);
        byte[] receive = RawConnection.encode(new Frame.Receive(7, "big", 0));
        Thread sender = new Thread(() -> {
            try {
                for (int i = 0; i < 20_000; i++) {
                    hog.getOutputStream().write(receive); // blocks once the server stops reading: intended
                }
            } catch (IOException expected) {
                // the test closed the socket
            }
        }, "hog-sender");
        sender.setDaemon(true);
        sender.start();

        // 1,000 deliveries of 16 KiB would be 16 MiB held for the hog. The bound: the in-flight answers
        // (64 × 16 KiB), the high water mark, and the small BUSY answers to requests read in the same batch.
        long bound = 64L * (16 * 1024 + 100) + ConnectionLimits.DEFAULT.writeBufferHighWaterMark() + (1 << 20);
        long most = 0;
        BrokerClient bystander = client();
        for (int round = 0; round < 100; round++) {
            assertServes(bystander); // the others are served all along
            most = Math.max(most, server.guard().bufferedOutboundBytes());
        }
        assertThat(most).as("bytes buffered for a client that reads nothing, at most (bound %d)", bound)
            .isLessThanOrEqualTo(bound);
        hog.close();
    }

    @Test
    void aClientThatStopsTakingItsAnswersIsClosedAfterTheIdleTimeout() throws Exception {
        start(ServerConfig.DEFAULT.connections(RESTLESS));
        BrokerClient producer = client();
        producer.declareQueue("big", 2_000, Duration.ofMinutes(5));
        for (int i = 0; i < 200; i++) {
            producer.publish("big", new byte[16 * 1024]);
        }
        Socket hog = new Socket();
        hog.setReceiveBufferSize(4 * 1024);
        hog.connect(new InetSocketAddress("127.0.0.1", server.port()));
        opened.add(hog);
        for (int i = 0; i < 200; i++) {
            hog.getOutputStream().write(RawConnection.encode(new Frame.Receive(i, "big", 0)));
        }
        await().atMost(WAIT).alias("the stalled connection, unwritable for the idle timeout, is closed")
            .until(() -> server.guard().closedIdle() >= 1);
        assertServes(client()); // the producer itself went idle meanwhile: a new client, served
    }

    private void assertServes(BrokerClient client) {
        client.declareQueue("health", 10, Duration.ofSeconds(30));
        client.publish("health", "ok".getBytes(StandardCharsets.UTF_8));
        Delivery delivery = client.receive("health", WAIT).orElseThrow();
        assertThat(new String(delivery.body(), StandardCharsets.UTF_8)).isEqualTo("ok");
        client.ack("health", delivery.tag());
    }

    /** Reads (and discards) until the server closes the connection; false if it stays open for 5 s. */
    private static boolean drainUntilClosed(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            while (in.read(buffer) >= 0) {
                // answers and errors: discarded
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset by the server: closed too
        } catch (IOException e) {
            return true;
        }
    }

    /** The API key of the first frame the server sends, -1 if it closes first, -2 if it says nothing for 5 s. */
    private static int firstOpcodeOrClose(Socket socket) throws IOException {
        try {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            in.readInt();
            return in.readUnsignedShort();
        } catch (SocketTimeoutException e) {
            return -2;
        } catch (EOFException | SocketException e) {
            return -1;
        }
    }

    private static RawConnection.ErrorAnswer readError(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        in.readInt();
        assertThat(in.readUnsignedShort()).as("an ERROR frame").isEqualTo(Opcode.ERROR.code());
        in.readShort(); // the version
        int correlationId = in.readInt();
        ErrorCode code = ErrorCode.fromWire(in.readInt());
        byte[] message = new byte[in.readUnsignedShort()];
        in.readFully(message);
        return new RawConnection.ErrorAnswer(correlationId, code, new String(message, StandardCharsets.UTF_8));
    }
}

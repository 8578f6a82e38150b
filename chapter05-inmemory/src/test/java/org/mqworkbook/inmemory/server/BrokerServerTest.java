package org.mqworkbook.inmemory.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mqworkbook.inmemory.Broker;
import org.mqworkbook.inmemory.Delivery;
import org.mqworkbook.inmemory.ErrorCode;
import org.mqworkbook.inmemory.MessageQueue;
import org.mqworkbook.inmemory.client.BrokerClient;
import org.mqworkbook.inmemory.client.BrokerClientException;
import org.mqworkbook.inmemory.client.RetryPolicy;
import org.mqworkbook.inmemory.protocol.Frame;
import org.mqworkbook.inmemory.protocol.Opcode;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.history.DeliveryHistory;
import org.mqworkbook.testkit.history.Guarantee;
import org.mqworkbook.testkit.history.Ordering;

/**
 * The whole broker over real sockets on 127.0.0.1, port 0: your queue, acks, push and request executor
 * behind the given network layer. Exercise 5.5 (the threading model) ties it together. README section
 * "5.5 The threading model and graceful shutdown (多线程模型)".
 */
@Exercise("5.5")
@Tag("5.5")
@Timeout(30)
class BrokerServerTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final Broker broker = new Broker(Clock.systemUTC());
    private final List<BrokerClient> clients = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private BrokerServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = new BrokerServer(broker, ServerConfig.DEFAULT.port(0)).start();
    }

    @AfterEach
    void stop() {
        clients.forEach(BrokerClient::close);
        threads.shutdownNow();
        server.close();
    }

    private BrokerClient client() {
        BrokerClient client = BrokerClient.connect("127.0.0.1", server.port());
        clients.add(client);
        return client;
    }

    @Test
    void answersApiVersionsWithEveryChapterFiveKeyAtVersionZero() {
        Frame.Versions versions = client().apiVersions();

        assertThat(versions.broker()).contains("chapter 5");
        assertThat(versions.apis()).extracting(Frame.Versions.ApiRange::apiKey)
            .containsExactly(Arrays.stream(Opcode.values()).mapToInt(Opcode::code).boxed().toArray(Integer[]::new));
        assertThat(versions.apis()).allSatisfy(range -> assertThat(range.maxVersion()).isZero());
    }

    @Test
    void producesOnOneConnectionAndConsumesOnAnother() {
        BrokerClient producer = client();
        BrokerClient consumer = client();
        producer.declareQueue("orders", 100, Duration.ofSeconds(30));

        long id = producer.publish("orders", bytes("apple"));

        Delivery delivery = consumer.receive("orders", WAIT).orElseThrow();
        assertThat(delivery.messageId()).isEqualTo(id);
        assertThat(text(delivery)).isEqualTo("apple");
        consumer.ack("orders", delivery.tag());
        assertThat(broker.queue("orders").stats().acknowledged()).isEqualTo(1);
    }

    @Test
    void aLongPollOverTheNetworkIsAnsweredByALaterPublish() throws Exception {
        BrokerClient producer = client();
        BrokerClient consumer = client();
        producer.declareQueue("q", 100, Duration.ofSeconds(30));

        Future<Optional<Delivery>> waiting = threads.submit(() -> consumer.receive("q", Duration.ofSeconds(20)));
        await("the receive is parked on the queue").atMost(WAIT)
            .until(() -> broker.queue("q").stats().waiters() == 1);
        producer.publish("q", bytes("late"));

        assertThat(text(waiting.get(10, TimeUnit.SECONDS).orElseThrow())).isEqualTo("late");
    }

    @Test
    void aConsumerThatDisconnectsHasItsUnackedMessagesRedeliveredToAnother() {
        BrokerClient producer = client();
        producer.declareQueue("q", 100, Duration.ofMinutes(10));
        producer.publish("q", bytes("m1"));
        producer.publish("q", bytes("m2"));
        BrokerClient leaving = BrokerClient.connect("127.0.0.1", server.port());
        assertThat(leaving.receive("q", WAIT)).isPresent();
        assertThat(leaving.receive("q", WAIT)).isPresent();

        leaving.close();

        BrokerClient other = client();
        Delivery first = other.receive("q", WAIT).orElseThrow();
        Delivery second = other.receive("q", WAIT).orElseThrow();
        assertThat(List.of(text(first), text(second))).as("long before the 10-minute visibility timeout")
            .containsExactly("m1", "m2");
        assertThat(first.deliveryCount()).isEqualTo(2);
    }

    @Test
    void aPushSubscriptionOverTheNetworkRespectsPrefetch() {
        BrokerClient producer = client();
        BrokerClient consumer = client();
        producer.declareQueue("q", 100, Duration.ofSeconds(30));
        List<Delivery> pushed = new CopyOnWriteArrayList<>();
        consumer.subscribe("q", 2, pushed::add);

        for (int i = 0; i < 5; i++) {
            producer.publish("q", bytes("m" + i));
        }

        await("two deliveries pushed").atMost(WAIT).until(() -> pushed.size() >= 2);
        assertThat(broker.queue("q").stats().inFlight()).as("prefetch 2").isEqualTo(2);
        consumer.ack("q", pushed.get(0).tag());
        await("an ack makes room for one more").atMost(WAIT).until(() -> pushed.size() >= 3);
        assertThat(broker.queue("q").stats().inFlight()).isEqualTo(2);
        assertThat(broker.queue("q").stats().ready()).isEqualTo(2);
    }

    @Test
    void anUnknownQueueIsRefusedByNameAndTheConnectionGoesOn() {
        BrokerClient client = client();

        assertThatThrownBy(() -> client.publish("nope", bytes("x")))
            .isInstanceOfSatisfying(BrokerClientException.class,
                e -> assertThat(e.code()).contains(ErrorCode.UNKNOWN_QUEUE))
            .hasMessageContaining("'nope'");
        assertBrokerStillServes(client);
    }

    @Test
    void aNegativeLengthGetsAnErrorAndClosesOnlyThatConnection() throws IOException {
        BrokerClient bystander = client();
        try (RawConnection raw = new RawConnection(server.port())) {
            raw.send(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x02});

            assertThat(raw.readError().code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
            assertThat(raw.closedByBroker()).as("the stream cannot be resynchronised").isTrue();
        }
        assertBrokerStillServes(bystander);
    }

    @Test
    void anOversizedLengthIsRefusedWithoutAllocatingIt() throws IOException {
        BrokerClient bystander = client();
        try (RawConnection raw = new RawConnection(server.port())) {
            raw.send(new byte[] {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x02});

            RawConnection.ErrorAnswer error = raw.readError();
            assertThat(error.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
            assertThat(error.message()).contains(String.valueOf(Integer.MAX_VALUE));
            assertThat(raw.closedByBroker()).isTrue();
        }
        assertBrokerStillServes(bystander);
    }

    @Test
    void aTruncatedFieldIsAMalformedFrame() throws IOException {
        BrokerClient bystander = client();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream frame = new DataOutputStream(bytes);
        frame.writeInt(2 + 2 + 4 + 2); // header, and a string length with no string
        frame.writeShort(0x0002);     // PUBLISH
        frame.writeShort(0);          // version 0
        frame.writeInt(7);
        frame.writeShort(50);         // claims a 50-byte queue name that is not there
        try (RawConnection raw = new RawConnection(server.port())) {
            raw.send(bytes.toByteArray());

            assertThat(raw.readError().code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
            assertThat(raw.closedByBroker()).isTrue();
        }
        assertBrokerStillServes(bystander);
    }

    @Test
    void anUnknownCommandGetsAnErrorAndTheConnectionGoesOn() throws IOException {
        BrokerClient bystander = client();
        bystander.declareQueue("q", 10, Duration.ofSeconds(30));
        try (RawConnection raw = new RawConnection(server.port())) {
            raw.send(new byte[] {0, 0, 0, 8, 0, 0x7E, 0, 0, 0, 0, 0, 9}); // API key 0x007E: nobody's

            RawConnection.ErrorAnswer error = raw.readError();
            assertThat(error.code()).isEqualTo(ErrorCode.UNKNOWN_COMMAND);
            assertThat(error.correlationId()).isEqualTo(9);
            raw.send(new Frame.Receive(10, "q", 0));
            assertThat(raw.readOpcode()).as("the same connection still answers: EMPTY").isEqualTo(0x8003);
        }
        assertBrokerStillServes(bystander);
    }

    @Test
    void gracefulShutdownKeepsEveryPublishItConfirmed() throws Exception {
        BrokerClient setup = client();
        setup.declareQueue("q", 100_000, Duration.ofSeconds(30));
        DeliveryHistory history = new DeliveryHistory();
        List<Future<?>> producers = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            BrokerClient producer = BrokerClient.connect("127.0.0.1", server.port(), WAIT, RetryPolicy.NONE);
            clients.add(producer);
            String key = "p" + p;
            producers.add(threads.submit(() -> {
                for (int n = 0; n < 100_000; n++) {
                    String id = key + "-" + n;
                    history.sent(key, id);
                    try {
                        producer.publish("q", bytes(id));
                    } catch (BrokerClientException e) {
                        return null; // refused or cut off by the shutdown: not confirmed, not counted
                    }
                    history.acknowledged(id);
                }
                return null;
            }));
        }
        await("the producers are under way").atMost(WAIT)
            .until(() -> broker.queue("q").stats().published() > 1_000);

        server.close();

        for (Future<?> f : producers) {
            f.get(20, TimeUnit.SECONDS);
        }
        MessageQueue queue = broker.queue("q");
        for (Optional<Delivery> d = queue.poll("drain"); d.isPresent(); d = queue.poll("drain")) {
            history.consumed("drain", text(d.get()));
        }
        history.check(Guarantee.EXACTLY_ONCE, Ordering.PER_KEY).assertOk();
    }

    /** Another client can still produce and consume: the broker kept serving everyone else. */
    private void assertBrokerStillServes(BrokerClient client) {
        client.declareQueue("health", 10, Duration.ofSeconds(30));
        client.publish("health", bytes("ok"));
        Delivery delivery = client.receive("health", WAIT).orElseThrow();
        assertThat(text(delivery)).isEqualTo("ok");
        client.ack("health", delivery.tag());
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(Delivery delivery) {
        return new String(delivery.body(), StandardCharsets.UTF_8);
    }
}

package org.mqworkbook.dispatch.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.dispatch.broker.TopicBroker;
import org.mqworkbook.dispatch.client.DispatchClient;
import org.mqworkbook.dispatch.client.DispatchException;
import org.mqworkbook.dispatch.partition.RangeAssignor;
import org.mqworkbook.dispatch.protocol.ErrorKind;
import org.mqworkbook.dispatch.protocol.Message;
import org.mqworkbook.inmemory.Broker;
import org.mqworkbook.inmemory.ErrorCode;
import org.mqworkbook.inmemory.client.BrokerClient;
import org.mqworkbook.inmemory.client.BrokerClientException;
import org.mqworkbook.inmemory.protocol.Frame;
import org.mqworkbook.inmemory.server.BrokerServer;
import org.mqworkbook.inmemory.server.ServerConfig;
import org.mqworkbook.testkit.ManualClock;

/**
 * One protocol that grows: chapter 7's broker speaks chapter 5's framing with chapter 7's API keys, and a
 * client of either chapter that reaches the other chapter's broker is told so by name — an
 * {@code UNKNOWN_COMMAND} that says what the broker does serve — instead of having its frames misread.
 * {@code ApiVersions} answers the question before anything else is sent. Given code, over real sockets;
 * it needs no exercise (no topic is created), so it passes on the skeleton too. README section "Serving
 * topics and groups".
 */
@Timeout(30)
class ProtocolGrowthTest {
    @TempDir
    Path dir;

    private TopicBroker topicBroker() throws IOException {
        return TopicBroker.open(dir, TopicBroker.BrokerConfig.defaults(RangeAssignor::new), new ManualClock());
    }

    @Test
    void chapterSevensBrokerListsItsApiKeysAndVersions() throws IOException {
        try (TopicBroker broker = topicBroker();
             DispatchServer server = DispatchServer.onLoopback(broker, 0).start();
             DispatchClient client = DispatchClient.connect("127.0.0.1", server.port(), Duration.ofSeconds(10))) {
            Frame.Versions versions = client.apiVersions();

            assertThat(versions.broker()).contains("chapter 7");
            assertThat(versions.range(0x0000)).as("ApiVersions itself").isPresent();
            for (Message.Api api : Message.Api.values()) {
                if (api.isRequest()) {
                    assertThat(versions.range(api.code())).as("%s", api.describe())
                        .hasValueSatisfying(range -> assertThat(range.maxVersion()).isEqualTo(api.maxVersion()));
                }
            }
            assertThat(versions.range(Message.Api.DESCRIBE.code())).as("Describe v1 adds the lag")
                .hasValueSatisfying(range -> assertThat(range.maxVersion()).isEqualTo(1));
            assertThat(versions.range(Frame.Versions.ofChapter5(0).apis().get(1).apiKey()))
                .as("chapter 5's DeclareQueue is not served here").isEmpty();
        }
    }

    @Test
    void aChapterFiveClientAtChapterSevensBrokerIsToldWhatItReached() throws IOException {
        try (TopicBroker broker = topicBroker();
             DispatchServer server = DispatchServer.onLoopback(broker, 0).start();
             BrokerClient client = BrokerClient.connect("127.0.0.1", server.port())) {
            assertThatThrownBy(() -> client.declareQueue("orders", 10, Duration.ofSeconds(30)))
                .isInstanceOfSatisfying(BrokerClientException.class,
                    e -> assertThat(e.code()).contains(ErrorCode.UNKNOWN_COMMAND))
                .hasMessageContaining("0x0001")
                .hasMessageContaining("chapter 7")
                .hasMessageContaining("ApiVersions");
            assertThat(client.apiVersions().broker()).as("the same connection goes on").contains("chapter 7");
        }
    }

    @Test
    void aChapterSevenClientAtChapterFivesBrokerIsToldWhatItReached() throws IOException {
        Broker queues = new Broker(Clock.systemUTC());
        try (BrokerServer server = new BrokerServer(queues, ServerConfig.DEFAULT.port(0)).start();
             DispatchClient client = DispatchClient.connect("127.0.0.1", server.port(), Duration.ofSeconds(10))) {
            assertThat(client.apiVersions().broker()).contains("chapter 5");
            assertThat(client.apiVersions().apis()).extracting(Frame.Versions.ApiRange::apiKey)
                .doesNotContain(Message.Api.CREATE_TOPIC.code());

            assertThatThrownBy(() -> client.createTopic("orders", 3))
                .isInstanceOfSatisfying(DispatchException.class,
                    e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNKNOWN_COMMAND))
                .hasMessageContaining("0x0021")
                .hasMessageContaining("chapter 5");
            assertThat(client.apiVersions().apis()).as("and the connection goes on").isNotEmpty();
        }
    }

    @Test
    void aVersionTheBrokerDoesNotReadIsRefusedByNameAndTheConnectionGoesOn() throws IOException {
        try (TopicBroker broker = topicBroker();
             DispatchServer server = DispatchServer.onLoopback(broker, 0).start();
             RawSocket raw = new RawSocket(server.port())) {
            // Describe (0x002A), version 3, correlation id 5, group "g".
            raw.send(new byte[] {0, 0, 0, 11, 0, 0x2A, 0, 3, 0, 0, 0, 5, 0, 1, 'g'});

            Message.Error error = raw.readError();
            assertThat(error.kind()).isEqualTo(ErrorKind.UNSUPPORTED_VERSION);
            assertThat(error.correlationId()).isEqualTo(5);
            assertThat(error.message()).contains("DESCRIBE version 3").contains("versions 0 to 1");
            raw.send(new Frame.ApiVersions(6));
            assertThat(raw.read()).isInstanceOf(Frame.Versions.class);
        }
    }

    @Test
    void aVersionZeroJoinIsRefusedBecauseItsClientWouldNeverRejoinAtABarrier() throws IOException {
        try (TopicBroker broker = topicBroker();
             DispatchServer server = DispatchServer.onLoopback(broker, 0).start();
             RawSocket raw = new RawSocket(server.port());
             DispatchClient client = DispatchClient.connect("127.0.0.1", server.port(), Duration.ofSeconds(10))) {
            raw.send(new Message.Join(7, "billing", "m1", List.of("orders")));

            Message.Error error = raw.readError();
            assertThat(error.kind()).as("a version 0 client fetched its assignment on REBALANCE_NEEDED instead of "
                + "rejoining").isEqualTo(ErrorKind.UNSUPPORTED_VERSION);
            assertThat(error.message()).contains("JOIN version 0").contains("versions 1 to 1");
            assertThat(client.apiVersions().range(Message.Api.JOIN.code())).as("and ApiVersions says so")
                .hasValueSatisfying(range -> assertThat(range.minVersion()).isEqualTo(1));
        }
    }

    @Test
    void aVersionZeroDescribeIsAnsweredInVersionZeroAndVersionOneWithTheLags() throws IOException {
        try (TopicBroker broker = topicBroker();
             DispatchServer server = DispatchServer.onLoopback(broker, 0).start();
             RawSocket raw = new RawSocket(server.port())) {
            raw.send(new Message.Describe(5, "nobody"));
            Message.Group old = (Message.Group) raw.read();
            assertThat(old.apiVersion()).as("an old client gets the layout it reads").isZero();

            raw.send(new Message.Describe(6, "nobody", 1));
            Message.Group current = (Message.Group) raw.read();
            assertThat(current.apiVersion()).isEqualTo(1);
            assertThat(current.lags()).as("a group nobody joined reads nothing").isEmpty();
        }
    }

    @Test
    void everyChapterSharesTheHeaderAndTheErrorFrame() {
        assertThat(Message.Api.ERROR.code()).isEqualTo(new Frame.Error(0, ErrorCode.BUSY, "").apiKey());
        assertThat(List.of(ErrorKind.MALFORMED_FRAME, ErrorKind.UNKNOWN_COMMAND, ErrorKind.FRAME_TOO_LARGE,
            ErrorKind.INVALID_ARGUMENT, ErrorKind.BUSY, ErrorKind.INTERNAL_ERROR, ErrorKind.UNSUPPORTED_VERSION))
            .as("codes 1-13 mean what chapter 5's do")
            .allSatisfy(kind -> assertThat(ErrorCode.fromWire(kind.code()).name()).isEqualTo(kind.name()));
    }
}

package org.mqworkbook.dispatch.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.dispatch.broker.TopicBroker;
import org.mqworkbook.dispatch.broker.TopicBroker.BrokerConfig;
import org.mqworkbook.dispatch.partition.RangeAssignor;
import org.mqworkbook.dispatch.server.DispatchServer;
import org.mqworkbook.dispatch.topic.Topic;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;

/**
 * {@code mq7 consume --from-time}: the README's "replay since 14:06" as a command. The broker runs in this JVM
 * on port 0 with a {@link ManualClock}, so the records' times are known; it stores and serves them through the
 * topics of exercise 7.6. README section "Reading by time".
 */
@Exercise("7.6")
@Tag("7.6")
@Timeout(30)
class ConsumeFromTimeTest {
    @TempDir
    Path dataDir;

    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-07T14:00:00Z"));
    private TopicBroker broker;
    private DispatchServer server;
    private InProcessCli cli;

    @BeforeEach
    void startBroker() throws Exception {
        broker = TopicBroker.open(dataDir, BrokerConfig.defaults(RangeAssignor::new), clock);
        server = DispatchServer.onLoopback(broker, 0).start();
        cli = new InProcessCli(server.port());
        Topic orders = broker.createTopic("orders", 1);
        for (int i = 0; i < 10; i++) {
            orders.append(0, null, ("minute-" + i).getBytes(UTF_8), List.of()); // 14:00, 14:01, ... 14:09
            clock.advance(Duration.ofMinutes(1));
        }
    }

    @AfterEach
    void stopBroker() throws Exception {
        server.close();
        broker.close();
    }


    @Test
    void startsAtTheFirstRecordWrittenAtOrAfterTheTime() {
        int status = cli.run("consume", "orders", "--group", "replay", "--from-time", "2026-12-07T14:06:30Z", "--max",
            "3");

        assertThat(status).as("stderr:%n%s", cli.err()).isEqualTo(DispatchCli.OK);
        assertThat(cli.out()).as("14:07, 14:08 and 14:09, not the committed offset (none: 0)")
            .contains("orders-0@7 - minute-7", "orders-0@8 - minute-8", "orders-0@9 - minute-9")
            .doesNotContain("minute-6");
    }

    @Test
    void refusesATimeItCannotRead() {
        int status = cli.run("consume", "orders", "--group", "replay", "--from-time", "yesterday");

        assertThat(status).isEqualTo(DispatchCli.USAGE);
        assertThat(cli.err()).contains("--from-time 'yesterday' is neither an instant");
    }
}

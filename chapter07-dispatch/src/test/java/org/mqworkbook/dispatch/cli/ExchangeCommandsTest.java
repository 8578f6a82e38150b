package org.mqworkbook.dispatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
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
import org.mqworkbook.testkit.Exercise;

/**
 * The README's exchange walkthrough, run as commands: {@code mq7 exchange}, {@code bind} and
 * {@code publish}, with RabbitMQ's topic tutorial. The broker runs in this JVM on port 0. It stores
 * records, so it needs exercise 7.6 (and 7.4's trie). README section "Exchanges served by the broker".
 */
@Exercise("7.6")
@Tag("7.6")
@Timeout(30)
class ExchangeCommandsTest {
    @TempDir
    Path dataDir;

    private TopicBroker broker;
    private DispatchServer server;

    @BeforeEach
    void startBroker() throws Exception {
        broker = TopicBroker.open(dataDir, BrokerConfig.defaults(RangeAssignor::new), Clock.systemUTC());
        server = DispatchServer.onLoopback(broker, 0).start();
    }

    @AfterEach
    void stopBroker() throws Exception {
        server.close();
        broker.close();
    }

    private String run(String... args) {
        InProcessCli cli = new InProcessCli(server.port());
        int status = cli.run(args);
        assertThat(status).as("mq7 %s; stderr:%n%s", String.join(" ", args), cli.err()).isEqualTo(DispatchCli.OK);
        return cli.out();
    }

    @Test
    void theTopicTutorialFromTheCommandLine() {
        run("create-topic", "Q1", "--partitions", "1");
        run("create-topic", "Q2", "--partitions", "1");
        assertThat(run("exchange", "topic_logs", "--type", "topic")).contains("declared topic exchange topic_logs");
        run("bind", "topic_logs", "Q1", "--key", "*.orange.*");
        run("bind", "topic_logs", "Q2", "--key", "lazy.#");

        assertThat(run("publish", "topic_logs", "hello", "--routing-key", "lazy.orange.elephant"))
            .contains("Q1-0@0").contains("Q2-0@0");
        assertThat(run("publish", "topic_logs", "bye", "--routing-key", "quick.brown.fox"))
            .contains("dropped");
    }

    @Test
    void headersAreTypedOnTheCommandLine() {
        run("create-topic", "urgent", "--partitions", "1");
        run("exchange", "documents", "--type", "headers");
        run("bind", "documents", "urgent", "--header", "x-match=any", "--header", "priority=9");

        assertThat(run("publish", "documents", "memo", "--header", "priority=9.0")).as("9.0 equals the whole 9")
            .contains("urgent-0@0");
        assertThat(run("publish", "documents", "memo", "--header", "priority='9'")).as("but not the text '9'")
            .contains("dropped");
    }
}

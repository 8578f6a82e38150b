package org.mqworkbook.dispatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.dispatch.broker.TopicBroker;
import org.mqworkbook.dispatch.broker.TopicBroker.BrokerConfig;
import org.mqworkbook.dispatch.partition.RangeAssignor;
import org.mqworkbook.dispatch.server.DispatchServer;
import picocli.CommandLine;

/**
 * The command line reports bad input the way DESIGN.md asks: exit code 1, one line on standard error
 * that names what was wrong, no stack trace. The broker runs in this JVM on port 0; the commands run in
 * process through {@link DispatchCli#commandLine()}.
 *
 * <p>Not an exercise test: the broker refuses these requests before any exercise code runs (an unknown
 * topic is looked up, a partition count is checked, before a log is opened), so they pass on the
 * skeleton as well, as tests of given code must.
 */
@Timeout(30)
class BadInputTest {
    @TempDir
    Path dataDir;

    private TopicBroker broker;
    private DispatchServer server;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

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

    private int run(String... args) {
        CommandLine cli = DispatchCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void producingToAnUnknownTopicExitsWithOneAndNamesTheTopic() {
        int status = run("produce", "--port", String.valueOf(server.port()), "no-such-topic", "hello");

        assertThat(status).as("exit status; stderr:\n%s", err).isEqualTo(DispatchCli.BROKER_ERROR);
        assertThat(err.toString()).startsWith("error: UNKNOWN_TOPIC").contains("'no-such-topic'")
            .doesNotContain("\tat ");
        assertThat(out.toString()).as("nothing was produced, so no position is printed").isEmpty();
    }

    @Test
    void creatingATopicWithZeroPartitionsExitsWithOneAndNamesTheCount() {
        int status = run("create-topic", "--port", String.valueOf(server.port()), "orders", "--partitions", "0");

        assertThat(status).as("exit status; stderr:\n%s", err).isEqualTo(DispatchCli.BROKER_ERROR);
        assertThat(err.toString()).startsWith("error: INVALID_ARGUMENT").contains("orders").contains("not 0")
            .doesNotContain("\tat ");
        assertThat(broker.partitionCounts()).as("no topic was created").isEmpty();
    }

    @Test
    void growingATopicThatDoesNotExistExitsWithOneAndNamesTheTopic() {
        int status = run("add-partitions", "--port", String.valueOf(server.port()), "no-such-topic", "-p", "4");

        assertThat(status).as("exit status; stderr:\n%s", err).isEqualTo(DispatchCli.BROKER_ERROR);
        assertThat(err.toString()).startsWith("error: UNKNOWN_TOPIC").contains("'no-such-topic'")
            .doesNotContain("\tat ");
    }

    @Test
    void anUnreachableBrokerExitsWithOneAndNamesTheAddress() {
        server.close();
        int port = server.port();

        int status = run("create-topic", "--port", String.valueOf(port), "orders", "--partitions", "1");

        assertThat(status).as("exit status; stderr:\n%s", err).isEqualTo(DispatchCli.BROKER_ERROR);
        assertThat(err.toString()).startsWith("error: cannot connect to 127.0.0.1:" + port).doesNotContain("\tat ");
    }
}

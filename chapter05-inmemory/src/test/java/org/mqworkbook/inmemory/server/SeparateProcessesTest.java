package org.mqworkbook.inmemory.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mqworkbook.inmemory.cli.MqCli;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.process.JavaProcess;

/**
 * The broker, its producer and its consumers as separate JVMs, talking over loopback, started with the
 * chapter's own command line ({@code MqCli}) exactly as a learner would from several terminals. A
 * consumer is killed with SIGKILL while it holds unacknowledged messages; they must reach another
 * consumer. README section "Running things" and "5.5".
 */
@Exercise("5.5")
@Tag("5.5")
@Timeout(60)
class SeparateProcessesTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final Pattern LISTENING = Pattern.compile("broker listening on [^:]+:(\\d+)");

    @Test
    void aKilledConsumersUnackedMessagesReachAnotherConsumerProcess() throws Exception {
        try (JavaProcess broker = JavaProcess.start("broker", MqCli.class, "server", "--port", "0")) {
            Matcher listening = LISTENING.matcher(broker.awaitLine(l -> LISTENING.matcher(l).find(), LIMIT));
            assertThat(listening.find()).isTrue();
            String port = listening.group(1);

            try (JavaProcess declare = JavaProcess.start("declare", MqCli.class, "declare", "--port", port,
                "--queue", "orders", "--visibility-timeout-ms", "600000")) {
                assertThat(declare.awaitExit(LIMIT)).as("declare printed:\n%s", declare.output()).isZero();
            }
            try (JavaProcess produce = JavaProcess.start("produce", MqCli.class, "produce", "--port", port,
                "--queue", "orders", "apple", "banana", "cherry")) {
                assertThat(produce.awaitExit(LIMIT)).as("produce printed:\n%s", produce.output()).isZero();
            }

            try (JavaProcess doomed = JavaProcess.start("doomed consumer", MqCli.class, "consume", "--port", port,
                "--queue", "orders", "--no-ack", "--wait-ms", "60000")) {
                List<String> held = doomed.awaitLines(l -> l.contains(" body="), 3, LIMIT);
                assertThat(held).allMatch(l -> l.contains("delivery=1"));
                doomed.kill();
            }

            try (JavaProcess survivor = JavaProcess.start("second consumer", MqCli.class, "consume", "--port",
                port, "--queue", "orders", "--count", "3", "--wait-ms", "20000")) {
                List<String> redelivered = survivor.awaitLines(l -> l.contains(" body="), 3, LIMIT);
                assertThat(survivor.awaitExit(LIMIT)).isZero();
                assertThat(redelivered).as("the killed consumer's messages, long before the visibility timeout")
                    .allMatch(l -> l.contains("delivery=2"))
                    .anyMatch(l -> l.endsWith("body=apple"))
                    .anyMatch(l -> l.endsWith("body=banana"))
                    .anyMatch(l -> l.endsWith("body=cherry"));
            }
        }
    }
}

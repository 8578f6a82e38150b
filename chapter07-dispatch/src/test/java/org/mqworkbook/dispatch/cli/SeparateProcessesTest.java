package org.mqworkbook.dispatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.history.DeliveryHistory;
import org.mqworkbook.testkit.history.Guarantee;
import org.mqworkbook.testkit.history.Ordering;
import org.mqworkbook.testkit.process.JavaProcess;

/**
 * The broker, producers and the members of one consumer group as separate JVMs, started with the
 * chapter's command line ({@code mq7}) as a learner would from several terminals. One member is killed
 * with SIGKILL mid-stream: the other takes its partitions once its session (2 s) expires. Then the broker
 * itself is killed mid-stream and restarted on the same data directory, and a new member drains the rest
 * from the committed offsets. The delivery-history checker holds everything the consumers printed
 * against at-least-once and per-key order. README section "7.6".
 *
 * <p>The history is rebuilt from the processes' output after the fact. Within one process the printed
 * order is the real order. Across processes it does not matter until a partition changes hands: the
 * test waits for the group to settle before the first record exists, so until the kill the two members
 * read disjoint partitions, and each hand-over is recorded as a failure at the point where it happened
 * (the kill, the survivor's new generation, the broker's kill), which is what allows a record to be
 * printed twice.
 */
@Exercise("7.6")
@Tag("7.6")
@Timeout(120)
class SeparateProcessesTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final Pattern LISTENING = Pattern.compile("broker listening on [^:]+:(\\d+)");
    private static final Pattern POSITION = Pattern.compile("^orders-\\d+@\\d+$");
    /** {@code orders-2@17 key-3 m-41}: what {@code consume} prints for a record. */
    private static final Pattern RECORD = Pattern.compile("^orders-\\d+@\\d+ (\\S+) (\\S+)$");
    private static final Pattern ASSIGNED = Pattern.compile("^assigned generation (\\d+): (.*)$");
    private static final int KEYS = 8;

    @TempDir
    Path dataDir;

    private final DeliveryHistory history = new DeliveryHistory();

    @Test
    void aGroupLosesNothingWhenAMemberAndThenTheBrokerAreKilled() throws Exception {
        List<String> batch1 = messages(0, 100);
        List<String> batch2 = messages(100, 200);
        List<String> batch3 = messages(200, 300);
        JavaProcess a;
        JavaProcess b;
        JavaProcess c;
        try (JavaProcess broker = startBroker("broker")) {
            String port = port(broker);
            try (JavaProcess create = cli("create-topic", "create-topic", "orders", "--partitions", "4",
                "--port", port)) {
                assertThat(create.awaitExit(LIMIT)).as("create-topic printed:\n%s", create.output()).isZero();
            }

            // Both members join before the first record exists: no record is read by one and re-read by the other
            // because the group was still forming, so every repeat below has a recorded cause.
            a = cli("consumer a", "consume", "orders", "--group", "g", "--member", "a", "--port", port);
            a.awaitLine(l -> l.startsWith("assigned generation 1:"), LIMIT);
            b = cli("consumer b", "consume", "orders", "--group", "g", "--member", "b", "--port", port);
            assertThat(a.awaitLine(l -> l.startsWith("assigned generation 2:"), LIMIT)).endsWith("orders-0, orders-1");
            assertThat(b.awaitLine(l -> l.startsWith("assigned generation 2:"), LIMIT)).endsWith("orders-2, orders-3");

            produce(port, batch1).close();
            awaitConsumed(batch1, a, b);

            // a is killed while batch 2 is being produced, after it has printed at least one of its records
            try (JavaProcess producing = startProducing(port, batch2)) {
                a.awaitLine(l -> isOneOf(l, batch2), LIMIT);
                a.kill();
                acknowledge(producing, batch2);
            }
            assertThat(b.awaitLine(l -> l.matches("assigned generation \\d+: orders-0, orders-1, orders-2, orders-3"),
                LIMIT)).as("b took over a's partitions after a's session expired").isNotNull();
            awaitConsumed(batch2, a, b);

            // the broker is killed while batch 3 is being produced, after b has printed at least one of its records
            try (JavaProcess producing = startProducing(port, batch3)) {
                b.awaitLine(l -> isOneOf(l, batch3), LIMIT);
                broker.kill();
                b.kill(); // it could print nothing more anyway: its records came from the dead broker
                acknowledge(producing, batch3);
            }
        }

        try (JavaProcess restarted = startBroker("restarted broker")) {
            String port = port(restarted);
            c = cli("consumer c", "consume", "orders", "--group", "g", "--member", "c", "--idle-exit", "2s",
                "--port", port);
            assertThat(c.awaitExit(LIMIT)).as("consumer c printed:\n%s", c.output()).isZero();
        }

        // The consumptions and failures in the order they happened (see the class comment); the sends and
        // acknowledgements were recorded as they happened.
        record(a, "a");
        history.failure("consumer a killed with SIGKILL");
        record(b, "b");
        history.failure("broker killed with SIGKILL");
        record(c, "c");
        assertThat(consumedIds(c)).as("c resumed from the committed offsets; it printed:\n%s", c.output())
            .doesNotContain("m-0");
        history.check(Guarantee.AT_LEAST_ONCE, Ordering.PER_KEY).assertOk();
    }

    /** {@code key-K:m-N} for N in [from, to), K = N mod 8: the input of {@code produce --key-separator :}. */
    private static List<String> messages(int from, int to) {
        List<String> messages = new ArrayList<>();
        for (int n = from; n < to; n++) {
            messages.add("key-" + n % KEYS + ":m-" + n);
        }
        return messages;
    }

    private static String id(String message) {
        return message.substring(message.indexOf(':') + 1);
    }

    private static boolean isOneOf(String line, List<String> batch) {
        Matcher m = RECORD.matcher(line);
        return m.matches() && batch.stream().anyMatch(message -> id(message).equals(m.group(2)));
    }

    private static JavaProcess cli(String name, String... args) throws Exception {
        return JavaProcess.start(name, DispatchCli.class, args);
    }

    private JavaProcess startBroker(String name) throws Exception {
        return cli(name, "server", "--data-dir", dataDir.toString(), "--port", "0", "--session-timeout", "2s");
    }

    private static String port(JavaProcess broker) throws InterruptedException {
        Matcher m = LISTENING.matcher(broker.awaitLine(l -> LISTENING.matcher(l).find(), LIMIT));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    /** Starts a {@code produce} process for the batch; every message is recorded as sent before it starts. */
    private JavaProcess startProducing(String port, List<String> batch) throws Exception {
        for (String message : batch) {
            history.sent(message.substring(0, message.indexOf(':')), id(message));
        }
        List<String> args = new ArrayList<>(List.of("produce", "orders", "--key-separator", ":", "--port", port));
        args.addAll(batch);
        return cli("producer of " + id(batch.get(0)) + "..", args.toArray(String[]::new));
    }

    /** Produces the whole batch and checks that every message was acknowledged. */
    private JavaProcess produce(String port, List<String> batch) throws Exception {
        JavaProcess producing = startProducing(port, batch);
        assertThat(producing.awaitExit(LIMIT)).as("produce printed:\n%s", producing.output()).isZero();
        assertThat(acknowledge(producing, batch)).isEqualTo(batch.size());
        return producing;
    }

    /**
     * Records as acknowledged the messages whose position the producer printed (line i is message i's),
     * once it has exited: on its own, or because the broker died under it.
     */
    private int acknowledge(JavaProcess producing, List<String> batch) throws InterruptedException {
        producing.awaitExit(LIMIT);
        List<String> positions = producing.output().lines().filter(l -> POSITION.matcher(l).matches()).toList();
        for (int i = 0; i < positions.size(); i++) {
            history.acknowledged(id(batch.get(i)));
        }
        return positions.size();
    }

    private static void awaitConsumed(List<String> batch, JavaProcess... consumers) {
        Set<String> wanted = new HashSet<>();
        batch.forEach(message -> wanted.add(id(message)));
        await("the consumers printed every message of the batch").atMost(LIMIT).untilAsserted(() -> {
            Set<String> printed = new HashSet<>();
            for (JavaProcess consumer : consumers) {
                printed.addAll(consumedIds(consumer));
            }
            assertThat(printed).as("printed by the consumers:\n%s", outputs(consumers)).containsAll(wanted);
        });
    }

    private static List<String> consumedIds(JavaProcess consumer) {
        List<String> ids = new ArrayList<>();
        for (String line : consumer.output().lines().toList()) {
            Matcher m = RECORD.matcher(line);
            if (m.matches()) {
                ids.add(m.group(2));
            }
        }
        return ids;
    }

    private static String outputs(JavaProcess... processes) {
        StringBuilder all = new StringBuilder();
        for (JavaProcess process : processes) {
            all.append(process.output()).append("\n---\n");
        }
        return all.toString();
    }

    /**
     * Records what the consumer printed, in its order. From its third generation on, each new assignment is
     * a rebalance caused by a failure (a's session expiring): it is recorded where it happened, because a
     * record printed before it and not committed is printed again after it.
     */
    private void record(JavaProcess consumer, String name) {
        for (String line : consumer.output().lines().toList()) {
            Matcher assigned = ASSIGNED.matcher(line);
            if (assigned.matches() && Integer.parseInt(assigned.group(1)) >= 3) {
                history.failure(name + " adopted generation " + assigned.group(1) + " after a member's session "
                    + "expired");
            }
            Matcher m = RECORD.matcher(line);
            if (m.matches()) {
                history.consumed(name, m.group(2));
            }
        }
    }
}

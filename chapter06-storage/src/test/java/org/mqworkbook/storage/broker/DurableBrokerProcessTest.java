package org.mqworkbook.storage.broker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.inmemory.Delivery;
import org.mqworkbook.inmemory.client.BrokerClient;
import org.mqworkbook.inmemory.client.BrokerClientException;
import org.mqworkbook.inmemory.client.RetryPolicy;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.history.DeliveryHistory;
import org.mqworkbook.testkit.history.Guarantee;
import org.mqworkbook.testkit.history.Ordering;
import org.mqworkbook.testkit.process.JavaProcess;

/**
 * The durable broker as a real server process: a producer publishes (each publish answered only once
 * the message is on disk), the broker is killed with SIGKILL mid-stream, restarted on the same data
 * directory, and a consumer drains the queue. The history checker proves that every acknowledged
 * message is there exactly once, in order. README section "6.6 The durable broker".
 */
@Exercise("6.6")
@Tag("6.6")
@Timeout(90)
class DurableBrokerProcessTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final Pattern LISTENING = Pattern.compile("broker listening on [^:]+:(\\d+)");

    @TempDir
    Path dataDir;

    private static int startedPort(JavaProcess broker) throws InterruptedException {
        Matcher m = LISTENING.matcher(broker.awaitLine(l -> LISTENING.matcher(l).find(), LIMIT));
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void everyAcknowledgedPublishSurvivesAKillDashNineExactlyOnceInOrder() throws Exception {
        DeliveryHistory history = new DeliveryHistory();
        AtomicInteger acknowledged = new AtomicInteger();
        ExecutorService producer = Executors.newSingleThreadExecutor();
        try (JavaProcess broker = JavaProcess.start("durable broker", DurableBrokerMain.class,
            "--data-dir", dataDir.toString(), "--port", "0")) {
            int port = startedPort(broker);
            BrokerClient client = BrokerClient.connect("127.0.0.1", port, Duration.ofSeconds(5), RetryPolicy.NONE);
            client.declareQueue("orders", 1_000_000, Duration.ofMinutes(10));
            Future<?> producing = producer.submit(() -> {
                for (int n = 0; ; n++) {
                    String id = "order-" + n;
                    history.sent("producer", id);
                    try {
                        client.publish("orders", id.getBytes(UTF_8));
                    } catch (BrokerClientException e) {
                        return null; // the broker died under us: this publish was never acknowledged
                    }
                    history.acknowledged(id);
                    acknowledged.incrementAndGet();
                }
            });
            await("the producer has durable acknowledgements").atMost(LIMIT).until(() -> acknowledged.get() >= 300);

            broker.kill(); // SIGKILL, mid-stream
            history.failure("broker killed with SIGKILL after " + acknowledged.get() + " acknowledgements");
            producing.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
            client.close();
        } finally {
            producer.shutdownNow();
        }

        try (JavaProcess restarted = JavaProcess.start("restarted broker", DurableBrokerMain.class,
            "--data-dir", dataDir.toString(), "--port", "0");
             BrokerClient consumer = BrokerClient.connect("127.0.0.1", startedPort(restarted))) {
            for (Optional<Delivery> d = consumer.receive("orders", Duration.ofSeconds(2)); d.isPresent();
                 d = consumer.receive("orders", Duration.ofSeconds(2))) {
                history.consumed("consumer", new String(d.get().body(), UTF_8));
                consumer.ack("orders", d.get().tag());
            }
        }

        history.check(Guarantee.EXACTLY_ONCE, Ordering.PER_KEY).assertOk();
        assertThat(acknowledged.get()).isGreaterThanOrEqualTo(300);
    }
}

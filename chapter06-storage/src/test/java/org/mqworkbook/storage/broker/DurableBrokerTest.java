package org.mqworkbook.storage.broker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.inmemory.Delivery;
import org.mqworkbook.inmemory.MessageQueue;
import org.mqworkbook.inmemory.QueueConfig;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.LogConfig;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;
import org.mqworkbook.testkit.Seeded;
import org.mqworkbook.testkit.storage.CrashMode;
import org.mqworkbook.testkit.storage.CrashPoints;
import org.mqworkbook.testkit.storage.CrashScenario;
import org.mqworkbook.testkit.storage.CrashSimulator;

/**
 * Exercise 6.6, chapter 5's broker on the log: queues and their unacknowledged messages survive a
 * restart and a power cut; acknowledged messages do not come back; ids are never reused. README section
 * "6.6 The durable broker".
 */
@Exercise("6.6")
@Tag("6.6")
@Timeout(30)
@ExtendWith(Seeded.class)
class DurableBrokerTest {
    private static final QueueConfig CONFIG = QueueConfig.withCapacity(1_000).visibilityTimeout(Duration.ofMinutes(5));
    private static final LogConfig LOG = LogConfig.DEFAULT.withSegmentBytes(512);

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock();

    private DurableBroker open(FileOpener opener, int checkpointEvery) throws IOException {
        return DurableBroker.open(dir, clock, LOG, opener, checkpointEvery);
    }

    private static List<String> drain(MessageQueue queue, String consumer, boolean ack) {
        List<String> values = new ArrayList<>();
        for (Optional<Delivery> d = queue.poll(consumer); d.isPresent(); d = queue.poll(consumer)) {
            values.add(d.get().messageId() + ":" + new String(d.get().body(), UTF_8));
            if (ack) {
                queue.ack(consumer, d.get().tag());
            }
        }
        return values;
    }

    @Test
    void aRestartedBrokerHasItsQueuesAndDeliversEveryUnacknowledgedMessageAgain() throws Exception {
        try (DurableBroker broker = open(FileOpener.REAL, 1)) {
            MessageQueue queue = broker.broker().declareQueue("orders", CONFIG);
            for (int i = 0; i < 5; i++) {
                queue.publish(("m" + i).getBytes(UTF_8));
            }
            Delivery first = queue.poll("c").orElseThrow();
            Delivery second = queue.poll("c").orElseThrow();
            queue.poll("c").orElseThrow(); // m2: delivered, never acknowledged
            queue.ack("c", second.tag());
            queue.ack("c", first.tag());
        }

        try (DurableBroker broker = open(FileOpener.REAL, 1)) {
            MessageQueue queue = broker.broker().queue("orders");
            assertThat(queue.config()).as("the queue is declared again, with its configuration").isEqualTo(CONFIG);
            assertThat(drain(queue, "c2", true)).as("m0 and m1 were acknowledged; m2 to m4 come back, same ids")
                .containsExactly("2:m2", "3:m3", "4:m4");
            assertThat(queue.publish("m5".getBytes(UTF_8))).as("ids continue; they are never reused").isEqualTo(5);
        }
    }

    @Test
    void nothingAcknowledgedAsStoredIsLostToAPowerCut() throws Exception {
        CrashSimulator disk = new CrashSimulator(7, CrashMode.DROP_OR_TEAR);
        DurableBroker crashing = open(disk::open, 1);
        MessageQueue queue = crashing.broker().declareQueue("q", CONFIG);
        for (int i = 0; i < 20; i++) {
            queue.publish(("m" + i).getBytes(UTF_8)); // returns only once the message is on disk
        }
        for (int i = 0; i < 8; i++) {
            Delivery d = queue.poll("c").orElseThrow();
            queue.ack("c", d.tag()); // checkpointed at once (checkpointEvery = 1)
        }

        disk.crash(); // the power fails; the crashed broker is never closed

        try (DurableBroker broker = open(FileOpener.REAL, 1)) {
            List<String> back = drain(broker.broker().queue("q"), "c2", true);
            assertThat(back).as("every published message not acknowledged before the cut, exactly once, in order")
                .hasSize(12).startsWith("8:m8").endsWith("19:m19");
        }
    }

    @Test
    void anAckThatWasNotCheckpointedYetMeansTheMessageComesBackNotThatItIsLost() throws Exception {
        CrashSimulator disk = new CrashSimulator(3, CrashMode.DROP);
        DurableBroker crashing = open(disk::open, 1_000);
        MessageQueue queue = crashing.broker().declareQueue("q", CONFIG);
        queue.publish("a".getBytes(UTF_8));
        queue.publish("b".getBytes(UTF_8));
        queue.ack("c", queue.poll("c").orElseThrow().tag()); // acked in memory; the checkpoint is not due yet

        disk.crash();

        try (DurableBroker broker = open(FileOpener.REAL, 1_000)) {
            assertThat(drain(broker.broker().queue("q"), "c2", true))
                .as("at-least-once: 'a' is delivered again rather than risked").containsExactly("0:a", "1:b");
        }
    }

    @Test
    void aDeclaredQueueAndItsAcknowledgedMessagesSurviveAPowerCutAtEveryPoint(Random random, @TempDir Path sweeps)
        throws IOException {
        // Acknowledged: "q1" once declareQueue returned, "q1:m3" once publish returned (stored, fsynced).
        CrashPoints.sweep(random.nextLong(), 150, sweeps, new CrashScenario<String>() {
            @Override
            public void workload(CrashSimulator disk, Path directory, List<String> acknowledged) throws Exception {
                DurableBroker broker = DurableBroker.open(directory, clock, LOG, disk::open, 1);
                for (int q = 0; q < 3; q++) {
                    MessageQueue queue = broker.broker().declareQueue("q" + q, CONFIG);
                    acknowledged.add("q" + q);
                    for (int m = 0; m < 3; m++) {
                        long id = queue.publish(("m" + m).getBytes(UTF_8));
                        acknowledged.add("q" + q + ":" + id + ":m" + m);
                    }
                }
            }

            @Override
            public void check(Path directory, List<String> acknowledged) throws IOException {
                try (DurableBroker broker = DurableBroker.open(directory, clock, LOG, FileOpener.REAL, 1)) {
                    Map<String, List<String>> stored = new HashMap<>();
                    for (String what : acknowledged) {
                        String[] parts = what.split(":", 2);
                        MessageQueue queue = broker.broker().queue(parts[0]);
                        assertThat(queue.config()).as("queue %s was declared before the crash: it is declared "
                            + "again, with its configuration (README 6.6)", parts[0]).isEqualTo(CONFIG);
                        List<String> messages = stored.computeIfAbsent(parts[0], name -> drain(queue, "check", false));
                        if (parts.length == 2) {
                            assertThat(messages).as("queue %s's messages after the crash", parts[0]).contains(parts[1]);
                        }
                    }
                }
            }
        });
    }

    @Test
    void aCorruptAckCheckpointIsKeptAsideAndTheBrokerStartsAnyway() throws Exception {
        try (DurableBroker broker = open(FileOpener.REAL, 1)) {
            MessageQueue queue = broker.broker().declareQueue("q", CONFIG);
            queue.publish("a".getBytes(UTF_8));
            queue.publish("b".getBytes(UTF_8));
            queue.ack("c", queue.poll("c").orElseThrow().tag());
        }
        Path checkpoint = dir.resolve("q").resolve(AckCheckpoint.FILE);
        Files.write(checkpoint, new byte[] {1, 2, 3});

        try (DurableBroker broker = open(FileOpener.REAL, 1)) {
            assertThat(broker.recoveryReport()).anySatisfy(line -> assertThat(line).contains(AckCheckpoint.FILE)
                .contains("kept aside"));
            assertThat(drain(broker.broker().queue("q"), "c2", true))
                .as("without its acks the queue delivers everything again: at-least-once, nothing lost")
                .containsExactly("0:a", "1:b");
        }
        try (Stream<Path> files = Files.list(dir.resolve("q"))) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.contains(".corrupt-"));
        }
    }

    @Test
    void settledMessagesLetOldSegmentsBeDeleted() throws Exception {
        try (DurableBroker broker = open(FileOpener.REAL, 10)) {
            MessageQueue queue = broker.broker().declareQueue("q", CONFIG);
            for (int i = 0; i < 100; i++) {
                queue.publish(("message-" + i).getBytes(UTF_8));
            }
            int segmentsBefore = broker.journal("q").log().segments().size();

            drain(queue, "c", true);
            broker.journal("q").checkpoint();

            assertThat(broker.journal("q").acks().floor()).isEqualTo(100);
            assertThat(broker.journal("q").log().segments()).as("segments below the ack floor are gone")
                .hasSizeLessThan(segmentsBefore).hasSize(1);
        }
    }
}

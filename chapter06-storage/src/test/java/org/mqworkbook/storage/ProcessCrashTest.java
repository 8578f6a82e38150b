package org.mqworkbook.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.storage.demo.LogWriterProcess;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;
import org.mqworkbook.testkit.history.DeliveryHistory;
import org.mqworkbook.testkit.history.Guarantee;
import org.mqworkbook.testkit.history.Ordering;

/**
 * A real process crash: a writer JVM appends records and acknowledges them after fsync; this test kills it
 * with SIGKILL mid-stream (no shutdown hook, no last flush), recovers the log in this JVM, and checks with
 * the history checker that every acknowledged record is there exactly once, in order. README section
 * "6.5 Recovery".
 */
@Exercise("6.5")
@Tag("6.5")
@Timeout(60)
class ProcessCrashTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void everyRecordAcknowledgedBeforeAKillDashNineIsThereExactlyOnceInOrder() throws Exception {
        DeliveryHistory history = new DeliveryHistory();
        List<String> output = new ArrayList<>();
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx128m", "-cp", System.getProperty("java.class.path"), LogWriterProcess.class.getName(),
            dir.toString(), "1000000", "20").redirectErrorStream(true).start();
        int acks = 0;
        long deadline = System.nanoTime() + LIMIT.toNanos();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), UTF_8))) {
            for (String line = out.readLine(); line != null && acks < 2_000 && System.nanoTime() < deadline;
                 line = out.readLine()) {
                if (line.startsWith("acked ")) {
                    String id = line.split(" ")[2];
                    history.sent("writer", id);
                    history.acknowledged(id);
                    acks++;
                } else if (output.size() < 50) {
                    output.add(line);
                }
            }
        } finally {
            writer.destroyForcibly(); // SIGKILL on Unix: the writer dies wherever it is
            writer.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(acks).as("the writer acknowledged records before it was killed; it printed: %s", output)
            .isGreaterThanOrEqualTo(2_000);
        history.failure("writer killed with SIGKILL after " + acks + " acknowledgements");

        try (Log log = Log.open(dir, LogConfig.DEFAULT.withSegmentBytes(64 * 1024), FileOpener.REAL,
            new ManualClock())) {
            // records written after the last acknowledgement may survive too: the writer did send them
            for (long offset = acks; offset < log.nextOffset(); offset++) {
                history.sent("writer", "record-" + offset);
            }
            for (long next = log.logStartOffset(); next < log.nextOffset(); ) {
                for (Record r : log.read(next, 64 * 1024)) {
                    history.consumed("reader", new String(r.value(), UTF_8));
                    next = r.offset() + 1;
                }
            }
        }

        history.check(Guarantee.EXACTLY_ONCE, Ordering.PER_KEY).assertOk();
    }
}

package org.mqworkbook.dispatch.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.testkit.Exercise;

/**
 * A smoke test of the load harness: a tiny run with the broker in process, through the network layer
 * and the partition logs of exercise 7.6. It checks what the harness reports about correctness (nothing
 * lost, every key in order), never how fast it went: figures come from real runs of the harness, not from
 * timed tests (DESIGN.md, "Performance doctrine").
 */
@Exercise("7.6")
@Tag("7.6")
@Timeout(60)
class LoadHarnessTest {
    @TempDir
    Path dir;

    @Test
    void smallRunDeliversEveryMessageWithEachKeyInOrder() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        LoadReport report = LoadHarness.run(new PrintStream(printed, true, StandardCharsets.UTF_8),
            "--in-process", "--partitions", "2", "--messages", "500", "--producers", "2", "--consumers", "2",
            "--keys", "20", "--window", "16", "--warmup", "100", "--warmup-run", "200", "--sync-threads", "1,2",
            "--data-dir", dir.toString());

        assertThat(report.runs()).as("one configuration per sync-thread setting").hasSize(2);
        for (RunResult run : report.runs()) {
            PhaseResult phase = run.phase();
            assertThat(phase.failure()).as(run.label()).isNull();
            assertThat(phase.acknowledged()).as(run.label()).isEqualTo(500);
            assertThat(phase.delivered()).as(run.label()).isEqualTo(500);
            assertThat(phase.lost()).as(run.label()).isZero();
            assertThat(phase.orderViolations()).as(run.label()).isZero();
            assertThat(phase.produceErrors()).as(run.label()).isZero();
        }
        assertThat(report.correct()).isTrue();
        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(text)
            .contains("| partitions / sync threads | produced (acked) | consumed (at least once) | lost | duplicates")
            .contains("| 2 p / 1 sync | 500 of 500 | 500 | 0 |")
            .contains("| 2 p / 2 sync | 500 of 500 | 500 | 0 |")
            .contains("Every configuration delivered every message, each key in order.")
            .contains("xychart-beta");
    }
}

package org.mqworkbook.dispatch.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mqworkbook.testkit.Exercise;

/**
 * Runs the chapter's demo ({@code ./workbook run 7}) without its pauses and checks that it tells the story
 * it promises: 6 partitions split 6, 3/3 and 2/2/2 as members join, a crashed member's partitions moved
 * to the others once its session expired, and nothing lost at the end. A demo that silently stopped
 * working would teach the wrong thing. README section "7.6".
 */
@Exercise("7.6")
@Tag("7.6")
@Timeout(60)
class RebalanceDemoTest {

    @Test
    void theDemoSplitsPartitionsAsMembersComeAndGoAndLosesNothing() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int status;
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            status = RebalanceDemo.run(new String[] {"--fast"}, out);
        }
        String output = captured.toString(StandardCharsets.UTF_8);

        assertThat(status).as("the demo's exit status; it printed:\n%s", output).isZero();
        assertThat(output).as("the demo's story")
            .containsPattern("generation \\d+: A=6\\n")
            .containsPattern("generation \\d+: A=3 B=3\\n")
            .containsPattern("generation \\d+: A=2 B=2 C=2\\n")
            .contains("B missed its heartbeats")
            .containsPattern("B's partitions moved: orders-\\d -> [AC], orders-\\d -> [AC]\\n")
            .containsPattern("generation \\d+: A=3 C=3\\n")
            .containsPattern("generation \\d+: A=3 D=3\\n")
            .contains("per-key order kept")
            .containsPattern("lazy\\.pink\\.rabbit +-> Q2\\n")
            .containsPattern("quick\\.orange\\.rabbit +-> Q1, Q2\\n")
            .contains("quick.brown.fox        -> (dropped")
            .contains("nothing lost");
    }
}

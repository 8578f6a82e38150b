package org.mqworkbook.dispatch.load;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mqworkbook.testkit.Exercise;

/**
 * A smoke test of the rebalance-pause tool: a tiny run of both protocols, checking that it ran — every
 * producer and member without failure, the group settled after each join, a row per protocol and join —
 * never how long anything paused: those figures come from real runs (DESIGN.md, "Performance doctrine").
 * It needs the cooperative protocol of exercise 7.8.
 */
@Exercise("7.8")
@Tag("7.8")
@Timeout(60)
class RebalancePauseTest {
    @Test
    void aTinyRunOfBothProtocolsReportsARowPerJoin() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        List<String> rows = RebalancePause.run(new PrintStream(printed, true, UTF_8), "--members", "2",
            "--partitions", "4", "--rounds", "1", "--rate", "400", "--work-ms", "10");

        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).startsWith("| eager (sticky) | 2 → 3 members |");
        assertThat(rows.get(1)).startsWith("| cooperative-sticky | 2 → 3 members |");
        assertThat(rows).allSatisfy(row -> assertThat(row).containsPattern("\\| [1-9]\\d* of 4 \\|"));
        assertThat(printed.toString(UTF_8)).contains("| protocol | join | partitions moved |");
    }
}

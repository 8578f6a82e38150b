package org.mqworkbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How a failure is written into the results: enough of its message, and never without its replay seed. */
@Timeout(10)
class ExerciseRunDescribeTest {
    @Test
    void keepsTheLinesAnAssertJMessageNeeds() {
        String message = "[every binding matches]\nExpecting actual:\n  [\"Q-all\"]\nto contain exactly in any order:\n"
            + "  [\"Q-all\", \"Q-x\"]\nbut could not find the following elements:\n  [\"Q-x\"]\n";

        assertThat(ExerciseRun.describe(new AssertionError(message)))
            .contains("could not find the following elements: [\"Q-x\"]");
    }

    @Test
    void keepsTheReplaySeedOfALongMessage() {
        String message = "x".repeat(5_000) + " [replay with -Dseed=-4962768465676381896]";

        String described = ExerciseRun.describe(new AssertionError(message));

        assertThat(described).hasSizeLessThan(1_000).endsWith("[replay with -Dseed=-4962768465676381896]");
    }
}

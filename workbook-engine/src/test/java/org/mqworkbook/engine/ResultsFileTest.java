package org.mqworkbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.engine.TestOutcome.Status;

@Timeout(10)
class ResultsFileTest {
    @TempDir
    Path dir;

    @Test
    void readsBackWhatItWrote() {
        List<TestOutcome> outcomes = List.of(
            new TestOutcome("QueueTest", "takes()", "5.1", Status.FAILED, Set.of("5.1", "5.2"), "not done",
                "QueueTest.java:44"),
            new TestOutcome("CodecTest", "decodes()", "", Status.PASSED, Set.of(), ""));
        Path file = dir.resolve("nested/results.tsv");

        ResultsFile.write(file, "isolated exercise=5.1", outcomes);

        assertThat(ResultsFile.read(file)).isEqualTo(outcomes);
    }

    @Test
    void turnsTabsAndLineBreaksInAMessageIntoSpaces() throws Exception {
        Path file = dir.resolve("results.tsv");

        ResultsFile.write(file, "h", List.of(new TestOutcome("T", "t()", "5.1", Status.FAILED, Set.of(),
            "expected:\t1\nbut was:\r2")));

        assertThat(Files.readString(file)).startsWith("# h\n");
        assertThat(ResultsFile.read(file).get(0).message()).isEqualTo("expected: 1 but was: 2");
    }

    @Test
    void readsAFileOfSixFieldsWrittenBeforeTheLocationWasKept() throws Exception {
        Path file = dir.resolve("old.tsv");
        Files.writeString(file, "# h\nT\tt()\t5.1\tFAILED\t5.1\tnot done\n");

        assertThat(ResultsFile.read(file)).containsExactly(
            new TestOutcome("T", "t()", "5.1", Status.FAILED, Set.of("5.1"), "not done", ""));
    }
}

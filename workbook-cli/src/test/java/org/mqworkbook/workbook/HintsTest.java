package org.mqworkbook.workbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class HintsTest {
    @Test
    void splitsTheFileIntoNumberedHintsAndSkipsTheIntroduction() {
        List<String> hints = Hints.parse(List.of("# Hints for 5.1", "not shown", "", "## Hint 1", "", "Look at",
            "the lock.", "", "## Hint 2", "Loop, do not if."));

        assertThat(hints).containsExactly("Look at\nthe lock.", "Loop, do not if.");
    }

    @Test
    void hasNoHintsWithoutAFile(@TempDir Path dir) {
        assertThat(Hints.read(dir.resolve("5.1.md"))).isEmpty();
    }

    @Test
    void everyExerciseOfChapterFiveHasHints() {
        Path hints = Path.of(System.getProperty("workbook.repo", ".."), "chapter05-inmemory/hints");
        for (String exercise : List.of("5.1", "5.2", "5.3", "5.4", "5.5")) {
            assertThat(Hints.read(hints.resolve(exercise + ".md"))).as("hints of " + exercise).hasSizeGreaterThan(2);
        }
    }
}

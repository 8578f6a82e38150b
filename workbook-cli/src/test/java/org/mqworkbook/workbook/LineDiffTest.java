package org.mqworkbook.workbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LineDiffTest {
    @Test
    void printsNothingForEqualTexts() {
        assertThat(LineDiff.unified(List.of("a", "b"), List.of("a", "b"), 1, 1, 3)).isEmpty();
    }

    @Test
    void ignoresTrailingWhitespace() {
        assertThat(LineDiff.unified(List.of("a  ", "b"), List.of("a", "b\t"), 1, 1, 3)).isEmpty();
    }

    @Test
    void showsAChangedLineWithContextAndFileLineNumbers() {
        List<String> hunks = LineDiff.unified(List.of("a", "b", "c"), List.of("a", "B", "c"), 57, 60, 3);

        assertThat(hunks).containsExactly("@@ -57,3 +60,3 @@", " a", "-b", "+B", " c");
    }

    @Test
    void replacesAWholeBodyByTheMarkerLine() {
        List<String> hunks = LineDiff.unified(List.of("x();", "y();"), List.of("throw new ExerciseNotDone(\"5.1\");"),
            10, 10, 3);

        assertThat(hunks).containsExactly("@@ -10,2 +10,1 @@", "-x();", "-y();",
            "+throw new ExerciseNotDone(\"5.1\");");
    }

    @Test
    void namesTheLineBeforeWhenOneSideIsEmpty() {
        assertThat(LineDiff.unified(List.of(), List.of("new"), 20, 20, 3)).containsExactly("@@ -19,0 +20,1 @@", "+new");
    }

    @Test
    void splitsChangesFarApartIntoTwoHunks() {
        List<String> a = List.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
        List<String> b = List.of("one", "2", "3", "4", "5", "6", "7", "8", "9", "ten");

        List<String> hunks = LineDiff.unified(a, b, 1, 1, 2);

        assertThat(hunks).containsExactly("@@ -1,3 +1,3 @@", "-1", "+one", " 2", " 3",
            "@@ -8,3 +8,3 @@", " 8", " 9", "-10", "+ten");
    }

    @Test
    void mergesChangesWhoseContextsTouch() {
        List<String> hunks = LineDiff.unified(List.of("a", "b", "c", "d"), List.of("A", "b", "c", "D"), 1, 1, 1);

        assertThat(hunks).hasSize(7).first().isEqualTo("@@ -1,4 +1,4 @@");
    }

    @Test
    void keepsTheLongestCommonPartUnchanged() {
        List<LineDiff.Edit> edits = LineDiff.edits(List.of("lock", "x", "unlock"), List.of("lock", "y", "z", "unlock"));

        assertThat(edits).extracting(LineDiff.Edit::op).containsExactly(' ', '-', '+', '+', ' ');
    }
}

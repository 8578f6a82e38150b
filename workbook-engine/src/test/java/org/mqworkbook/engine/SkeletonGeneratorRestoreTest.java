package org.mqworkbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link SkeletonGenerator#restore}: resetting one exercise in a learner's file, and nothing else. */
@Timeout(10)
class SkeletonGeneratorRestoreTest {
    private final SkeletonGenerator generator = new SkeletonGenerator();

    private static final String SOLUTION = """
        package org.example;

        import java.util.ArrayDeque;
        import java.util.Iterator;

        final class Box {
            private final ArrayDeque<String> items = new ArrayDeque<>();

            int size() {
                // BEGIN EXERCISE 5.1
                return items.size();
                // END EXERCISE 5.1
            }

            String first() {
                // BEGIN EXERCISE 5.2
                Iterator<String> it = items.iterator();
                return it.next();
                // END EXERCISE 5.2
            }
        }
        """;

    private final String skeleton = generator.generate("Box.java", SOLUTION);

    /** The learner solved both exercises their own way, and added an import for 5.2. */
    private final String learner = SOLUTION.replace("return items.size();", "int n = items.size();\n        return n;")
        .replace("import java.util.ArrayDeque;\n", "import java.util.ArrayDeque;\nimport java.util.Deque;\n")
        .replace("Iterator<String> it = items.iterator();\n        return it.next();",
            "Deque<String> d = items;\n        return d.peekFirst();");

    @Test
    void restoresOnlyTheRegionsOfTheGivenExercise() {
        String restored = generator.restore("Box.java", learner, skeleton, "5.1");

        assertThat(restored).contains("""
                    // BEGIN EXERCISE 5.1
                    throw new ExerciseNotDone("5.1");
                    // END EXERCISE 5.1
            """);
        assertThat(restored).contains("return d.peekFirst();").doesNotContain("int n = items.size();");
        assertThat(restored).contains("import org.mqworkbook.marker.ExerciseNotDone;");
    }

    @Test
    void givesBackTheGeneratedSkeletonOnceEveryExerciseIsRestored() {
        String restored = generator.restore("Box.java",
            generator.restore("Box.java", learner, skeleton, "5.2"), skeleton, "5.1");

        assertThat(restored).isEqualTo(skeleton);
    }

    @Test
    void dropsAnImportOnlyTheRestoredCodeUsed() {
        String restored = generator.restore("Box.java", learner, skeleton, "5.2");

        assertThat(restored).doesNotContain("import java.util.Deque;").contains("int n = items.size();");
    }

    @Test
    void keepsAMarkerImportThatIsAlreadyThereEvenIfImportsAreNotSorted() {
        String unsorted = learner.replace("import java.util.ArrayDeque;\n",
            "import org.mqworkbook.marker.ExerciseNotDone;\nimport java.util.ArrayDeque;\n");

        String restored = generator.restore("Box.java", unsorted, skeleton, "5.1");

        assertThat(restored.split("import org.mqworkbook.marker.ExerciseNotDone;", -1)).hasSize(2);
    }

    @Test
    void refusesWhenTheLearnerRemovedTheMarkerLines() {
        String withoutMarkers = learner.replace("        // BEGIN EXERCISE 5.1\n", "")
            .replace("        // END EXERCISE 5.1\n", "");

        assertThatThrownBy(() -> generator.restore("Box.java", withoutMarkers, skeleton, "5.1"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("Box.java holds 0 region(s) of exercise 5.1 where the skeleton has 1");
    }

    @Test
    void leavesAFileWithoutTheExerciseUnchanged() {
        assertThat(generator.restore("Box.java", learner, skeleton, "5.3")).isSameAs(learner);
    }
}

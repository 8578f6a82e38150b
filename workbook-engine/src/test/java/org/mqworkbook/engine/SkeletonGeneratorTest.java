package org.mqworkbook.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class SkeletonGeneratorTest {
    private final SkeletonGenerator generator = new SkeletonGenerator();

    private static final String SOLUTION = """
        package org.example;

        import java.util.ArrayDeque;
        import java.util.Objects;

        /** Keeps this comment. */
        final class Box {
            private final Object lock = new Object();

            int size(ArrayDeque<String> items) {
                Objects.requireNonNull(items);
                // BEGIN EXERCISE 5.1
                // the solution's own comment goes
                synchronized (lock) {
                    return items.size();
                }
                // END EXERCISE 5.1
            }
        }
        """;

    @Test
    void replacesEachRegionBodyWithTheMarkerAndKeepsTheMarkerLines() {
        String skeleton = generator.generate("Box.java", SOLUTION);

        assertThat(skeleton).contains("""
                    // BEGIN EXERCISE 5.1
                    throw new ExerciseNotDone("5.1");
                    // END EXERCISE 5.1
            """);
        assertThat(skeleton).doesNotContain("items.size()").doesNotContain("the solution's own comment");
        assertThat(skeleton).contains("/** Keeps this comment. */").contains("Objects.requireNonNull(items);");
    }

    @Test
    void addsTheMarkerImportAndKeepsImportsStillInUse() {
        String skeleton = generator.generate("Box.java", SOLUTION);

        assertThat(skeleton).contains("import java.util.ArrayDeque;\nimport java.util.Objects;\n"
            + "import org.mqworkbook.marker.ExerciseNotDone;\n");
    }

    @Test
    void keepsTheImportsTheLearnersAnswerWillNeed() {
        String solution = """
            package org.example;

            import java.util.List;
            import java.util.Map;

            final class Lists {
                List<String> empty() {
                    // BEGIN EXERCISE 6.2
                    Map<String, String> unused = Map.of();
                    return List.of();
                    // END EXERCISE 6.2
                }
            }
            """;

        String skeleton = generator.generate("Lists.java", solution);

        assertThat(skeleton).as("the region's answer uses Map: the learner should not have to import it")
            .contains("import java.util.List;").contains("import java.util.Map;");
    }

    @Test
    void usesTheSkeletonLinesOfARegionWhenItHasThem() {
        String solution = """
            package org.example;

            final class Count {
                int count() {
                    // BEGIN EXERCISE 5.4
                    //> return 0;
                    return 42;
                    // END EXERCISE 5.4
                }
            }
            """;

        String skeleton = generator.generate("Count.java", solution);

        assertThat(skeleton).contains("        // BEGIN EXERCISE 5.4\n        return 0;\n        // END EXERCISE 5.4")
            .doesNotContain("ExerciseNotDone").doesNotContain("42");
    }

    @Test
    void leavesAFileWithoutRegionsUnchanged() {
        String plain = "package org.example;\n\nfinal class Plain {\n}\n";

        assertThat(generator.generate("Plain.java", plain)).isEqualTo(plain);
    }

    @Test
    void namesTheLineOfAnUnterminatedRegion() {
        String broken = "class X {\n    // BEGIN EXERCISE 5.1\n    int x;\n}\n";

        assertThatThrownBy(() -> generator.generate("X.java", broken))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("X.java:2").hasMessageContaining("never closed");
    }

    @Test
    void refusesANestedRegion() {
        String nested = "// BEGIN EXERCISE 5.1\n// BEGIN EXERCISE 5.2\n// END EXERCISE 5.2\n// END EXERCISE 5.1\n";

        assertThatThrownBy(() -> generator.generate("N.java", nested))
            .hasMessageContaining("N.java:2").hasMessageContaining("inside the region of exercise 5.1");
    }

    @Test
    void refusesAnEndThatClosesAnotherExercise() {
        String mismatched = "// BEGIN EXERCISE 5.1\n// END EXERCISE 5.2\n";

        assertThatThrownBy(() -> generator.generate("M.java", mismatched))
            .hasMessageContaining("M.java:2").hasMessageContaining("END EXERCISE 5.2");
    }

    @Test
    void findsNoDifferenceInAFreshlyWrittenSkeletonAndNamesEachKindOfDrift(@TempDir Path dir) throws IOException {
        Path solution = Files.createDirectories(dir.resolve("solution"));
        Path skeleton = dir.resolve("skeleton");
        Files.writeString(solution.resolve("Box.java"), SOLUTION);
        Files.writeString(solution.resolve("Other.java"), "final class Other {\n}\n");
        generator.write(solution, skeleton);
        assertThat(generator.differences(solution, skeleton)).isEmpty();

        Files.writeString(skeleton.resolve("Box.java"), "learner work");
        Files.delete(skeleton.resolve("Other.java"));
        Files.writeString(skeleton.resolve("Extra.java"), "final class Extra {\n}\n");

        assertThat(generator.differences(solution, skeleton))
            .containsExactlyInAnyOrder("Box.java (differs)", "Other.java (missing)", "Extra.java (extra)");
    }
}

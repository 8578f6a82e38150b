package org.mqworkbook.workbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ChapterCompilerTest {
    private static final FileTime LONG_AGO = FileTime.fromMillis(1_000_000_000_000L);

    @TempDir
    Path dir;

    private final ChapterCompiler compiler = new ChapterCompiler();
    private Path sources;
    private Path output;

    @BeforeEach
    void writeSources() throws Exception {
        sources = Files.createDirectories(dir.resolve("src/toy"));
        output = dir.resolve("classes");
        Files.writeString(sources.resolve("Counter.java"), """
            package toy;

            public final class Counter {
                private int count;

                public int next() {
                    return ++count;
                }
            }
            """);
        Files.writeString(sources.resolve("User.java"), """
            package toy;

            final class User {
                int twice(Counter counter) {
                    return counter.next() + counter.next();
                }
            }
            """);
        sources = dir.resolve("src");
    }

    private void edit(String file, String from, String to) throws Exception {
        Path path = sources.resolve("toy").resolve(file);
        Files.writeString(path, Files.readString(path).replace(from, to));
        Files.setLastModifiedTime(path, FileTime.fromMillis(System.currentTimeMillis() + 5_000)); // surely newer
    }

    @Test
    void compilesEverySourceWithTheBuildsFlags() {
        ChapterCompiler.Result result = compiler.compile(sources, output, List.of(), false);

        assertThat(result.ok()).isTrue();
        assertThat(output.resolve("toy/Counter.class")).exists();
        assertThat(output.resolve("toy/User.class")).exists();
    }

    @Test
    void compilesNothingWhenNothingChanged() {
        compiler.compile(sources, output, List.of(), true);

        assertThat(compiler.compile(sources, output, List.of(), true).upToDate()).isTrue();
    }

    @Test
    void reportsAnErrorWithItsFileLineAndSourceLine() throws Exception {
        edit("Counter.java", "return ++count;", "return ++cuont;");

        ChapterCompiler.Result result = compiler.compile(sources, output, List.of(), false);

        assertThat(result.ok()).isFalse();
        ChapterCompiler.Problem problem = result.problems().get(0);
        assertThat(problem.kind()).isEqualTo("error");
        assertThat(problem.file()).hasFileName("Counter.java");
        assertThat(problem.line()).isEqualTo(7);
        assertThat(problem.sourceLine()).contains("return ++cuont;");
    }

    @Test
    void showsALintWarningButCompilesAsTheBuildDoesForALearnersModule() throws Exception {
        edit("User.java", "return counter.next()", "return (int) counter.next()"); // [cast] redundant cast

        ChapterCompiler.Result result = compiler.compile(sources, output, List.of(), false);

        assertThat(result.ok()).as("a warning is shown, not fatal: the learner's module compiles without -Werror")
            .isTrue();
        assertThat(result.problems()).extracting(ChapterCompiler.Problem::kind).contains("warning");
    }

    @Test
    void recompilesOnlyTheChangedFileWhileOnlyRegionsChanged() throws Exception {
        compiler.compile(sources, output, List.of(), true);
        Files.setLastModifiedTime(output.resolve("toy/User.class"), LONG_AGO);
        Files.setLastModifiedTime(output.resolve("toy/Counter.class"), LONG_AGO);

        edit("Counter.java", "return ++count;", "count = count + 1;\n        return count;");
        ChapterCompiler.Result result = compiler.compile(sources, output, List.of(), true);

        assertThat(result.ok()).isTrue();
        assertThat(Files.getLastModifiedTime(output.resolve("toy/Counter.class"))).isNotEqualTo(LONG_AGO);
        assertThat(Files.getLastModifiedTime(output.resolve("toy/User.class"))).isEqualTo(LONG_AGO);
    }

    @Test
    void recompilesEverythingWhenMoreThanRegionsChanged() throws Exception {
        compiler.compile(sources, output, List.of(), true);
        Files.setLastModifiedTime(output.resolve("toy/User.class"), LONG_AGO);

        edit("Counter.java", "    public int next() {", "    public int peek() {\n        return count;\n    }\n\n"
            + "    public int next() {");
        ChapterCompiler.Result result = compiler.compile(sources, output, List.of(), false);

        assertThat(result.ok()).isTrue();
        assertThat(Files.getLastModifiedTime(output.resolve("toy/User.class"))).isNotEqualTo(LONG_AGO);
    }
}

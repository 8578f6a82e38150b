package org.mqworkbook.workbook;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mqworkbook.engine.SkeletonGenerator;
import picocli.CommandLine;

/**
 * A workbook with one small chapter, written into a temporary directory, for fast tests of the commands
 * that read and change code without running tests: chapter 9 "Toys", exercises 9.1 (two regions) and
 * 9.2 (one region) in {@code toy/Counter.java}.
 */
final class ToyWorkbook {
    static final String SOLUTION = """
        package toy;

        /** Counts. */
        public final class Counter {
            private int count;

            public int next() {
                // BEGIN EXERCISE 9.1
                count++;
                return count;
                // END EXERCISE 9.1
            }

            public void reset() {
                // BEGIN EXERCISE 9.1
                count = 0;
                // END EXERCISE 9.1
            }

            public String name() {
                // BEGIN EXERCISE 9.2
                return "counter";
                // END EXERCISE 9.2
            }
        }
        """;

    private static final String README = """
        # Chapter 9 — Toys (玩具)

        ## 9.1 Counting (数数)

        Count up, and back to zero.

        ## 9.2 Naming
        """;

    private static final String HINTS = """
        # Hints for 9.1

        ## Hint 1

        Add one.

        ## Hint 2

        Then return it.
        """;

    private static final String POM = """
        <project>
          <properties>
            <workbook.demo.mainClass>toy.Demo</workbook.demo.mainClass>
            <workbook.cli.mainClass>toy.Cli</workbook.cli.mainClass>
          </properties>
        </project>
        """;

    /** What one command printed and returned. */
    record Result(int exit, String out, String err) {
    }

    final Path root;
    final Path chapter;
    final Path learnerFile;

    private ToyWorkbook(Path root) {
        this.root = root;
        this.chapter = root.resolve("chapter09-toy");
        this.learnerFile = chapter.resolve("src/main/java/toy/Counter.java");
    }

    static ToyWorkbook create(Path root) {
        ToyWorkbook toy = new ToyWorkbook(root);
        Path solution = root.resolve("solutions/chapter09-toy/src/main/java");
        write(solution.resolve("toy/Counter.java"), SOLUTION);
        write(toy.chapter.resolve("README.md"), README);
        write(toy.chapter.resolve("pom.xml"), POM);
        write(toy.chapter.resolve("hints/9.1.md"), HINTS);
        new SkeletonGenerator().write(solution, toy.chapter.resolve("src/main/java"));
        return toy;
    }

    /** Runs {@code ./workbook args...} with {@code input} as what the learner types. */
    Result run(String input, String... args) {
        return run(root, input, args);
    }

    static Result run(Path root, String input, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = WorkbookCli.commandLine(new Workbook(root), new BufferedReader(new StringReader(input)));
        cli.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** Changes the first {@code from} in the learner's code to {@code to}, as an editor would. */
    void edit(String from, String to) {
        String code = learnerCode();
        int at = code.indexOf(from);
        if (at < 0) {
            throw new IllegalArgumentException("the learner's code has no '" + from + "'");
        }
        write(learnerFile, code.substring(0, at) + to + code.substring(at + from.length()));
    }

    String learnerCode() {
        try {
            return Files.readString(learnerFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String skeleton() {
        return new SkeletonGenerator().generate("toy/Counter.java", SOLUTION);
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package org.mqworkbook.workbook;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./workbook test [5|5.3] [--output]}: runs a chapter's tests, or one exercise's, against the
 * learner's code ({@link TestRunner}), prints the summary ({@link TestReport}) and what to do next.
 */
@Command(name = "test", description = {"Run a chapter's or one exercise's tests against your code, without Maven.",
    "Prints a line per exercise and explains the first failure."})
final class TestCommand implements Callable<Integer> {
    @ParentCommand
    WorkbookCli cli;

    @Parameters(arity = "0..1", paramLabel = "5|5.3",
        description = "a chapter or one exercise (default: the exercise to do next)")
    String target;

    @Option(names = {"-o", "--output"}, description = "also print the tests' own output (your println's)")
    boolean output;

    @Override
    public Integer call() {
        Workbook workbook = cli.workbook();
        PrintWriter out = cli.out();
        Highlight highlight = cli.highlight();
        Target chosen = workbook.target(target);
        TestRun run = runAndReport(workbook, out, highlight, chosen, output);
        if (run.passed()) {
            printWhatNext(workbook, out, highlight, chosen);
        }
        out.flush();
        return run.passed() ? WorkbookCli.OK : WorkbookCli.TESTS_FAILED;
    }

    /** Runs {@code target}'s tests and prints the report. */
    static TestRun runAndReport(Workbook workbook, PrintWriter out, Highlight highlight, Target target,
                                boolean output) {
        out.println(highlight.faint("testing " + target.label() + " ("
            + target.exercise().map(Exercise::title).orElse(target.chapter().name()) + ") ..."));
        out.flush();
        TestRun run = new TestRunner(workbook).run(target);
        if (output && run.compiled()) {
            printLog(out, run);
        }
        new TestReport(workbook, out, highlight).print(run);
        out.flush();
        return run;
    }

    /** After a green run: the next exercise of the chapter, or the chapter is done. */
    static void printWhatNext(Workbook workbook, PrintWriter out, Highlight highlight, Target passed) {
        Chapter chapter = passed.chapter();
        Optional<Exercise> next = workbook.next(chapter);
        out.println();
        passed.exercise().ifPresent(e -> out.println(highlight.good(e.id() + " is done.")
            + " Compare with the reference whenever you like: ./workbook diff " + e.id()));
        if (next.isPresent()) {
            StatusCommand.printNext(workbook, out, highlight, new Target(chapter, next));
        } else {
            out.println(highlight.good("Chapter " + chapter.number() + " is done.") + " Start the broker you built: "
                + "./workbook run " + chapter.number() + "   (./workbook run " + chapter.number()
                + " server for the server alone)");
        }
    }

    private static void printLog(PrintWriter out, TestRun run) {
        if (!Files.isRegularFile(run.log())) {
            return;
        }
        try {
            out.println("---- the tests' output ----");
            Files.readAllLines(run.log(), StandardCharsets.UTF_8).forEach(out::println);
            out.println("---- end of the tests' output ----");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + run.log(), e);
        }
    }
}

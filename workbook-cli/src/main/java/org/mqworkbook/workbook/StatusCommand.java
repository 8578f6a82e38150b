package org.mqworkbook.workbook;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./workbook status [5] [--run]}: every chapter and exercise — done, in progress or not started —
 * a progress bar per chapter and overall, and what to do next.
 *
 * <pre>
 *  Chapter 5 — A minimum viable message queue (最小可用消息队列)
 *    [########------------] 2 of 5 done
 *      done         5.1  A bounded blocking queue (...)  · 11 of 11 tests pass
 *      in progress  5.2  Named queues and competing consumers (...)  · last run: 4 of 12 tests passed
 *      not started  5.3  Acknowledgements and redelivery (...)
 * </pre>
 *
 * <p>Reading the code is instant; "done" comes from the last test run ({@link Standing}). {@code --run}
 * runs the tests first, so that done means done now.
 */
@Command(name = "status", description = {
    "Every chapter and exercise: done, in progress or not started, and what to do next.",
    "'done' is from the last test run; --run runs the tests first."})
final class StatusCommand implements Callable<Integer> {
    private static final int BAR_WIDTH = 20;

    @ParentCommand
    WorkbookCli cli;

    @Parameters(arity = "0..1", paramLabel = "CHAPTER", description = "only this chapter, e.g. 5")
    String chapter;

    @Option(names = "--run", description = "run the tests first (every chapter shown), then show the status")
    boolean run;

    @Override
    public Integer call() {
        Workbook workbook = cli.workbook();
        PrintWriter out = cli.out();
        Highlight highlight = cli.highlight();
        List<Chapter> chapters = chapter == null ? workbook.chapters() : List.of(workbook.target(chapter).chapter());
        if (chapters.isEmpty()) {
            throw new WorkbookException("no chapters found in " + workbook.root()
                + " (a chapter is a chapterNN-name/ directory with solutions/chapterNN-name/ beside it)");
        }
        if (run) {
            for (Chapter c : chapters) {
                out.println(highlight.faint("running chapter " + c.number() + "'s tests ..."));
                out.flush();
                TestRun result = new TestRunner(workbook).run(new Target(c, Optional.empty()));
                if (!result.compiled()) {
                    out.println(highlight.bad("chapter " + c.number() + " does not compile:") + " see ./workbook test "
                        + c.number());
                }
            }
        }
        out.println(highlight.strong("MQ Workbook") + " — your progress");
        int done = 0;
        int total = 0;
        for (Chapter c : chapters) {
            List<Standing> standings = workbook.standings(c);
            int chapterDone = (int) standings.stream().filter(s -> s.state() == ExerciseState.DONE).count();
            done += chapterDone;
            total += standings.size();
            out.println();
            out.println(highlight.strong(c.title().isEmpty() ? "Chapter " + c.number() : c.title())
                + highlight.faint("   " + workbook.show(c.readme())));
            out.println("  " + bar(chapterDone, standings.size()) + " " + chapterDone + " of " + standings.size()
                + " done");
            for (Standing s : standings) {
                String label = String.format("%-12s", s.state().label());
                String coloured = switch (s.state()) {
                    case DONE -> highlight.good(label);
                    case IN_PROGRESS -> highlight.warn(label);
                    case NOT_STARTED -> label;
                };
                out.println("    " + coloured + " " + s.exercise().heading()
                    + (s.detail().isEmpty() ? "" : highlight.faint("  · " + s.detail())));
            }
        }
        if (chapter == null) {
            out.println();
            out.println(highlight.strong("Overall") + " " + bar(done, total) + " " + done + " of " + total
                + " exercises done");
        }
        out.println();
        Optional<Target> next = chapter == null ? workbook.next()
            : workbook.next(chapters.get(0)).map(e -> new Target(chapters.get(0), Optional.of(e)));
        if (next.isPresent()) {
            printNext(workbook, out, highlight, next.get());
        } else {
            Chapter last = chapters.get(chapters.size() - 1);
            out.println(highlight.good("Every exercise is done.") + " Compare your code with the reference: "
                + "./workbook diff " + last.number() + "; start the broker you built: ./workbook run " + last.number());
        }
        out.flush();
        return WorkbookCli.OK;
    }

    /** "Next: 5.2 ..." with where to read, where to write, and the commands. */
    static void printNext(Workbook workbook, PrintWriter out, Highlight highlight, Target next) {
        Chapter chapter = next.chapter();
        Exercise exercise = next.exercise().orElseThrow();
        out.println(highlight.strong("Next: ") + exercise.heading());
        out.println("  read:   " + workbook.show(chapter.readme())
            + (exercise.textLine() > 0 ? ":" + exercise.textLine() : ""));
        List<ExerciseCode.Placed> regions = ExerciseCode.read(chapter).learner(exercise.id());
        if (!regions.isEmpty()) {
            ExerciseCode.Placed first = regions.get(0);
            out.println("  write:  " + workbook.show(chapter.sources().resolve(first.file())) + ":"
                + (first.region().beginLine() + 1) + (regions.size() > 1
                ? highlight.faint("   (and " + (regions.size() - 1) + " more region" + (regions.size() > 2 ? "s" : "")
                + ": the lines between // BEGIN EXERCISE " + exercise.id() + " and // END EXERCISE "
                + exercise.id() + ")") : ""));
        }
        out.println("  test:   ./workbook test " + exercise.id() + highlight.faint("   (or ./workbook watch "
            + exercise.id() + ": re-runs them on every save)"));
        if (!Hints.read(chapter.hintFile(exercise.id())).isEmpty()) {
            out.println("  stuck?  ./workbook hint " + exercise.id());
        }
    }

    private static String bar(int done, int total) {
        int filled = total == 0 ? 0 : done * BAR_WIDTH / total;
        return "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "]";
    }
}

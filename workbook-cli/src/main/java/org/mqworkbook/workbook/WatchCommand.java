package org.mqworkbook.workbook;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./workbook watch [5|5.3]}: runs the tests once, then again every time a source file of the
 * chapter is saved ({@link SourceWatcher}), or Enter is pressed ({@link KeyboardInput}), until q.
 *
 * <p>Which tests: with an exercise ({@code watch 5.3}), always that one. With a chapter or nothing, the
 * exercise to do next, decided afresh before every run: once 5.1 passes, the next save runs 5.2's tests.
 * When the chapter is done, all of its tests.
 *
 * <p>Each result ends with how long it came after the save that caused it: the latency a learner feels.
 */
@Command(name = "watch", description = {
    "Run the tests, then again on every save (of any .java file of the chapter).",
    "Enter re-runs at once (where saves are not noticed); q then Enter quits."})
final class WatchCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @ParentCommand
    WorkbookCli cli;

    @Parameters(arity = "0..1", paramLabel = "5|5.3",
        description = "one exercise, or a chapter (default: the exercise to do next, then the one after ...)")
    String target;

    @Option(names = "--debounce-ms", defaultValue = "100",
        description = "how long to wait for more saves before running (default: ${DEFAULT-VALUE})")
    long debounceMillis;

    @Override
    public Integer call() {
        Workbook workbook = cli.workbook();
        PrintWriter out = cli.out();
        Highlight highlight = cli.highlight();
        Target named = workbook.target(target);
        Chapter chapter = named.chapter();
        boolean following = target == null || !target.contains(".");
        Supplier<Target> current = following ? () -> new Target(chapter, workbook.next(chapter)) : () -> named;
        BlockingQueue<Trigger> triggers = new LinkedBlockingQueue<>();
        SourceWatcher watcher = SourceWatcher.start(chapter.sources(), triggers);
        try {
            new KeyboardInput(cli.in(), triggers).start();
            out.println(highlight.strong("Watching ") + workbook.show(chapter.sources())
                + highlight.faint("   save a file to re-run; Enter re-runs now; q then Enter quits"));
            runOnce(workbook, out, highlight, current.get(), following, Optional.empty());
            new WatchLoop(triggers, Duration.ofMillis(debounceMillis))
                .run(trigger -> runOnce(workbook, out, highlight, current.get(), following, Optional.of(trigger)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            watcher.close();
        }
        out.println("stopped watching");
        out.flush();
        return WorkbookCli.OK;
    }

    private static void runOnce(Workbook workbook, PrintWriter out, Highlight highlight, Target target,
                                boolean following, Optional<Trigger> cause) {
        out.println();
        out.println(highlight.faint("──── " + LocalTime.now().format(TIME) + " " + cause.map(WatchCommand::why)
            .orElse("") + "─".repeat(40)));
        try {
            TestRun run = TestCommand.runAndReport(workbook, out, highlight, target, false);
            if (run.passed() && target.exercise().isPresent()) {
                printNext(workbook, out, highlight, target, following);
            }
        } catch (WorkbookException | UncheckedIOException e) {
            out.println(highlight.bad("workbook: ") + e.getMessage()); // keep watching: the next save may fix it
        }
        cause.filter(c -> c instanceof Trigger.Saved).ifPresent(saved -> out.println(highlight.faint("result "
            + TestReport.seconds(Duration.ofNanos(System.nanoTime() - saved.atNanos())) + " after the save")));
        out.println(highlight.faint("watching ... (Enter re-runs, q quits)"));
        out.flush();
    }

    /** One line, not {@code test}'s block: the learner is in the middle of something. */
    private static void printNext(Workbook workbook, PrintWriter out, Highlight highlight, Target passed,
                                  boolean following) {
        Chapter chapter = passed.chapter();
        String done = highlight.good(passed.label() + " is done.");
        Optional<Exercise> next = workbook.next(chapter);
        if (next.isEmpty()) {
            out.println(done + " Chapter " + chapter.number() + " is done: ./workbook run " + chapter.number()
                + " starts the broker you built.");
        } else if (following) {
            out.println(done + " Next: " + next.get().heading() + " — " + workbook.show(chapter.readme()) + ":"
                + next.get().textLine() + ". The next save (or Enter) runs its tests.");
        } else {
            out.println(done + " Next: " + next.get().heading() + " (./workbook watch " + next.get().id() + ")");
        }
    }

    private static String why(Trigger trigger) {
        return trigger instanceof Trigger.Saved saved ? saved.file().getFileName() + " saved " : "re-run ";
    }
}

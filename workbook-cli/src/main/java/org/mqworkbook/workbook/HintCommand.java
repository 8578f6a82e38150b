package org.mqworkbook.workbook;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./workbook hint [5.3] [N]}: the next hint for an exercise, one at a time, from the chapter's
 * hint file ({@link Hints}). How many were shown is remembered ({@link Progress}), so the next call goes
 * one further; {@code N} shows hint N again.
 */
@Command(name = "hint", description = {
    "The next hint for an exercise: one at a time, from a nudge to a near-recipe, never the answer.",
    "'hint 5.3 2' shows hint 2 again."})
final class HintCommand implements Callable<Integer> {
    @ParentCommand
    WorkbookCli cli;

    @Parameters(index = "0", arity = "0..1", paramLabel = "5.3",
        description = "the exercise (default: the one to do next)")
    String target;

    @Parameters(index = "1", arity = "0..1", paramLabel = "N",
        description = "show hint N (one already seen, or the next)")
    Integer number;

    @Override
    public Integer call() {
        Workbook workbook = cli.workbook();
        PrintWriter out = cli.out();
        Highlight highlight = cli.highlight();
        Target chosen = workbook.target(target);
        Chapter chapter = chosen.chapter();
        Exercise exercise = chosen.exercise().orElseThrow(() -> new WorkbookException("hints belong to an "
            + "exercise: name one, e.g. ./workbook hint " + chapter.exercises().get(0).id()));
        String id = exercise.id();
        List<String> hints = Hints.read(chapter.hintFile(id));
        if (hints.isEmpty()) {
            out.println("There are no hints for " + id + " yet. The chapter text explains it: "
                + workbook.section(chapter, exercise));
            out.flush();
            return WorkbookCli.OK;
        }
        Progress progress = workbook.progress();
        int seen = Math.min(progress.hintsSeen(id), hints.size());
        int shown = number != null ? number : Math.min(seen + 1, hints.size());
        if (shown < 1 || shown > Math.min(seen + 1, hints.size())) {
            throw new WorkbookException(id + " has " + hints.size() + " hints and you have seen " + seen
                + ": ask for one of 1.." + Math.min(seen + 1, hints.size()) + " (hints come one at a time)");
        }
        out.println(highlight.strong("Hint " + shown + " of " + hints.size()) + " for " + exercise.heading());
        out.println();
        hints.get(shown - 1).lines().forEach(line -> out.println("  " + line));
        out.println();
        if (shown > seen) {
            progress.recordHintsSeen(id, shown);
            progress.save();
        }
        int next = Math.max(seen, shown) + 1;
        if (next <= hints.size()) {
            out.println(highlight.faint("Try it (./workbook test " + id + "). Still stuck? ./workbook hint " + id
                + " shows hint " + next + "."));
        } else {
            out.println(highlight.faint("That was the last hint. The chapter text: "
                + workbook.section(chapter, exercise) + ". Once the tests pass, ./workbook diff " + id
                + " compares your code with the reference."));
        }
        out.flush();
        return WorkbookCli.OK;
    }
}

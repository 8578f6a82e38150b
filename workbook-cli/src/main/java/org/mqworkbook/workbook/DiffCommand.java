package org.mqworkbook.workbook;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./workbook diff [5|5.3] [--spoilers]}: the learner's code against the reference solution, only
 * inside the exercise regions (everything else is the same by construction), as a unified diff: {@code -}
 * lines are the reference's, {@code +} lines the learner's, as in {@code git diff solutions/... chapter...}.
 *
 * <p>For an exercise that is not done, the diff is the answer; it is shown only with {@code --spoilers}.
 */
@Command(name = "diff", description = {"Your code against the reference solution, inside the exercise regions only.",
    "'-' lines are the reference's, '+' lines yours. Exercises that are not done need --spoilers."})
final class DiffCommand implements Callable<Integer> {
    private static final int CONTEXT = 3;

    @ParentCommand
    WorkbookCli cli;

    @Parameters(arity = "0..1", paramLabel = "5|5.3", description = "a chapter or one exercise (default: chapter "
        + "of the exercise to do next)")
    String target;

    @Option(names = "--spoilers", description = "also show exercises that are not done (the diff is the answer)")
    boolean spoilers;

    @Override
    public Integer call() {
        Workbook workbook = cli.workbook();
        PrintWriter out = cli.out();
        Highlight highlight = cli.highlight();
        Target chosen = target == null ? new Target(workbook.target(null).chapter(), Optional.empty())
            : workbook.target(target);
        Chapter chapter = chosen.chapter();
        ExerciseCode code = ExerciseCode.read(chapter);
        List<Exercise> exercises = chosen.exercise().map(List::of).orElse(chapter.exercises());
        for (Exercise exercise : exercises) {
            Standing standing = Standing.of(exercise, code, workbook.progress());
            String id = exercise.id();
            Optional<String> problem = code.problem(id);
            if (problem.isPresent()) {
                out.println(highlight.warn(id + ": cannot compare: ") + problem.get());
            } else if (standing.state() != ExerciseState.DONE && !spoilers) {
                out.println(highlight.strong(id) + ": " + standing.state().label() + " — its diff would show the "
                    + "reference answer. " + highlight.faint("Finish it first (./workbook test " + id
                    + "), or add --spoilers."));
            } else {
                printDiff(workbook, chapter, code, exercise, out, highlight);
            }
        }
        out.flush();
        return WorkbookCli.OK;
    }

    private static void printDiff(Workbook workbook, Chapter chapter, ExerciseCode code, Exercise exercise,
                                  PrintWriter out, Highlight highlight) {
        List<ExerciseCode.Placed> reference = code.reference(exercise.id());
        List<ExerciseCode.Placed> mine = code.learner(exercise.id());
        List<String> lines = new ArrayList<>();
        Path shownFile = null;
        for (int i = 0; i < reference.size(); i++) {
            ExerciseCode.Placed ref = reference.get(i);
            ExerciseCode.Placed yours = mine.get(i);
            List<String> hunks = LineDiff.unified(ref.region().body(), yours.region().body(),
                ref.region().beginLine() + 1, yours.region().beginLine() + 1, CONTEXT);
            if (hunks.isEmpty()) {
                continue;
            }
            if (!ref.file().equals(shownFile)) {
                lines.add(highlight.strong("--- " + workbook.show(chapter.solutionSources().resolve(ref.file()))
                    + "   (reference)"));
                lines.add(highlight.strong("+++ " + workbook.show(chapter.sources().resolve(yours.file()))
                    + "   (yours)"));
                shownFile = ref.file();
            }
            for (String line : hunks) {
                lines.add(line.startsWith("@@") ? highlight.faint(line + " exercise " + exercise.id())
                    : line.startsWith("-") ? highlight.bad(line) : line.startsWith("+") ? highlight.good(line) : line);
            }
        }
        if (lines.isEmpty()) {
            out.println(highlight.strong(exercise.id()) + ": the same as the reference, line for line.");
        } else {
            out.println(highlight.strong(exercise.id()) + ": yours against the reference (" + exercise.title() + ")");
            lines.forEach(out::println);
        }
        out.println();
    }
}

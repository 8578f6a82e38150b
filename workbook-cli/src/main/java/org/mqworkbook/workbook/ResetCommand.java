package org.mqworkbook.workbook;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mqworkbook.engine.SkeletonGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./workbook reset 5.3 [--yes]}: puts one exercise's regions back to the skeleton, with the
 * build's own generator ({@link SkeletonGenerator#restore}), after asking. Every other line — other
 * exercises, given code, files that hold no region of 5.3 — stays as it is. The replaced files are copied
 * to {@code .workbook/backup/} first: a reset should not be the end of an afternoon's work.
 */
@Command(name = "reset", description = {
    "Put one exercise back to its untouched skeleton. Asks first; other exercises and all other code stay",
    "as they are. The files it changes are copied to .workbook/backup/ first."})
final class ResetCommand implements Callable<Integer> {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    @ParentCommand
    WorkbookCli cli;

    @Parameters(paramLabel = "5.3", description = "the exercise")
    String target;

    @Option(names = {"-y", "--yes"}, description = "do not ask")
    boolean yes;

    @Override
    public Integer call() throws IOException {
        Workbook workbook = cli.workbook();
        PrintWriter out = cli.out();
        Highlight highlight = cli.highlight();
        Target chosen = workbook.target(target);
        Chapter chapter = chosen.chapter();
        Exercise exercise = chosen.exercise().orElseThrow(() -> new WorkbookException("reset works on one exercise "
            + "at a time: name it, e.g. ./workbook reset " + chapter.exercises().get(0).id()));
        Map<Path, String> restored = restoredFiles(chapter, exercise.id());
        if (restored.isEmpty()) {
            out.println(exercise.id() + " is already the untouched skeleton: nothing to reset.");
            out.flush();
            return WorkbookCli.OK;
        }
        out.println("This puts exercise " + exercise.heading() + " back to the skeleton in:");
        restored.keySet().forEach(file -> out.println("  " + workbook.show(chapter.sources().resolve(file))));
        out.println("Your code in its regions is replaced; other exercises and all other lines stay as they are.");
        if (!yes && !confirmed(out, "Reset " + exercise.id() + "? [y/N] ")) {
            out.println("Nothing changed.");
            out.flush();
            return WorkbookCli.OK;
        }
        Path backup = workbook.stateDir().resolve("backup")
            .resolve(exercise.id() + "-" + LocalDateTime.now().format(STAMP));
        for (Map.Entry<Path, String> file : restored.entrySet()) {
            Path learnerFile = chapter.sources().resolve(file.getKey());
            if (Files.exists(learnerFile)) {
                Path copy = backup.resolve(file.getKey().toString());
                Files.createDirectories(copy.getParent());
                Files.copy(learnerFile, copy);
            }
            Files.createDirectories(learnerFile.getParent());
            Files.writeString(learnerFile, file.getValue(), StandardCharsets.UTF_8);
        }
        out.println(highlight.good("Reset " + exercise.id() + ": ") + restored.size() + " file"
            + (restored.size() == 1 ? "" : "s") + " restored. Your old code is in " + workbook.show(backup) + ".");
        out.flush();
        return WorkbookCli.OK;
    }

    /** The learner's files that hold the exercise, as they will be after the reset; only those that change. */
    private static Map<Path, String> restoredFiles(Chapter chapter, String exercise) {
        ExerciseCode code = ExerciseCode.read(chapter);
        SkeletonGenerator generator = new SkeletonGenerator();
        Map<Path, String> restored = new LinkedHashMap<>();
        for (ExerciseCode.Placed region : code.skeleton(exercise)) {
            Path file = region.file();
            if (restored.containsKey(file)) {
                continue;
            }
            String skeleton = code.skeletonText(file);
            Optional<String> mine = code.learnerText(file);
            try {
                String after = mine.isEmpty() ? skeleton
                    : generator.restore(file.toString(), mine.get(), skeleton, exercise);
                if (mine.isEmpty() || !after.equals(mine.get())) {
                    restored.put(file, after);
                }
            } catch (IllegalArgumentException e) {
                throw new WorkbookException("cannot reset " + exercise + ": " + e.getMessage());
            }
        }
        return restored;
    }

    private boolean confirmed(PrintWriter out, String question) throws IOException {
        out.print(question);
        out.flush();
        String answer = cli.in().readLine();
        return answer != null && (answer.strip().toLowerCase(Locale.ROOT).equals("y")
            || answer.strip().toLowerCase(Locale.ROOT).equals("yes"));
    }
}

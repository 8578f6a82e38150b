package org.mqworkbook.workbook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The workbook repository as the tool sees it: the chapters found at its root, the learner's progress,
 * and the names a learner types ({@code 5}, {@code 5.3}) turned into chapters and exercises.
 *
 * <p>A chapter is a directory {@code chapterNN-name/} at the root with {@code solutions/chapterNN-name/}
 * beside it; nothing else needs registering. A chapter still being written (no solution yet) is not
 * listed.
 *
 * <p>Not thread-safe: one command at a time; the watch loop uses it from its own thread only.
 */
final class Workbook {
    private static final Pattern CHAPTER_DIR = Pattern.compile("chapter(\\d+)-[a-z0-9-]+");
    private static final Pattern TARGET = Pattern.compile("(\\d+)(?:\\.(\\d+))?");

    private final Path root;
    private List<Chapter> chapters;
    private Progress progress;

    Workbook(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    /** The tool's state, kept out of git: {@code .workbook/} at the root. */
    Path stateDir() {
        return root.resolve(".workbook");
    }

    /** Every chapter, in chapter order. */
    List<Chapter> chapters() {
        if (chapters == null) {
            List<Chapter> found = new ArrayList<>();
            try (Stream<Path> dirs = Files.list(root)) {
                for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                    Matcher name = CHAPTER_DIR.matcher(dir.getFileName().toString());
                    Path solution = root.resolve("solutions").resolve(dir.getFileName());
                    if (name.matches() && Files.isDirectory(solution.resolve("src/main/java"))) {
                        found.add(Chapter.load(Integer.parseInt(name.group(1)), dir, solution));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list the chapters in " + root, e);
            }
            found.sort(Comparator.comparingInt(Chapter::number));
            chapters = List.copyOf(found);
        }
        return chapters;
    }

    Chapter chapter(int number) {
        return chapters().stream().filter(c -> c.number() == number).findFirst()
            .orElseThrow(() -> new WorkbookException("there is no chapter " + number + " (chapters: "
                + chapters().stream().map(c -> String.valueOf(c.number())).collect(Collectors.joining(", "))
                + ")"));
    }

    /**
     * What the learner named: {@code "5"} is chapter 5, {@code "5.3"} its exercise 5.3. Nothing (null or
     * blank) means the exercise to do next.
     */
    Target target(String text) {
        if (text == null || text.isBlank()) {
            return next().orElseThrow(() -> new WorkbookException(
                "every exercise is done: name a chapter or an exercise, e.g. 5 or 5.1"));
        }
        Matcher m = TARGET.matcher(text.strip());
        if (!m.matches()) {
            throw new WorkbookException("'" + text + "' is neither a chapter (5) nor an exercise (5.3)");
        }
        Chapter chapter = chapter(Integer.parseInt(m.group(1)));
        if (m.group(2) == null) {
            return new Target(chapter, Optional.empty());
        }
        String id = chapter.number() + "." + Integer.parseInt(m.group(2));
        Exercise exercise = chapter.exercise(id).orElseThrow(() -> new WorkbookException("chapter "
            + chapter.number() + " has no exercise " + id + " (it has " + chapter.exercises().stream()
            .map(Exercise::id).collect(Collectors.joining(", ")) + ")"));
        return new Target(chapter, Optional.of(exercise));
    }

    /** The learner's progress, loaded once. */
    Progress progress() {
        if (progress == null) {
            progress = Progress.load(stateDir().resolve("progress.properties"));
        }
        return progress;
    }

    /** Where each exercise of {@code chapter} stands, in order. */
    List<Standing> standings(Chapter chapter) {
        ExerciseCode code = ExerciseCode.read(chapter);
        return chapter.exercises().stream().map(e -> Standing.of(e, code, progress())).toList();
    }

    /** The first exercise that is not done, in chapter order. */
    Optional<Target> next() {
        for (Chapter chapter : chapters()) {
            for (Standing standing : standings(chapter)) {
                if (standing.state() != ExerciseState.DONE) {
                    return Optional.of(new Target(chapter, Optional.of(standing.exercise())));
                }
            }
        }
        return Optional.empty();
    }

    /** The first exercise of {@code chapter} that is not done. */
    Optional<Exercise> next(Chapter chapter) {
        return standings(chapter).stream().filter(s -> s.state() != ExerciseState.DONE).map(Standing::exercise)
            .findFirst();
    }

    /** {@code path} as the learner would type it from the root, e.g. {@code chapter05-inmemory/README.md}. */
    String show(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path shown = absolute.startsWith(root) ? root.relativize(absolute) : absolute;
        return shown.toString().replace('\\', '/');
    }

    /** Where an exercise is explained: "5.3 Acknowledgements and redelivery — chapter05-inmemory/README.md:120". */
    String section(Chapter chapter, Exercise exercise) {
        return exercise.heading() + " — " + show(chapter.readme())
            + (exercise.textLine() > 0 ? ":" + exercise.textLine() : "");
    }
}

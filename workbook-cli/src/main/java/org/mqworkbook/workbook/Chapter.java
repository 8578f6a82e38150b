package org.mqworkbook.workbook;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.mqworkbook.engine.SkeletonGenerator;

/**
 * A chapter of the workbook: the learner's module {@code chapterNN-name/} and its reference solution
 * {@code solutions/chapterNN-name/}.
 *
 * @param number      the chapter number, 5 for {@code chapter05-inmemory}
 * @param dir         the learner's module
 * @param solutionDir the reference solution's module
 * @param title       the chapter text's title
 * @param exercises   every exercise marked in the solution, in order, with its section of the text
 */
record Chapter(int number, Path dir, Path solutionDir, String title, List<Exercise> exercises) {

    /** Reads the chapter's exercises from the solution's marked regions and their titles from the README. */
    static Chapter load(int number, Path dir, Path solutionDir) {
        ChapterText text = ChapterText.read(dir.resolve("README.md"));
        List<Exercise> exercises = new SkeletonGenerator().exercises(solutionDir.resolve("src/main/java")).stream()
            .map(text::exercise).toList();
        return new Chapter(number, dir, solutionDir, text.title(), exercises);
    }

    /** The directory name, e.g. {@code chapter05-inmemory}: also the Maven module's name. */
    String name() {
        return dir.getFileName().toString();
    }

    /** The learner's code. */
    Path sources() {
        return dir.resolve("src/main/java");
    }

    /**
     * The chapter's instruments — command line, demo, load harness — kept out of the learner's module in
     * {@code tools/chapterNN-name/}; compiled against whichever code runs them. May not exist.
     */
    Path toolsSources() {
        return dir.toAbsolutePath().getParent().resolve("tools").resolve(name()).resolve("src/main/java");
    }

    Path solutionSources() {
        return solutionDir.resolve("src/main/java");
    }

    /** The chapter's tests (one copy, shared with the solution module). */
    Path testSources() {
        return dir.resolve("src/test/java");
    }

    Path testResources() {
        return dir.resolve("src/test/resources");
    }

    Path readme() {
        return dir.resolve("README.md");
    }

    /** Where the hints of {@code exercise} are kept: {@code chapterNN-name/hints/5.3.md}. */
    Path hintFile(String exercise) {
        return dir.resolve("hints").resolve(exercise + ".md");
    }

    /** Maven's output directory of the learner's module. */
    Path target() {
        return dir.resolve("target");
    }

    /** The tool's own output, apart from Maven's {@code target/classes} so that neither overwrites the other. */
    Path workDir() {
        return target().resolve("workbook-cli");
    }

    Optional<Exercise> exercise(String id) {
        return exercises.stream().filter(e -> e.id().equals(id)).findFirst();
    }
}

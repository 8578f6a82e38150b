package org.mqworkbook.workbook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.mqworkbook.engine.ExerciseRegion;
import org.mqworkbook.engine.SkeletonGenerator;

/**
 * The repository's chapter 5 in a temporary directory, as a learner's fresh clone has it after
 * {@code ./mvnw verify}: the chapter text and hints, the tests and the classes Maven compiled from them,
 * the classpath files, the reference solution and its classes — and the skeleton, generated afresh from
 * the solution, so that whatever is in the real {@code chapter05-inmemory/src/main/java} does not matter.
 */
final class ChapterFiveCopy {
    static final Path REPO = Path.of(System.getProperty("workbook.repo", "..")).toAbsolutePath().normalize();
    static final String CHAPTER = "chapter05-inmemory";
    static final String QUEUE_FILE = "org/mqworkbook/inmemory/BoundedBlockingQueue.java";

    final Path root;
    final Path sources;

    private ChapterFiveCopy(Path root) {
        this.root = root;
        this.sources = root.resolve(CHAPTER).resolve("src/main/java");
    }

    /** Whether the repository's chapter 5 was built (./mvnw verify): what the copy is made from. */
    static boolean built() {
        return Files.isDirectory(REPO.resolve(CHAPTER).resolve("target/test-classes"))
            && Files.isRegularFile(REPO.resolve(CHAPTER).resolve("target/workbook-test-classpath.txt"))
            && Files.isDirectory(REPO.resolve("solutions").resolve(CHAPTER).resolve("target/classes"));
    }

    static ChapterFiveCopy create(Path root) {
        Path chapter = REPO.resolve(CHAPTER);
        Path solution = REPO.resolve("solutions").resolve(CHAPTER);
        Path copyOfChapter = root.resolve(CHAPTER);
        Path copyOfSolution = root.resolve("solutions").resolve(CHAPTER);
        for (String path : List.of("README.md", "pom.xml", "hints", "src/test", "target/test-classes",
            "target/workbook-classpath.txt", "target/workbook-test-classpath.txt")) {
            copy(chapter.resolve(path), copyOfChapter.resolve(path));
        }
        for (String path : List.of("pom.xml", "src/main/java", "target/classes", "target/workbook-classpath.txt")) {
            copy(solution.resolve(path), copyOfSolution.resolve(path));
        }
        copy(REPO.resolve("tools").resolve(CHAPTER), root.resolve("tools").resolve(CHAPTER)); // command line, demo
        ChapterFiveCopy copy = new ChapterFiveCopy(root);
        new SkeletonGenerator().write(copyOfSolution.resolve("src/main/java"), copy.sources);
        return copy;
    }

    ToyWorkbook.Result run(String input, String... args) {
        return ToyWorkbook.run(root, input, args);
    }

    /** Solves {@code exercise} as the issue says: by copying the reference's region bodies into the learner's files. */
    void solve(String exercise) {
        Path reference = root.resolve("solutions").resolve(CHAPTER).resolve("src/main/java");
        for (Map.Entry<Path, String> file : readTree(reference).entrySet()) {
            List<ExerciseRegion> solved = regions(file.getValue(), exercise);
            if (!solved.isEmpty()) {
                List<List<String>> bodies = solved.stream().map(ExerciseRegion::body).toList();
                replaceBodies(file.getKey(), exercise, bodies);
            }
        }
    }

    /** Replaces the body of the first region of {@code exercise} after the line containing {@code after}. */
    void replaceRegionAfter(String file, String after, String exercise, List<String> body) {
        String text = read(sources.resolve(file));
        List<String> lines = text.lines().toList();
        int anchor = IntStream.range(0, lines.size()).filter(i -> lines.get(i).contains(after)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException(file + " has no line with '" + after + "'"));
        List<ExerciseRegion> regions = regions(text, exercise);
        List<List<String>> bodies = new ArrayList<>(regions.stream().map(ExerciseRegion::body).toList());
        for (int i = 0; i < regions.size(); i++) {
            if (regions.get(i).beginLine() > anchor) {
                bodies.set(i, body.stream().map(line -> regions.get(0).indent() + line).toList());
                break;
            }
        }
        replaceBodies(Path.of(file), exercise, bodies);
    }

    /** Every learner source, by path relative to the source root. */
    Map<Path, String> learnerSources() {
        return readTree(sources);
    }

    String learnerSource(String file) {
        return read(sources.resolve(file));
    }

    void write(String file, String text) {
        ToyWorkbook.write(sources.resolve(file), text);
    }

    private void replaceBodies(Path file, String exercise, List<List<String>> bodies) {
        String text = read(sources.resolve(file));
        List<String> lines = text.lines().toList();
        List<ExerciseRegion> mine = regions(text, exercise);
        List<String> out = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < mine.size(); i++) {
            out.addAll(lines.subList(next, mine.get(i).beginLine()));
            out.addAll(bodies.get(i));
            next = mine.get(i).endLine() - 1;
        }
        out.addAll(lines.subList(next, lines.size()));
        ToyWorkbook.write(sources.resolve(file), String.join("\n", out) + "\n");
    }

    private static List<ExerciseRegion> regions(String text, String exercise) {
        return ExerciseRegion.parse("source", text.lines().toList()).stream()
            .filter(r -> r.exercise().equals(exercise)).toList();
    }

    private static Map<Path, String> readTree(Path dir) {
        Map<Path, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(path), Files.readString(path));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a file or a tree, keeping modification times (the tool compares them). */
    private static void copy(Path from, Path to) {
        if (!Files.exists(from)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + from, e);
        }
    }
}

package org.mqworkbook.workbook;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.mqworkbook.engine.ResultsFile;
import org.mqworkbook.engine.TestOutcome;
import org.mqworkbook.engine.WorkbookMain;

/**
 * Runs a chapter's tests, or one exercise's, against the learner's code — the fast way:
 * <ol>
 *   <li>compile the learner's {@code src/main/java} in this JVM ({@link ChapterCompiler}), into
 *       {@code target/workbook-cli/classes}, and only if a source changed;</li>
 *   <li>reuse the test classes Maven compiled ({@code target/test-classes}); they depend only on the API
 *       around the exercise regions, which the learner does not change. If the test sources are newer
 *       (a {@code git pull}), compile them too, into {@code target/workbook-cli/test-classes};</li>
 *   <li>run the tests in one forked JVM with the build's own runner (the engine's {@code WorkbookMain
 *       isolate}, which filters by the exercise's JUnit tag and notices every {@code ExerciseNotDone}
 *       thrown, in any thread), and read back the {@link ResultsFile} it writes;</li>
 *   <li>remember each exercise's result in {@link Progress}, with the fingerprint of the code it ran on.</li>
 * </ol>
 * The classpaths come from files the build writes ({@code target/workbook-classpath.txt} and
 * {@code target/workbook-test-classpath.txt}), so nothing here starts Maven or needs the network.
 *
 * <p>Why a forked JVM rather than a fresh class loader in this one: a learner's unfinished code leaves
 * threads behind (blocked, or spinning), the marker ledger is static, and tests set JVM-wide handlers; a
 * new JVM per run starts clean. It costs little: a bare JVM starts in about a quarter of a second on the
 * 2-core machine of the README's timings, and JUnit and the test classes would have to be loaded afresh
 * in a new class loader anyway.
 *
 * <p>Not thread-safe: one run at a time.
 */
final class TestRunner {
    /**
     * The test JVM's options: assertions and heap as in the build ({@code workbook.jvm.heap} in the root
     * POM), then two that shorten start-up for short runs — C1 only (no time spent on C2 compilation of code
     * that runs for a second) and the serial collector (nothing to set up, fine for a 512 MB heap).
     */
    static final List<String> TEST_JVM_OPTIONS = List.of("-ea", "-Xmx512m", "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC");
    private static final long TEST_JVM_TIMEOUT_MINUTES = 15;

    private final Workbook workbook;
    private final ChapterCompiler compiler = new ChapterCompiler();

    TestRunner(Workbook workbook) {
        this.workbook = workbook;
    }

    TestRun run(Target target) {
        Chapter chapter = target.chapter();
        List<String> mainClasspath = classpath(chapter, "workbook-classpath.txt");
        List<String> testClasspath = classpath(chapter, "workbook-test-classpath.txt");
        ExerciseCode code = ExerciseCode.read(chapter); // before compiling: the code the results belong to
        Path log = chapter.workDir().resolve("test-output.log");

        long compileStart = System.nanoTime();
        Path classes = chapter.workDir().resolve("classes");
        ChapterCompiler.Result main = compiler.compile(chapter.sources(), classes, mainClasspath,
            code.onlyRegionsChanged());
        if (!main.ok()) {
            return new TestRun(target, main.problems(), List.of(), false, since(compileStart), Duration.ZERO, log,
                List.of());
        }
        ChapterCompiler.Result tools = compileTools(compiler, chapter, classes, mainClasspath);
        if (!tools.ok()) {
            return new TestRun(target, tools.problems(), List.of(), false, since(compileStart), Duration.ZERO, log,
                List.of("the chapter's tools (" + chapter.name() + "'s command line, demo) do not compile against "
                + "your code: did a signature outside the exercise regions change?"));
        }
        Path testClasses = chapter.target().resolve("test-classes");
        if (!Files.isDirectory(testClasses) || newest(chapter.dir().resolve("src/test")) > newest(testClasses)) {
            testClasses = chapter.workDir().resolve("test-classes");
            List<String> classpath = new ArrayList<>(List.of(classes.toString(), toolClasses(chapter).toString()));
            classpath.addAll(testClasspath);
            ChapterCompiler.Result tests = compiler.compile(chapter.testSources(), testClasses, classpath, false);
            if (!tests.ok()) {
                return new TestRun(target, tests.problems(), List.of(), false, since(compileStart), Duration.ZERO,
                    log, List.of("the chapter's tests do not compile against your code: did a signature outside "
                    + "the exercise regions change?"));
            }
            copyResources(chapter.testResources(), testClasses);
        }
        Duration compileTime = since(compileStart);

        long testStart = System.nanoTime();
        Path results = chapter.workDir().resolve("results.tsv");
        List<String> classpath = new ArrayList<>(List.of(classes.toString(), toolClasses(chapter).toString(),
            testClasses.toString()));
        classpath.addAll(testClasspath);
        fork(classpath, testClasses, target.exerciseId(), results, log);
        List<TestOutcome> outcomes = ResultsFile.read(results);
        Duration testTime = since(testStart);

        remember(code, outcomes);
        return new TestRun(target, List.of(), outcomes, main.upToDate(), compileTime, testTime, log,
            notes(code));
    }

    /** Where {@link #compileTools} puts the chapter's tools compiled against the learner's classes. */
    static Path toolClasses(Chapter chapter) {
        return chapter.workDir().resolve("tool-classes");
    }

    /**
     * Compiles the chapter's tools ({@link Chapter#toolsSources()}: command line, demo, load harness)
     * against the learner's freshly compiled {@code classes}, so that they run the learner's broker. A
     * chapter without tools compiles nothing.
     */
    static ChapterCompiler.Result compileTools(ChapterCompiler compiler, Chapter chapter, Path classes,
                                               List<String> mainClasspath) {
        if (!Files.isDirectory(chapter.toolsSources())) {
            return new ChapterCompiler.Result(true, List.of());
        }
        List<String> classpath = new ArrayList<>(List.of(classes.toString()));
        classpath.addAll(mainClasspath);
        return compiler.compile(chapter.toolsSources(), toolClasses(chapter), classpath, false);
    }

    /** The classpath the build wrote for a chapter's module, one entry per element. */
    static List<String> classpath(Chapter chapter, String fileName) {
        return classpath(chapter.dir(), fileName);
    }

    /** The classpath the build wrote into {@code module/target/fileName} (see the root POM). */
    static List<String> classpath(Path module, String fileName) {
        Path file = module.resolve("target").resolve(fileName);
        if (!Files.isRegularFile(file)) {
            throw new WorkbookException(module.getFileName() + " is not built yet (target/" + fileName
                + " is missing there): run ./mvnw verify once, from the repository root");
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? List.of() : Arrays.stream(text.split(File.pathSeparator)).map(String::strip)
                .filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void fork(List<String> classpath, Path testClasses, String exercise, Path results, Path log) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(TEST_JVM_OPTIONS);
        command.addAll(List.of("-classpath", String.join(File.pathSeparator, classpath),
            WorkbookMain.class.getName(), "isolate", "--test-classes=" + testClasses, "--exercise=" + exercise,
            "--out=" + results));
        try {
            Files.createDirectories(results.getParent());
            Files.deleteIfExists(results);
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .start();
            if (!process.waitFor(TEST_JVM_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new WorkbookException("the tests did not finish within " + TEST_JVM_TIMEOUT_MINUTES
                    + " minutes; their output is in " + log);
            }
            if (process.exitValue() != 0 || !Files.isRegularFile(results)) {
                throw new WorkbookException("the test JVM stopped without results (exit " + process.exitValue()
                    + "). The end of its output (all of it is in " + log + "):\n" + tail(log, 15));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the tests: " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkbookException("interrupted while the tests ran");
        }
    }

    /** Each exercise's result, with the fingerprint of the code it ran on. Given-code tests count for none. */
    private void remember(ExerciseCode code, List<TestOutcome> outcomes) {
        Map<String, int[]> tally = new LinkedHashMap<>(); // exercise -> {passed, total}
        for (TestOutcome o : outcomes) {
            if (o.isExerciseTest()) {
                int[] counts = tally.computeIfAbsent(o.exercise(), e -> new int[2]);
                counts[0] += o.status() == TestOutcome.Status.PASSED ? 1 : 0;
                counts[1]++;
            }
        }
        Progress progress = workbook.progress();
        tally.forEach((exercise, counts) -> progress.recordRun(exercise,
            new Progress.LastRun(counts[0], counts[1], code.fingerprint(exercise))));
        progress.save();
    }

    /**
     * Notes after a run: a skeleton file imports {@code ExerciseNotDone}, and once the learner has replaced
     * every marker in it the import is unused (harmless, but worth tidying); and a file changed outside its
     * exercise regions, where the tests assume the given code.
     */
    private List<String> notes(ExerciseCode code) {
        List<String> notes = new ArrayList<>(code.unusedMarkerImports().stream()
            .map(file -> workbook.show(code.root().resolve(file))
                + " no longer uses its 'import org.mqworkbook.marker.ExerciseNotDone;': you can delete that line")
            .toList());
        // Changing given code is allowed, but the tests assume it as it is: say so, once per file.
        code.changedOutsideRegions().forEach(file -> notes.add(workbook.show(code.root().resolve(file))
            + " differs from the skeleton outside its exercise regions: the tests assume the given code as it is "
            + "(git diff shows the change)"));
        return notes;
    }

    private static void copyResources(Path from, Path to) {
        if (!Files.isDirectory(from)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.filter(Files::isRegularFile).toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                Files.createDirectories(target.getParent());
                Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the test resources from " + from, e);
        }
    }

    /** The newest modification time of any file below {@code dir}, or 0 if there is none. */
    private static long newest(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().lastModified()).max().orElse(0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ")";
        }
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}

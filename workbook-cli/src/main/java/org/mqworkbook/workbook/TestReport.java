package org.mqworkbook.workbook;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.mqworkbook.engine.TestOutcome;

/**
 * Prints a {@link TestRun} for a learner: a line per exercise, then the first failure explained — the
 * test's own message, where the test is, the section of the chapter text that explains it, and how to
 * get a hint. A compile error comes first and alone: nothing else matters until it is fixed.
 *
 * <pre>
 *    failing      5.1   10 of 11 pass      A bounded blocking queue (用内存队列实现生产与消费)
 *                       failing: offerRefusesWhenFullWithoutWaiting(), ...
 *
 *  First failure: BoundedBlockingQueueTest.offerRefusesWhenFullWithoutWaiting()
 *    AssertionFailedError: Expecting value to be true but was false
 *    the test:   chapter05-inmemory/src/test/java/org/mqworkbook/inmemory/BoundedBlockingQueueTest.java:56
 *    explained:  5.1 A bounded blocking queue (...) — chapter05-inmemory/README.md:76
 *    a hint:     ./workbook hint 5.1   (6 hints, none seen so far)
 * </pre>
 *
 * <p>Not thread-safe; the output is not either.
 */
final class TestReport {
    private static final String GIVEN = "given code";
    private static final int MAX_COMPILE_PROBLEMS = 5;
    private static final int MAX_FAILED_NAMES = 3;

    private final Workbook workbook;
    private final PrintWriter out;
    private final Highlight highlight;

    TestReport(Workbook workbook, PrintWriter out, Highlight highlight) {
        this.workbook = workbook;
        this.out = out;
        this.highlight = highlight;
    }

    void print(TestRun run) {
        if (!run.compiled()) {
            printCompileProblems(run);
        } else {
            printOutcomes(run);
        }
        run.notes().forEach(note -> out.println(highlight.warn("note: ") + note));
        out.flush();
    }

    private void printCompileProblems(TestRun run) {
        List<ChapterCompiler.Problem> problems = run.compileProblems();
        out.println(highlight.bad("Does not compile") + " (javac, with the build's flags: -Xlint:all; only the "
            + "errors stop it, warnings are listed after them). Fix the first one first: the others often "
            + "follow from it.");
        out.println();
        for (ChapterCompiler.Problem p : problems.stream().limit(MAX_COMPILE_PROBLEMS).toList()) {
            String where = p.file() == null ? "" : workbook.show(p.file()) + (p.line() > 0 ? ":" + p.line() : "")
                + (p.column() > 0 ? ":" + p.column() : "") + ": ";
            List<String> message = p.message().lines().toList();
            out.println("  " + where + highlight.bad(p.kind() + ":") + " " + (message.isEmpty() ? "" : message.get(0)));
            if (!p.sourceLine().isEmpty()) {
                out.println("    " + p.sourceLine().stripTrailing());
                if (p.column() > 0) {
                    out.println("    " + caretLine(p.sourceLine(), p.column()));
                }
            }
            message.stream().skip(1).forEach(line -> out.println("    " + line));
        }
        if (problems.size() > MAX_COMPILE_PROBLEMS) {
            out.println("  (" + (problems.size() - MAX_COMPILE_PROBLEMS) + " more)");
        }
        out.println();
        out.println("compiled in " + seconds(run.compileTime()) + "; no test ran");
    }

    private void printOutcomes(TestRun run) {
        Chapter chapter = run.target().chapter();
        Map<String, List<TestOutcome>> groups = groups(chapter, run.outcomes());
        if (groups.isEmpty()) {
            out.println(highlight.warn("No test ran") + " for " + run.target().label()
                + ": are the chapter's tests compiled? (./mvnw verify)");
        }
        for (Map.Entry<String, List<TestOutcome>> group : groups.entrySet()) {
            printGroup(chapter, group.getKey(), group.getValue());
        }
        firstFailure(groups).ifPresent(failure -> printFailure(chapter, failure));
        long passed = run.outcomes().stream().filter(o -> o.status() == TestOutcome.Status.PASSED).count();
        long failed = run.outcomes().stream().filter(o -> o.status() == TestOutcome.Status.FAILED).count();
        out.println();
        out.println(run.outcomes().size() + " tests: " + (passed > 0 ? highlight.good(passed + " passed") : "0 passed")
            + ", " + (failed > 0 ? highlight.bad(failed + " failed") : "0 failed")
            + highlight.faint(" — " + (run.upToDate() ? "nothing to compile" : "compiled in "
            + seconds(run.compileTime())) + ", tested in " + seconds(run.testTime())));
        if (fileSize(run.log()) > 0) {
            out.println(highlight.faint("the tests' own output (and your println's): " + workbook.show(run.log())));
        }
    }

    /** The outcomes by exercise, in the chapter's order, then the tests of given code. */
    private static Map<String, List<TestOutcome>> groups(Chapter chapter, List<TestOutcome> outcomes) {
        Map<String, List<TestOutcome>> groups = new LinkedHashMap<>();
        chapter.exercises().forEach(e -> groups.put(e.id(), new ArrayList<>()));
        groups.put(GIVEN, new ArrayList<>());
        for (TestOutcome o : outcomes) {
            groups.computeIfAbsent(o.isExerciseTest() ? o.exercise() : GIVEN, k -> new ArrayList<>()).add(o);
        }
        groups.values().removeIf(List::isEmpty);
        return groups;
    }

    private void printGroup(Chapter chapter, String key, List<TestOutcome> tests) {
        long passed = tests.stream().filter(o -> o.status() == TestOutcome.Status.PASSED).count();
        List<TestOutcome> failed = tests.stream().filter(o -> o.status() == TestOutcome.Status.FAILED).toList();
        String verdict = verdict(key, tests, passed);
        String coloured = passed == tests.size() ? highlight.good(pad(verdict, 12))
            : verdict.startsWith("not started") || verdict.startsWith("needs") ? highlight.warn(pad(verdict, 12))
            : highlight.bad(pad(verdict, 12));
        String title = key.equals(GIVEN) ? "(the tests of the code you did not write)"
            : chapter.exercise(key).map(Exercise::title).orElse("");
        out.printf(Locale.ROOT, "  %s %-5s %-18s %s%n", coloured, key.equals(GIVEN) ? "" : key,
            passed + " of " + tests.size() + " pass", title);
        if (!failed.isEmpty() && !verdict.equals("not started")) {
            String names = String.join(", ", failed.stream().limit(MAX_FAILED_NAMES).map(TestOutcome::test).toList())
                + (failed.size() > MAX_FAILED_NAMES ? ", … (" + (failed.size() - MAX_FAILED_NAMES) + " more)" : "");
            out.println("                     " + highlight.faint("failing: " + names));
        }
    }

    /**
     * "done"; "not started" when every test is red because this exercise's own marker was thrown; "needs 5.2"
     * when they are red only because another exercise is not done; "failing" otherwise.
     */
    private static String verdict(String key, List<TestOutcome> tests, long passed) {
        if (passed == tests.size()) {
            return key.equals(GIVEN) ? "pass" : "done";
        }
        List<TestOutcome> failed = tests.stream().filter(o -> o.status() == TestOutcome.Status.FAILED).toList();
        if (!key.equals(GIVEN) && failed.stream().allMatch(TestOutcome::redForMarker)) {
            if (passed == 0 && failed.stream().allMatch(o -> o.markers().contains(key))) {
                return "not started";
            }
            if (failed.stream().noneMatch(o -> o.markers().contains(key))) {
                return "needs " + String.join(", ", otherMarkers(key, failed));
            }
        }
        return "failing";
    }

    /** The first failure of the first exercise (in chapter order) that has one; given code last. */
    private static Optional<TestOutcome> firstFailure(Map<String, List<TestOutcome>> groups) {
        return groups.values().stream().flatMap(List::stream).filter(o -> o.status() == TestOutcome.Status.FAILED)
            .findFirst();
    }

    private void printFailure(Chapter chapter, TestOutcome failure) {
        out.println();
        out.println(highlight.strong("First failure: ") + failure.name());
        out.println("  " + failure.message());
        Set<String> others = otherMarkers(failure.exercise(), List.of(failure));
        if (failure.redForMarker() && !failure.markers().contains(failure.exercise()) && !others.isEmpty()) {
            String needed = String.join(", ", others);
            out.println("  " + highlight.warn("red because exercise " + needed + " is not done yet:") + " "
                + (failure.isExerciseTest() ? failure.exercise() + "'s tests build on it" : "this test uses it")
                + " (./workbook test " + others.iterator().next() + ")");
        }
        testLocation(chapter, failure).ifPresent(where -> out.println("  the test:   " + where));
        Optional<Exercise> exercise = chapter.exercise(failure.exercise());
        if (exercise.isPresent()) {
            out.println("  explained:  " + workbook.section(chapter, exercise.get()));
            int hints = Hints.read(chapter.hintFile(failure.exercise())).size();
            int seen = workbook.progress().hintsSeen(failure.exercise());
            if (hints > 0) {
                out.println("  a hint:     ./workbook hint " + failure.exercise() + highlight.faint("   (" + hints
                    + " hints, " + (seen == 0 ? "none" : String.valueOf(Math.min(seen, hints))) + " seen so far)"));
            }
        } else {
            out.println("  explained:  " + workbook.show(chapter.readme()) + highlight.faint(
                "   (a test of given code: did a change outside the exercise regions break it?)"));
        }
    }

    private static Set<String> otherMarkers(String exercise, List<TestOutcome> failed) {
        Set<String> others = new TreeSet<>();
        failed.forEach(o -> o.markers().stream().filter(m -> !m.equals(exercise)).forEach(others::add));
        return others;
    }

    /**
     * The test's source file and the line where it failed (from the failure's stack), or else, when the
     * display name is its method's name, the method's line.
     */
    private Optional<String> testLocation(Chapter chapter, TestOutcome failure) {
        String className = failure.testClass().replaceFirst("\\$.*", "");
        Path file;
        try (Stream<Path> walk = Files.isDirectory(chapter.testSources()) ? Files.walk(chapter.testSources())
            : Stream.empty()) {
            Optional<Path> found = walk.filter(p -> p.getFileName().toString().equals(className + ".java")).findFirst();
            if (found.isEmpty()) {
                return Optional.empty();
            }
            file = found.get();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + chapter.testSources(), e);
        }
        if (!failure.location().isEmpty()) { // FileName.java:line, from the failure's own stack
            int colon = failure.location().lastIndexOf(':');
            if (file.getFileName().toString().equals(failure.location().substring(0, Math.max(0, colon)))) {
                return Optional.of(workbook.show(file) + failure.location().substring(colon));
            }
        }
        String method = failure.test().replaceFirst("\\(.*", "");
        Pattern declaration = Pattern.compile("\\bvoid\\s+" + Pattern.quote(method) + "\\s*\\(");
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (declaration.matcher(lines.get(i)).find()) {
                    return Optional.of(workbook.show(file) + ":" + (i + 1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return Optional.of(workbook.show(file));
    }

    private static String caretLine(String sourceLine, long column) {
        StringBuilder caret = new StringBuilder();
        for (int i = 0; i < column - 1 && i < sourceLine.length(); i++) {
            caret.append(sourceLine.charAt(i) == '\t' ? '\t' : ' ');
        }
        return caret.append('^').toString();
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }

    static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

    private static long fileSize(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}

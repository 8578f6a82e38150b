package org.mqworkbook.engine;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The workbook's build-time runner: runs a chapter module's tests and decides, from the rules below,
 * whether the build passes. Maven calls it (exec-maven-plugin, execution {@code workbook-test}) in
 * every chapter and solution module instead of Surefire.
 *
 * <p>The rules (DESIGN.md, "the workbook contract"):
 * <ul>
 *   <li><b>solution module</b>: every test passes.</li>
 *   <li><b>exercise module, untouched skeleton</b> (it equals what {@link SkeletonGenerator} makes of
 *   the solution): every exercise test fails <em>because</em> an exercise marker was thrown, and every
 *   test of given code passes. A test that passes on the skeleton checks nothing; a test that fails
 *   for another reason (a crash, a timeout with no marker) is broken. Either fails the build, by
 *   name.</li>
 *   <li><b>exercise module holding the learner's work</b>: the tests run against the learner's code
 *   and the runner reports progress. From a whole-repository build ({@code ./mvnw verify} at the root)
 *   that never fails the build; when the learner asked for this module ({@code -pl chapter05-inmemory},
 *   or a build started inside it) failing tests fail the build, as plain Maven would.</li>
 *   <li><b>{@code CI=true}</b>: the skeleton must be untouched; any difference is drift and fails the
 *   build with the list of files.</li>
 * </ul>
 *
 * <p>Each run writes {@code target/workbook/results.tsv}; the {@code report} command (the last module
 * of the reactor) sums them up.
 */
public final class WorkbookMain {
    private static final String PREFIX = "[workbook] ";

    private final PrintStream out;
    /** Whether this is the repository checking itself ({@code CI=true}): skeletons must be untouched. */
    private final boolean ci;

    WorkbookMain(PrintStream out) {
        this(out, "true".equalsIgnoreCase(System.getenv("CI")));
    }

    WorkbookMain(PrintStream out, boolean ci) {
        this.out = out;
        this.ci = ci;
    }

    /**
     * {@code test --role=exercise|solution --module=DIR --repo=DIR [--execution-root=DIR]
     * [--selected=[...]] [--exercise=5.3]}, {@code generate --module=DIR --repo=DIR} or
     * {@code report --repo=DIR}.
     */
    public static void main(String[] args) {
        Map<String, String> options = parse(args);
        WorkbookMain main = new WorkbookMain(System.out);
        int status;
        switch (args.length == 0 ? "" : args[0]) {
            case "test" -> status = main.test(options);
            case "generate" -> status = main.generate(options);
            case "report" -> status = main.report(options);
            case "isolate" -> status = main.isolate(options);
            default -> {
                System.err.println("usage: WorkbookMain test|generate|report --option=value ...");
                status = 2;
            }
        }
        System.out.flush();
        System.exit(status); // tests may leave non-daemon threads behind; do not wait for them
    }

    int test(Map<String, String> options) {
        String role = options.getOrDefault("role", "none");
        Path module = Path.of(options.get("module")).toAbsolutePath().normalize();
        Path repo = Path.of(options.get("repo")).toAbsolutePath().normalize();
        String exercise = options.getOrDefault("exercise", "").strip();
        String name = module.getFileName().toString();
        String shownName = module.startsWith(repo) ? repo.relativize(module).toString() : name;
        Path testClasses = module.resolve("target/test-classes");
        if ("exercise".equals(role)) {
            List<String> uncompiled = new ArrayList<>(uncompiled(module.resolve("src/main/java"),
                module.resolve("target/classes")));
            uncompiled.addAll(uncompiled(module.resolve("src/test/java"), testClasses));
            if (!uncompiled.isEmpty()) {
                ModuleVerdict verdict = judgeUncompiled(name, module, repo, uncompiled, isStrict(options, repo));
                writeResults(module, role, verdict, List.of());
                return verdict.ok() ? 0 : 1;
            }
        }
        if (!Files.isDirectory(testClasses)) {
            out.println(PREFIX + shownName + ": no compiled tests");
            return 0;
        }
        List<TestOutcome> outcomes = new ExerciseRun().run(testClasses, exercise);
        ModuleVerdict verdict = switch (role) {
            case "solution" -> judgeSolution(shownName, outcomes);
            case "exercise" -> judgeExercise(name, module, repo, outcomes, isStrict(options, repo),
                !exercise.isBlank());
            default -> throw new IllegalArgumentException("unknown --role=" + role);
        };
        writeResults(module, role, verdict, outcomes);
        return verdict.ok() ? 0 : 1;
    }

    /**
     * The chapter module did not compile (its compiler does not stop the build: see its pom). The
     * untouched skeleton must compile; the learner's work may not yet, and then the whole-repository
     * build says so and goes on.
     */
    ModuleVerdict judgeUncompiled(String name, Path module, Path repo, List<String> uncompiled, boolean strict) {
        Path solutionSources = repo.resolve("solutions").resolve(name).resolve("src/main/java");
        boolean pristine = new SkeletonGenerator().differences(solutionSources, module.resolve("src/main/java"))
            .isEmpty();
        String which = uncompiled.stream().limit(3).collect(Collectors.joining(", "))
            + (uncompiled.size() > 3 ? ", ..." : "");
        if (pristine || ci) {
            out.println(PREFIX + name + ": the " + (pristine ? "untouched skeleton" : "module")
                + " DOES NOT COMPILE (not compiled: " + which + "); see the compiler's errors above");
            return new ModuleVerdict(pristine ? "pristine" : "drift", false);
        }
        out.println(PREFIX + name + " holds YOUR WORK, which does not compile yet (not compiled: " + which
            + "); the compiler's errors are above");
        if (strict) {
            return new ModuleVerdict("learner", false);
        }
        out.println(PREFIX + "  (a whole-repository build reports this and goes on; ./mvnw test -pl " + name
            + " fails until it compiles and every exercise passes)");
        return new ModuleVerdict("learner", true);
    }

    /**
     * The sources below {@code sources} with no class file below {@code classes} at least as new as
     * they are: what the last compilation did not produce (or produced from an older version).
     */
    static List<String> uncompiled(Path sources, Path classes) {
        if (!Files.isDirectory(sources)) {
            return List.of();
        }
        List<String> missing = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path source : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String file = source.getFileName().toString();
                if (file.equals("package-info.java") || file.equals("module-info.java")) {
                    continue;
                }
                Path relative = sources.relativize(source);
                Path compiled = classes.resolve(relative.toString().replaceAll("\\.java$", ".class"));
                if (!Files.exists(compiled)
                    || Files.getLastModifiedTime(compiled).compareTo(Files.getLastModifiedTime(source)) < 0) {
                    missing.add(relative.toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compare " + sources + " with " + classes, e);
        }
        return missing;
    }

    ModuleVerdict judgeSolution(String name, List<TestOutcome> outcomes) {
        List<TestOutcome> failed = outcomes.stream().filter(o -> o.status() != TestOutcome.Status.PASSED).toList();
        if (outcomes.isEmpty()) {
            out.println(PREFIX + name + ": NO TESTS RAN — a solution module must run its chapter's tests");
            return new ModuleVerdict("solution", false);
        }
        if (failed.isEmpty()) {
            out.println(PREFIX + name + ": all " + outcomes.size() + " tests pass on the reference solution "
                + byExercise(outcomes));
            return new ModuleVerdict("solution", true);
        }
        out.println(PREFIX + name + ": " + failed.size() + " of " + outcomes.size()
            + " tests FAIL on the reference solution:");
        failed.forEach(o -> out.println(PREFIX + "  " + o.status() + " " + o.name() + ": " + o.message()));
        return new ModuleVerdict("solution", false);
    }

    ModuleVerdict judgeExercise(String name, Path module, Path repo, List<TestOutcome> outcomes,
                                        boolean strict, boolean filtered) {
        Path solutionSources = repo.resolve("solutions").resolve(name).resolve("src/main/java");
        List<String> differences = new SkeletonGenerator().differences(solutionSources,
            module.resolve("src/main/java"));
        if (differences.isEmpty()) {
            ModuleVerdict verdict = judgePristine(name, outcomes, strict, filtered);
            if (!verdict.ok() || strict || filtered) {
                return verdict;
            }
            return judgeIsolation(name, module, repo, solutionSources);
        }
        if (ci) {
            out.println(PREFIX + name + ": SKELETON DRIFT — src/main/java is not what the generator makes of "
                + "solutions/" + name + " (CI=true checks the committed skeleton strictly):");
            differences.forEach(d -> out.println(PREFIX + "  " + d));
            out.println(PREFIX + "regenerate it with: ./mvnw verify -Dregenerate");
            return new ModuleVerdict("drift", false);
        }
        return judgeLearnerWork(name, outcomes, differences, strict);
    }

    ModuleVerdict judgePristine(String name, List<TestOutcome> outcomes, boolean strict, boolean filtered) {
        List<String> violations = new ArrayList<>();
        for (TestOutcome o : outcomes) {
            if (o.isExerciseTest() && o.status() == TestOutcome.Status.PASSED) {
                violations.add(o.name() + " [" + o.exercise() + "] PASSES on the untouched skeleton: it checks "
                    + "nothing the learner writes");
            } else if (o.isExerciseTest() && !o.redForMarker()) {
                violations.add(o.name() + " [" + o.exercise() + "] is red on the skeleton for a reason other "
                    + "than an unfinished exercise: " + o.message());
            } else if (!o.isExerciseTest() && o.status() != TestOutcome.Status.PASSED) {
                violations.add(o.name() + " tests given code and must pass on the skeleton, but: " + o.message());
            }
        }
        long red = outcomes.stream().filter(TestOutcome::redForMarker).count();
        long given = outcomes.stream().filter(o -> !o.isExerciseTest()).count();
        if (outcomes.stream().noneMatch(TestOutcome::isExerciseTest) && !filtered) {
            violations.add("no exercise tests ran");
        }
        if (!violations.isEmpty()) {
            out.println(PREFIX + name + ": the untouched skeleton BREAKS the workbook contract:");
            violations.forEach(v -> out.println(PREFIX + "  " + v));
            return new ModuleVerdict("pristine", false);
        }
        out.println(PREFIX + name + ": untouched skeleton — " + red + " exercise tests confirmed red for an "
            + "unfinished exercise " + byExercise(outcomes.stream().filter(TestOutcome::isExerciseTest).toList())
            + ", " + given + " given-code tests pass");
        misattributed(outcomes).forEach(line -> out.println(PREFIX + "  note: " + line));
        if (strict) {
            out.println(PREFIX + name + ": no exercise is done yet — start with the chapter README, exercise "
                + firstExercise(outcomes) + " (this build fails until every exercise passes)");
            return new ModuleVerdict("pristine", false);
        }
        return new ModuleVerdict("pristine", true);
    }

    ModuleVerdict judgeLearnerWork(String name, List<TestOutcome> outcomes, List<String> differences,
                                           boolean strict) {
        out.println(PREFIX + name + " holds YOUR WORK (it differs from the generated skeleton in "
            + differences.size() + " file" + (differences.size() == 1 ? "" : "s") + ": "
            + differences.stream().limit(5).collect(Collectors.joining(", "))
            + (differences.size() > 5 ? ", ..." : "") + ")");
        Map<String, List<TestOutcome>> byExercise = new TreeMap<>();
        outcomes.forEach(o -> byExercise.computeIfAbsent(o.isExerciseTest() ? o.exercise() : "given code",
            k -> new ArrayList<>()).add(o));
        int done = 0;
        for (Map.Entry<String, List<TestOutcome>> entry : byExercise.entrySet()) {
            List<TestOutcome> tests = entry.getValue();
            long passed = tests.stream().filter(o -> o.status() == TestOutcome.Status.PASSED).count();
            boolean allPassed = passed == tests.size();
            if (allPassed && !entry.getKey().equals("given code")) {
                done++;
            }
            String state = allPassed ? "done" : passed == 0 && tests.stream().allMatch(TestOutcome::redForMarker)
                ? "not started" : "in progress";
            out.println(PREFIX + String.format("  %-10s %3d/%-3d passed  %s", entry.getKey(), passed, tests.size(),
                state));
            tests.stream().filter(o -> o.status() != TestOutcome.Status.PASSED).findFirst()
                .filter(o -> !allPassed && !state.equals("not started"))
                .ifPresent(o -> out.println(PREFIX + "             first failure: " + o.name() + ": " + o.message()));
        }
        long exercises = byExercise.keySet().stream().filter(k -> !k.equals("given code")).count();
        boolean allGreen = outcomes.stream().allMatch(o -> o.status() == TestOutcome.Status.PASSED);
        out.println(PREFIX + name + ": " + done + " of " + exercises + " exercises done");
        if (strict && !allGreen) {
            outcomes.stream().filter(o -> o.status() != TestOutcome.Status.PASSED)
                .forEach(o -> out.println(PREFIX + "  FAILED " + o.name() + ": " + o.message()));
            return new ModuleVerdict("learner", false);
        }
        if (!allGreen) {
            out.println(PREFIX + "  (a whole-repository build reports your progress and goes on; "
                + "./mvnw test -pl " + name + " fails until every exercise passes)");
        }
        return new ModuleVerdict("learner", true);
    }

    /** Each exercise's tests, against the solution with only that exercise missing: see {@link IsolationCheck}. */
    private ModuleVerdict judgeIsolation(String name, Path module, Path repo, Path solutionSources) {
        List<String> violations = new ArrayList<>();
        Path toolsSources = repo.resolve("tools").resolve(name).resolve("src/main/java");
        Map<String, Integer> confirmed = new IsolationCheck().run(module, solutionSources, toolsSources, violations);
        if (!violations.isEmpty()) {
            out.println(PREFIX + name + ": some exercise tests do not check their own exercise:");
            violations.forEach(v -> out.println(PREFIX + "  " + v));
            return new ModuleVerdict("pristine", false);
        }
        out.println(PREFIX + name + ": each exercise's tests fail when only that exercise is missing "
            + confirmed.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
            .collect(Collectors.joining(", ", "(", ")")));
        return new ModuleVerdict("pristine", true);
    }

    /**
     * Runs one exercise's tests ({@code --exercise=5.3}; every test if empty) in this JVM and writes their
     * outcomes to {@code --out} (a {@link ResultsFile}): the forked half of {@link IsolationCheck}, and of
     * the workbook CLI's {@code ./workbook test}.
     */
    int isolate(Map<String, String> options) {
        List<TestOutcome> outcomes =
            new ExerciseRun().run(Path.of(options.get("test-classes")), options.getOrDefault("exercise", ""));
        ResultsFile.write(Path.of(options.get("out")), "isolated exercise=" + options.getOrDefault("exercise", ""),
            outcomes);
        return 0;
    }

    /** Tests red only because of an earlier exercise's marker: worth knowing, not a violation. */
    private static List<String> misattributed(List<TestOutcome> outcomes) {
        Map<String, Set<String>> byExercise = new TreeMap<>();
        for (TestOutcome o : outcomes) {
            if (o.redForMarker() && !o.markers().contains(o.exercise())) {
                byExercise.computeIfAbsent(o.exercise(), k -> new TreeSet<>()).addAll(o.markers());
            }
        }
        List<String> lines = new ArrayList<>();
        byExercise.forEach((exercise, markers) -> lines.add("some " + exercise + " tests are red because "
            + String.join(", ", markers) + " is not done (they build on it)"));
        return lines;
    }

    private static String firstExercise(List<TestOutcome> outcomes) {
        return outcomes.stream().map(TestOutcome::exercise).filter(e -> !e.isEmpty()).sorted().findFirst()
            .orElse("1");
    }

    private static String byExercise(List<TestOutcome> outcomes) {
        Map<String, Long> counts = new TreeMap<>(outcomes.stream().collect(Collectors.groupingBy(
            o -> o.isExerciseTest() ? o.exercise() : "given", Collectors.counting())));
        return counts.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
            .collect(Collectors.joining(", ", "(", ")"));
    }

    /**
     * Strict when the learner asked for this module: {@code -pl} was given, or the build started
     * somewhere other than the repository root. {@code -Dworkbook.strict=true} forces it.
     */
    static boolean isStrict(Map<String, String> options, Path repo) {
        if ("true".equals(options.get("strict"))) {
            return true;
        }
        String selected = options.getOrDefault("selected", "").replace("[", "").replace("]", "").strip();
        String root = options.getOrDefault("execution-root", "");
        boolean fromRoot = root.isEmpty() || Path.of(root).toAbsolutePath().normalize().equals(repo);
        return !selected.isEmpty() || !fromRoot;
    }

    int generate(Map<String, String> options) {
        Path module = Path.of(options.get("module")).toAbsolutePath().normalize();
        Path repo = Path.of(options.get("repo")).toAbsolutePath().normalize();
        if (!"exercise".equals(options.get("role"))) {
            return 0;
        }
        String name = module.getFileName().toString();
        List<Path> written = new SkeletonGenerator().write(
            repo.resolve("solutions").resolve(name).resolve("src/main/java"), module.resolve("src/main/java"));
        out.println(PREFIX + name + ": skeleton regenerated from solutions/" + name + " (" + written.size()
            + " files written)");
        written.forEach(p -> out.println(PREFIX + "  " + repo.relativize(p)));
        return 0;
    }

    /** Sums up every module's results file: the numbers the build proved. */
    int report(Map<String, String> options) {
        Path repo = Path.of(options.get("repo")).toAbsolutePath().normalize();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> paths = Stream.concat(Files.list(repo), listIfPresent(repo.resolve("solutions")))) {
            paths.map(p -> p.resolve("target/workbook/results.tsv")).filter(Files::isRegularFile).forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long solutionPassed = 0;
        long confirmedRed = 0;
        long givenPassed = 0;
        long failures = 0;
        Map<String, String> learnerModules = new LinkedHashMap<>();
        Map<String, String> states = new HashMap<>();
        for (Path file : files.stream().sorted().toList()) {
            String moduleName = repo.relativize(file.getParent().getParent().getParent()).toString();
            List<String> lines = readLines(file);
            Map<String, String> header = parse(lines.get(0).substring(1).strip().split(" "));
            states.put(moduleName, header.get("state"));
            boolean ok = "ok".equals(header.get("verdict"));
            List<String[]> rows = lines.stream().skip(1).map(l -> l.split("\t", -1)).toList();
            for (String[] row : rows) {
                boolean passed = row[3].equals("PASSED");
                boolean exerciseTest = !row[2].isEmpty();
                boolean red = row[3].equals("FAILED") && !row[4].isEmpty();
                switch (header.get("state")) {
                    case "solution" -> {
                        solutionPassed += passed ? 1 : 0;
                        failures += passed ? 0 : 1;
                    }
                    case "pristine" -> {
                        confirmedRed += exerciseTest && red ? 1 : 0;
                        givenPassed += !exerciseTest && passed ? 1 : 0;
                        failures += (exerciseTest && !red) || (!exerciseTest && !passed) ? 1 : 0;
                    }
                    default -> { }
                }
            }
            if ("learner".equals(header.get("state"))) {
                long passed = rows.stream().filter(r -> r[3].equals("PASSED")).count();
                learnerModules.put(moduleName, passed + "/" + rows.size() + " tests pass on your code");
            }
            if (!ok && !"learner".equals(header.get("state"))) {
                failures = Math.max(failures, 1);
            }
        }
        out.println(PREFIX + "==== what this build proved ====");
        out.println(PREFIX + "reference solutions: " + solutionPassed + " tests pass");
        out.println(PREFIX + "untouched skeletons: " + confirmedRed + " exercise tests confirmed red for an "
            + "unfinished exercise; " + givenPassed + " given-code tests pass");
        if (learnerModules.isEmpty()) {
            out.println(PREFIX + "your work: none yet (every chapter module is the untouched skeleton)");
        } else {
            learnerModules.forEach((m, s) -> out.println(PREFIX + "your work: " + m + " — " + s));
        }
        out.println("Workbook: " + (solutionPassed + confirmedRed + givenPassed) + " passed, " + failures + " failed");
        return failures == 0 ? 0 : 1;
    }

    private void writeResults(Path module, String role, ModuleVerdict verdict, List<TestOutcome> outcomes) {
        ResultsFile.write(module.resolve("target/workbook/results.tsv"), "role=" + role + " state=" + verdict.state()
            + " verdict=" + (verdict.ok() ? "ok" : "fail"), outcomes);
    }

    private static Stream<Path> listIfPresent(Path dir) throws IOException {
        return Files.isDirectory(dir) ? Files.list(dir) : Stream.empty();
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            String a = arg.startsWith("--") ? arg.substring(2) : arg;
            int eq = a.indexOf('=');
            if (eq > 0) {
                options.put(a.substring(0, eq), a.substring(eq + 1));
            }
        }
        return options;
    }

    /** The judgement of one module: its state (solution, pristine, learner, drift) and whether it passes. */
    record ModuleVerdict(String state, boolean ok) {
    }
}

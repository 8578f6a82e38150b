package org.mqworkbook.engine;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClasspathRoots;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.TestTag;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.mqworkbook.marker.ExerciseNotDone;

/**
 * Runs a module's tests on the JUnit Platform and records, for each test, its exercise, its outcome
 * and whether an {@link ExerciseNotDone} marker was thrown while it ran (in any thread).
 *
 * <p>Not thread-safe: one run at a time. The listener it registers is called by the JUnit launcher's
 * thread only (tests that time out in their own thread still report through it).
 */
final class ExerciseRun {
    private static final Pattern EXERCISE_TAG = Pattern.compile("\\d+\\.\\d+");
    /** The start of {@link ExerciseNotDone}'s message, as it reads when quoted by another process. */
    private static final Pattern QUOTED_MARKER = Pattern.compile("Exercise (\\d+\\.\\d+) is not done yet");

    private final List<TestOutcome> outcomes = Collections.synchronizedList(new ArrayList<>());

    /**
     * Runs every test found in {@code testClasses}, or only exercise {@code exercise}'s if not blank.
     */
    List<TestOutcome> run(Path testClasses, String exercise) {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
            .selectors(selectClasspathRoots(Set.of(testClasses)));
        if (!exercise.isBlank()) {
            request.filters(TagFilter.includeTags(exercise));
        }
        LauncherDiscoveryRequest discovery = request.build();
        // A skeleton's worker threads die of ExerciseNotDone; the ledger has recorded it, and a stack
        // trace per thread would bury the summary. Anything else is still reported.
        Thread.setDefaultUncaughtExceptionHandler((thread, failure) -> {
            if (!(failure instanceof ExerciseNotDone)) {
                System.err.println("Exception in thread \"" + thread.getName() + "\": " + failure);
            }
        });
        Launcher launcher = LauncherFactory.create();
        launcher.execute(discovery, new Recorder());
        return List.copyOf(outcomes);
    }

    private final class Recorder implements TestExecutionListener {
        private final Map<String, Long> marks = new ConcurrentHashMap<>();

        @Override
        public void executionStarted(TestIdentifier test) {
            if (test.isTest()) {
                marks.put(test.getUniqueId(), ExerciseNotDone.mark());
            }
        }

        @Override
        public void executionSkipped(TestIdentifier test, String reason) {
            if (test.isTest()) {
                outcomes.add(new TestOutcome(className(test), test.getDisplayName(), exerciseOf(test),
                    TestOutcome.Status.SKIPPED, Set.of(), reason));
            }
        }

        @Override
        public void executionFinished(TestIdentifier test, TestExecutionResult result) {
            if (test.isTest()) {
                Set<String> fired = ExerciseNotDone.firedSince(marks.getOrDefault(test.getUniqueId(), 0L));
                TestOutcome.Status status = result.getStatus() == TestExecutionResult.Status.SUCCESSFUL
                    ? TestOutcome.Status.PASSED : TestOutcome.Status.FAILED;
                Optional<Throwable> failure = result.getThrowable();
                outcomes.add(new TestOutcome(className(test), test.getDisplayName(), exerciseOf(test), status,
                    status == TestOutcome.Status.FAILED ? markersIn(failure.orElse(null), fired) : Set.of(),
                    failure.map(ExerciseRun::describe).orElse(""),
                    failure.map(t -> locationIn(test, t)).orElse("")));
            } else if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL && test.getParentId().isPresent()) {
                // a class-level failure (a @BeforeAll, a bad configuration): no test of it ran
                outcomes.add(new TestOutcome(test.getDisplayName(), "(class setup)", exerciseOf(test),
                    TestOutcome.Status.FAILED, Set.of(),
                    result.getThrowable().map(ExerciseRun::describe).orElse("failed")));
            }
        }
    }

    /**
     * The markers behind a failure: those thrown in this JVM during the test (any thread), those in its
     * cause chain, and those whose message crossed a process or network boundary into the failure's
     * message (a broker in another JVM answered "Exercise 5.2 is not done yet").
     */
    static Set<String> markersIn(Throwable failure, Set<String> firedDuringTest) {
        Set<String> markers = new LinkedHashSet<>(firedDuringTest);
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ExerciseNotDone marker) {
                markers.add(marker.exercise());
            }
            Matcher quoted = QUOTED_MARKER.matcher(String.valueOf(t.getMessage()));
            while (quoted.find()) {
                markers.add(quoted.group(1));
            }
        }
        return markers;
    }

    private static String exerciseOf(TestIdentifier test) {
        return test.getTags().stream().map(TestTag::getName).filter(t -> EXERCISE_TAG.matcher(t).matches())
            .findFirst().orElse("");
    }

    private static String className(TestIdentifier test) {
        Optional<TestSource> source = test.getSource();
        if (source.isPresent() && source.get() instanceof MethodSource method) {
            String name = method.getClassName();
            return name.substring(name.lastIndexOf('.') + 1);
        }
        return test.getLegacyReportingName();
    }

    /**
     * {@code TopicTrieTest.java:93}: the frame of the failure's stack, or of its causes', that is in the
     * test's own class (or a nested class of it), so that a parameterized test, whose display name names
     * no method, still points at its failing line. Empty when no frame is in the test class.
     */
    static String locationIn(TestIdentifier test, Throwable failure) {
        Optional<TestSource> source = test.getSource();
        if (source.isEmpty() || !(source.get() instanceof MethodSource method)) {
            return "";
        }
        String testClass = method.getClassName();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            for (StackTraceElement frame : t.getStackTrace()) {
                String name = frame.getClassName();
                boolean own = name.equals(testClass) || name.startsWith(testClass + "$");
                if (own && frame.getFileName() != null && frame.getLineNumber() > 0) {
                    return frame.getFileName() + ":" + frame.getLineNumber();
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return "";
    }

    /** The hint testkit's {@code Seeded} appends to a failure: {@code [replay with -Dseed=...]}. */
    private static final Pattern REPLAY_HINT = Pattern.compile("\\[replay with -Dseed=-?\\d+\\]");

    static String describe(Throwable failure) {
        String text = failure.getClass().getSimpleName() + ": " + failure.getMessage();
        // Enough lines for AssertJ's longest usual message ("... but could not find the following elements:
        // [...]" is its ninth line), cut at a length that still fits a terminal screen.
        String firstLines = String.join(" ", text.lines().limit(12).map(String::strip)
            .filter(line -> !line.isEmpty()).toList());
        String shown = firstLines.length() > 900 ? firstLines.substring(0, 897) + "..." : firstLines;
        // A seeded test's failure ends with how to replay it (testkit's Seeded): never cut that off.
        Matcher replay = REPLAY_HINT.matcher(text);
        if (replay.find() && !shown.contains(replay.group())) {
            shown = shown + " " + replay.group();
        }
        return shown;
    }
}

package org.mqworkbook.workbook;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.mqworkbook.engine.TestOutcome;

/**
 * What one {@code ./workbook test} found.
 *
 * @param target          what was tested: a chapter or one exercise
 * @param compileProblems why the learner's code (or the tests, against it) did not compile; empty if it did
 * @param outcomes        one per test that ran, in the order they ran; empty if it did not compile
 * @param upToDate        nothing had changed since the last compilation, so nothing was compiled
 * @param compileTime     how long compiling took
 * @param testTime        how long the test JVM took, start to exit
 * @param log             everything the test JVM printed (the tests' output, the learner's println's)
 * @param notes           things worth knowing that are not failures, e.g. an import the build will refuse
 */
record TestRun(Target target, List<ChapterCompiler.Problem> compileProblems, List<TestOutcome> outcomes,
               boolean upToDate, Duration compileTime, Duration testTime, Path log, List<String> notes) {

    boolean compiled() {
        return compileProblems.isEmpty();
    }

    /** Compiled, ran at least one test, and every test passed. */
    boolean passed() {
        return compiled() && !outcomes.isEmpty()
            && outcomes.stream().allMatch(o -> o.status() == TestOutcome.Status.PASSED);
    }
}

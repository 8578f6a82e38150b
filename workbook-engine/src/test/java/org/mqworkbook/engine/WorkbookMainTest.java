package org.mqworkbook.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.engine.TestOutcome.Status;

/** The rules of the workbook contract, judged on made-up outcomes. */
@Timeout(10)
class WorkbookMainTest {
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final WorkbookMain main = new WorkbookMain(new PrintStream(printed, true, StandardCharsets.UTF_8), false);

    private static TestOutcome red(String exercise, String... markers) {
        return new TestOutcome("QueueTest", "takes", exercise, Status.FAILED, Set.of(markers), "not done");
    }

    private static TestOutcome passed(String exercise) {
        return new TestOutcome("QueueTest", "puts", exercise, Status.PASSED, Set.of(), "");
    }

    private static TestOutcome brokenTest(String exercise) {
        return new TestOutcome("QueueTest", "hangs", exercise, Status.FAILED, Set.of(), "TimeoutException");
    }

    private String output() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    @Test
    void acceptsASkeletonOnWhichEveryExerciseTestIsRedForAMarker() {
        WorkbookMain.ModuleVerdict verdict = main.judgePristine("ch", List.of(red("5.1", "5.1"),
            red("5.2", "5.1"), passed("")), false, false);

        assertThat(verdict.ok()).isTrue();
        assertThat(output()).contains("2 exercise tests confirmed red").contains("1 given-code tests pass")
            .contains("some 5.2 tests are red because 5.1 is not done");
    }

    @Test
    void namesAnExerciseTestThatPassesOnTheSkeleton() {
        WorkbookMain.ModuleVerdict verdict = main.judgePristine("ch", List.of(red("5.1", "5.1"), passed("5.1")),
            false, false);

        assertThat(verdict.ok()).isFalse();
        assertThat(output()).contains("QueueTest.puts [5.1] PASSES on the untouched skeleton");
    }

    @Test
    void namesAnExerciseTestThatIsRedForAnotherReason() {
        WorkbookMain.ModuleVerdict verdict = main.judgePristine("ch", List.of(brokenTest("5.3")), false, false);

        assertThat(verdict.ok()).isFalse();
        assertThat(output()).contains("QueueTest.hangs [5.3] is red on the skeleton for a reason other than")
            .contains("TimeoutException");
    }

    @Test
    void namesAGivenCodeTestThatFailsOnTheSkeleton() {
        WorkbookMain.ModuleVerdict verdict = main.judgePristine("ch", List.of(red("5.1", "5.1"),
            new TestOutcome("CodecTest", "decodes", "", Status.FAILED, Set.of(), "boom")), false, false);

        assertThat(verdict.ok()).isFalse();
        assertThat(output()).contains("CodecTest.decodes tests given code and must pass");
    }

    @Test
    void anUntouchedSkeletonFailsWhenTheLearnerAskedForTheChapter() {
        WorkbookMain.ModuleVerdict verdict = main.judgePristine("ch", List.of(red("5.1", "5.1")), true, false);

        assertThat(verdict.ok()).isFalse();
        assertThat(output()).contains("start with the chapter README, exercise 5.1");
    }

    @Test
    void learnerWorkInProgressDoesNotFailAWholeRepositoryBuild() {
        WorkbookMain.ModuleVerdict verdict = main.judgeLearnerWork("ch",
            List.of(passed("5.1"), brokenTest("5.2"), red("5.3", "5.3")), List.of("Queue.java (differs)"), false);

        assertThat(verdict.ok()).isTrue();
        assertThat(verdict.state()).isEqualTo("learner");
        assertThat(output()).contains("holds YOUR WORK").contains("Queue.java (differs)")
            .contains("1 of 3 exercises done").containsPattern("5\\.1 +1/1 +passed +done")
            .containsPattern("5\\.2 +0/1 +passed +in progress").containsPattern("5\\.3 +0/1 +passed +not started");
    }

    @Test
    void learnerWorkInProgressFailsWhenTheLearnerAskedForTheChapter() {
        WorkbookMain.ModuleVerdict verdict = main.judgeLearnerWork("ch", List.of(passed("5.1"), brokenTest("5.2")),
            List.of("Queue.java (differs)"), true);

        assertThat(verdict.ok()).isFalse();
        assertThat(output()).contains("FAILED QueueTest.hangs");
    }

    @Test
    void finishedLearnerWorkPassesEvenWhenAskedFor() {
        WorkbookMain.ModuleVerdict verdict = main.judgeLearnerWork("ch", List.of(passed("5.1"), passed("")),
            List.of("Queue.java (differs)"), true);

        assertThat(verdict.ok()).isTrue();
    }

    @Test
    void aSolutionPassesOnlyWhenEveryTestPasses() {
        assertThat(main.judgeSolution("sol", List.of(passed("5.1"), passed(""))).ok()).isTrue();
        assertThat(main.judgeSolution("sol", List.of(passed("5.1"), red("5.1", "5.1"))).ok()).isFalse();
        assertThat(main.judgeSolution("sol", List.of()).ok()).as("no tests is a failure").isFalse();
    }

    @Test
    void isStrictWhenProjectsWereSelectedOrTheBuildStartedElsewhere(@TempDir Path repo) {
        String root = repo.toString();

        assertThat(WorkbookMain.isStrict(Map.of("selected", "[]", "execution-root", root), repo)).isFalse();
        assertThat(WorkbookMain.isStrict(Map.of("selected", "[chapter05-inmemory]", "execution-root", root), repo))
            .isTrue();
        assertThat(WorkbookMain.isStrict(Map.of("selected", "[]", "execution-root", root + "/chapter05-inmemory"),
            repo)).isTrue();
        assertThat(WorkbookMain.isStrict(Map.of("strict", "true", "execution-root", root), repo)).isTrue();
    }

    @Test
    void findsSourcesWithoutAClassFileAtLeastAsNewAsThey(@TempDir Path dir) throws IOException {
        Path sources = dir.resolve("src");
        Path classes = dir.resolve("classes");
        write(sources.resolve("a/Compiled.java"), "class Compiled {}");
        write(sources.resolve("a/Missing.java"), "class Missing {}");
        write(sources.resolve("a/Stale.java"), "class Stale {}");
        write(sources.resolve("a/package-info.java"), "package a;");
        write(classes.resolve("a/Compiled.class"), "");
        write(classes.resolve("a/Stale.class"), "");
        Files.setLastModifiedTime(classes.resolve("a/Stale.class"),
            java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(sources.resolve("a/Stale.java"))
                .toMillis() - 60_000));

        assertThat(WorkbookMain.uncompiled(sources, classes)).containsExactly("a/Missing.java", "a/Stale.java");
    }

    @Test
    void learnerWorkThatDoesNotCompileIsReportedAndOnlyFailsWhenAskedFor(@TempDir Path repo) throws IOException {
        write(repo.resolve("solutions/ch/src/main/java/A.java"), "class A {\n    // BEGIN EXERCISE 5.1\n"
            + "    // END EXERCISE 5.1\n}\n");
        write(repo.resolve("ch/src/main/java/A.java"), "class A { broken");

        WorkbookMain.ModuleVerdict lenient = main.judgeUncompiled("ch", repo.resolve("ch"), repo, List.of("A.java"),
            false);
        WorkbookMain.ModuleVerdict strict = main.judgeUncompiled("ch", repo.resolve("ch"), repo, List.of("A.java"),
            true);

        assertThat(lenient.ok()).isTrue();
        assertThat(strict.ok()).isFalse();
        assertThat(output()).contains("holds YOUR WORK, which does not compile yet").contains("A.java");
    }

    @Test
    void theReportSumsEveryModuleAndEndsWithTheCountLine(@TempDir Path repo) throws IOException {
        write(repo.resolve("solutions/ch/target/workbook/results.tsv"), "# role=solution state=solution verdict=ok\n"
            + "T\ta\t5.1\tPASSED\t\t\nT\tb\t\tPASSED\t\t\n");
        write(repo.resolve("ch/target/workbook/results.tsv"), "# role=exercise state=pristine verdict=ok\n"
            + "T\ta\t5.1\tFAILED\t5.1\tnot done\nT\tb\t\tPASSED\t\t\n");

        int status = main.report(Map.of("repo", repo.toString()));

        assertThat(status).isZero();
        assertThat(output()).contains("reference solutions: 2 tests pass")
            .contains("1 exercise tests confirmed red").contains("Workbook: 4 passed, 0 failed");
    }

    @Test
    void theReportCountsAContractViolationAsAFailure(@TempDir Path repo) throws IOException {
        write(repo.resolve("ch/target/workbook/results.tsv"), "# role=exercise state=pristine verdict=fail\n"
            + "T\ta\t5.1\tPASSED\t\t\n");

        assertThat(main.report(Map.of("repo", repo.toString()))).isEqualTo(1);
        assertThat(output()).contains("Workbook: 0 passed, 1 failed");
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}

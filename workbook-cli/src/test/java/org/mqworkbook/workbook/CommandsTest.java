package org.mqworkbook.workbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The commands that read and change code, on a toy chapter (no test runs: those are in WorkbookEndToEndTest). */
@Timeout(20)
class CommandsTest {
    private static final String MARKER_91 = "throw new ExerciseNotDone(\"9.1\");";

    @TempDir
    Path root;

    private ToyWorkbook toy;

    @BeforeEach
    void createWorkbook() {
        toy = ToyWorkbook.create(root);
    }

    /** The learner's first region of 9.1, solved their own way (the skeleton's line 11: its import moves it down). */
    private void startExercise91() {
        toy.edit("    public int next() {\n        // BEGIN EXERCISE 9.1\n        " + MARKER_91,
            "    public int next() {\n        // BEGIN EXERCISE 9.1\n        count += 1;\n        return count;");
    }

    private void recordPassingRun(String exercise) {
        Workbook workbook = new Workbook(root);
        ExerciseCode code = ExerciseCode.read(workbook.chapter(9));
        Progress progress = workbook.progress();
        progress.recordRun(exercise, new Progress.LastRun(3, 3, code.fingerprint(exercise)));
        progress.save();
    }

    @Test
    void statusListsEveryExerciseAndSaysWhereToStart() {
        ToyWorkbook.Result status = toy.run("", "status");

        assertThat(status.exit()).isZero();
        assertThat(status.out()).contains("Chapter 9 — Toys (玩具)", "[--------------------] 0 of 2 done",
            "not started  9.1 Counting (数数)", "not started  9.2 Naming", "Next: 9.1 Counting (数数)",
            "read:   chapter09-toy/README.md:3", "write:  chapter09-toy/src/main/java/toy/Counter.java:11",
            "(and 1 more region", "test:   ./workbook test 9.1", "stuck?  ./workbook hint 9.1");
    }

    @Test
    void withoutACommandItShowsTheStatus() {
        assertThat(toy.run("").out()).contains("your progress", "Next: 9.1");
    }

    @Test
    void anEditedExerciseIsInProgressUntilItsTestsPass() {
        startExercise91();

        assertThat(toy.run("", "status").out()).contains("in progress  9.1 Counting (数数)  · not tested yet");
    }

    @Test
    void anExerciseIsDoneWhileTheCodeItsTestsPassedOnIsThere() {
        startExercise91();
        recordPassingRun("9.1");

        assertThat(toy.run("", "status").out()).contains("done         9.1 Counting (数数)  · 3 of 3 tests pass",
            "[##########----------] 1 of 2 done", "Next: 9.2 Naming");

        toy.edit("count += 1;", "count += 2;");
        assertThat(toy.run("", "status").out())
            .contains("in progress  9.1 Counting (数数)  · changed since the last run (3 of 3 passed)");
    }

    @Test
    void hintsComeOneAtATimeAndAreRemembered() {
        assertThat(toy.run("", "hint", "9.1").out()).contains("Hint 1 of 2 for 9.1 Counting", "Add one.",
            "./workbook hint 9.1 shows hint 2").doesNotContain("Then return it.");
        assertThat(toy.run("", "hint", "9.1").out()).contains("Hint 2 of 2", "Then return it.",
            "That was the last hint");
        assertThat(toy.run("", "hint", "9.1", "1").out()).contains("Hint 1 of 2", "Add one.");
    }

    @Test
    void aHintCannotBeSkippedTo() {
        ToyWorkbook.Result skipped = toy.run("", "hint", "9.1", "2");

        assertThat(skipped.exit()).isEqualTo(WorkbookCli.TROUBLE);
        assertThat(skipped.err()).contains("9.1 has 2 hints and you have seen 0: ask for one of 1..1");
    }

    @Test
    void anExerciseWithoutHintsPointsToTheText() {
        assertThat(toy.run("", "hint", "9.2").out()).contains("There are no hints for 9.2 yet",
            "9.2 Naming — chapter09-toy/README.md:7");
    }

    @Test
    void diffKeepsTheAnswerOfAnUnfinishedExerciseHidden() {
        ToyWorkbook.Result diff = toy.run("", "diff", "9.1");

        assertThat(diff.out()).contains("9.1: not started — its diff would show the reference answer")
            .doesNotContain("count++");
    }

    @Test
    void diffWithSpoilersShowsTheReferenceAgainstYourCode() {
        startExercise91();

        ToyWorkbook.Result diff = toy.run("", "diff", "9.1", "--spoilers");

        assertThat(diff.out()).contains(
            "--- solutions/chapter09-toy/src/main/java/toy/Counter.java   (reference)",
            "+++ chapter09-toy/src/main/java/toy/Counter.java   (yours)",
            "@@ -9,2 +11,2 @@ exercise 9.1\n-        count++;\n+        count += 1;\n         return count;",
            "-        count = 0;\n+        " + MARKER_91);
    }

    @Test
    void diffOfADoneExerciseThatIsTheReferenceSaysSo() {
        toy.edit("        " + MARKER_91 + "\n", "        count++;\n        return count;\n");
        toy.edit("        " + MARKER_91 + "\n", "        count = 0;\n");
        recordPassingRun("9.1");

        assertThat(toy.run("", "diff", "9.1").out()).contains("9.1: the same as the reference, line for line.");
    }

    @Test
    void resetAsksFirstAndOnlyYesChangesAnything() {
        startExercise91();
        String before = toy.learnerCode();

        ToyWorkbook.Result answeredNo = toy.run("\n", "reset", "9.1");

        assertThat(answeredNo.out()).contains("chapter09-toy/src/main/java/toy/Counter.java", "Reset 9.1? [y/N]",
            "Nothing changed.");
        assertThat(toy.learnerCode()).isEqualTo(before);
    }

    @Test
    void resetRestoresOnlyTheRegionsOfThatExerciseAndKeepsACopy() throws Exception {
        startExercise91();
        toy.edit("throw new ExerciseNotDone(\"9.2\");", "return \"mine\";");

        ToyWorkbook.Result reset = toy.run("y\n", "reset", "9.1");

        assertThat(reset.out()).contains("Reset 9.1: 1 file restored. Your old code is in .workbook/backup/9.1-");
        assertThat(toy.learnerCode()).isEqualTo(toy.skeleton().replace("throw new ExerciseNotDone(\"9.2\");",
            "return \"mine\";"));
        try (var backups = Files.walk(root.resolve(".workbook/backup"))) {
            assertThat(backups.filter(p -> p.endsWith("toy/Counter.java")).toList()).singleElement()
                .satisfies(copy -> assertThat(Files.readString(copy)).contains("count += 1;"));
        }
    }

    @Test
    void resetWithYesDoesNotAsk() {
        startExercise91();

        assertThat(toy.run("", "reset", "9.1", "--yes").out()).doesNotContain("[y/N]").contains("Reset 9.1:");
        assertThat(toy.learnerCode()).isEqualTo(toy.skeleton());
    }

    @Test
    void resetOfAnUntouchedExerciseChangesNothing() {
        assertThat(toy.run("", "reset", "9.2").out()).contains("9.2 is already the untouched skeleton");
    }

    @Test
    void removedMarkerLinesAreExplainedByStatusAndRefusedByReset() {
        toy.edit("        // BEGIN EXERCISE 9.2\n", "");
        toy.edit("        // END EXERCISE 9.2\n", "");

        assertThat(toy.run("", "status").out()).contains("in progress  9.2 Naming  · cannot read it: "
            + "toy/Counter.java has 0 region(s) of exercise 9.2 where the skeleton has 1");
        ToyWorkbook.Result reset = toy.run("", "reset", "9.2", "--yes");
        assertThat(reset.exit()).isEqualTo(WorkbookCli.TROUBLE);
        assertThat(reset.err()).contains("cannot reset 9.2: toy/Counter.java holds 0 region(s) of exercise 9.2");
    }

    @Test
    void anUnknownExerciseIsNamedAlongWithTheOnesThatExist() {
        ToyWorkbook.Result unknown = toy.run("", "test", "9.7");

        assertThat(unknown.exit()).isEqualTo(WorkbookCli.TROUBLE);
        assertThat(unknown.err()).contains("chapter 9 has no exercise 9.7 (it has 9.1, 9.2)");
    }

    @Test
    void testingAChapterThatWasNeverBuiltSaysHowToBuildIt() {
        ToyWorkbook.Result test = toy.run("", "test", "9.1");

        assertThat(test.exit()).isEqualTo(WorkbookCli.TROUBLE);
        assertThat(test.err()).contains("chapter09-toy is not built yet", "run ./mvnw verify once");
    }

    @Test
    void runStartsTheDemoWithoutArgumentsAndTheChaptersCommandLineWithThem() {
        Chapter chapter = new Workbook(root).chapter(9);

        assertThat(RunCommand.mainClass(chapter, List.of())).isEqualTo("toy.Demo");
        assertThat(RunCommand.mainClass(chapter, List.of("server"))).isEqualTo("toy.Cli");
    }
}

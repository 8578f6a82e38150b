package org.mqworkbook.workbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.engine.SkeletonGenerator;
import picocli.CommandLine;

/**
 * The end-to-end check, on a copy of the real chapter 5 ({@link ChapterFiveCopy}): a learner
 * solves exercise 5.1 by copying the reference bodies in, and status, test, diff and reset report and do
 * the right thing — with real compilations and real test JVMs.
 */
@Timeout(120)
class WorkbookEndToEndTest {
    @TempDir
    Path root;

    private ChapterFiveCopy copy;
    private Exercise text51;

    @BeforeEach
    void copyChapterFive() {
        // The reactor builds chapter 5 before this module; run alone, this fails (never skips) until it is built.
        assertThat(ChapterFiveCopy.built()).as("chapter 5 is built (run ./mvnw verify first)").isTrue();
        copy = ChapterFiveCopy.create(root);
        text51 = ChapterText.read(root.resolve("chapter05-inmemory/README.md")).exercise("5.1");
    }

    @Test
    void aLearnerSolvesExercise51AndStatusTestDiffAndResetFollow() {
        Map<Path, String> skeleton = copy.learnerSources();
        assertThat(copy.run("", "status").out()).contains("not started  5.1", "Next: 5.1");

        copy.solve("5.1");
        assertThat(copy.run("", "status").out()).contains("in progress  5.1 A bounded blocking queue",
            "not tested yet");

        ToyWorkbook.Result test = copy.run("", "test", "5.1");
        assertThat(test.exit()).as(test.out() + test.err()).isZero();
        assertThat(test.out()).containsPattern("done +5\\.1 +(\\d+) of \\1 pass")
            .contains("5.1 is done.", "Next: 5.2");

        ToyWorkbook.Result status = copy.run("", "status");
        assertThat(status.out()).containsPattern("done +5\\.1 A bounded blocking queue.*· (\\d+) of \\1 tests pass")
            .contains("[####----------------] 1 of 5 done", "Next: 5.2");

        assertThat(copy.run("", "diff", "5.1").out()).contains("5.1: the same as the reference, line for line.");

        ToyWorkbook.Result reset = copy.run("y\n", "reset", "5.1");
        assertThat(reset.out()).contains("Reset 5.1: 1 file restored.");
        assertThat(copy.learnerSources()).as("every file byte for byte as generated").isEqualTo(skeleton);
        assertThat(copy.run("", "status").out()).contains("not started  5.1", "Next: 5.1");
    }

    @Test
    void theFirstFailureIsExplainedWithTheTestItsSectionAndTheHint() {
        copy.solve("5.1");
        copy.replaceRegionAfter(ChapterFiveCopy.QUEUE_FILE, "public boolean offer(E element) {", "5.1",
            List.of("return false; // never any space: a bug to be caught"));

        ToyWorkbook.Result test = copy.run("", "test", "5.1");

        assertThat(test.exit()).isEqualTo(WorkbookCli.TESTS_FAILED);
        assertThat(test.out()).contains("failing      5.1", "First failure: BoundedBlockingQueueTest.",
            "the test:   chapter05-inmemory/src/test/java/org/mqworkbook/inmemory/BoundedBlockingQueueTest.java:",
            "explained:  5.1 A bounded blocking queue", "chapter05-inmemory/README.md:" + text51.textLine(),
            "a hint:     ./workbook hint 5.1");
        assertThat(copy.run("", "status").out()).containsPattern("in progress  5\\.1 .*last run: \\d+ of \\d+");
    }

    @Test
    void aChangeOutsideTheExerciseRegionsIsPointedOut() {
        copy.solve("5.1");
        String source = copy.learnerSource(ChapterFiveCopy.QUEUE_FILE);
        copy.write(ChapterFiveCopy.QUEUE_FILE, source.replace("public final class BoundedBlockingQueue",
            "// a learner's note outside the regions\npublic final class BoundedBlockingQueue"));

        ToyWorkbook.Result test = copy.run("", "test", "5.1");

        assertThat(test.out()).contains("BoundedBlockingQueue.java differs from the skeleton outside its exercise "
            + "regions");
    }

    @Test
    void aCompileErrorComesFirstWithItsFileLineAndCode() {
        copy.replaceRegionAfter(ChapterFiveCopy.QUEUE_FILE, "public void put(E element)", "5.1",
            List.of("elements.addLast(elemnt);"));

        ToyWorkbook.Result test = copy.run("", "test", "5.1");

        assertThat(test.exit()).isEqualTo(WorkbookCli.TESTS_FAILED);
        assertThat(test.out()).contains("Does not compile",
            "chapter05-inmemory/src/main/java/" + ChapterFiveCopy.QUEUE_FILE + ":", "error:",
            "elements.addLast(elemnt);", "^", "no test ran");
    }

    @Test
    void watchRunsTheTestsOnEverySaveAndStopsOnQ() throws Exception {
        copy.solve("5.1");
        PipedWriter keyboard = new PipedWriter();
        BufferedReader in = new BufferedReader(new PipedReader(keyboard));
        StringWriter out = new StringWriter();
        CommandLine cli = WorkbookCli.commandLine(new Workbook(root), in);
        cli.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        cli.setOut(new PrintWriter(out, true));
        CompletableFuture<Integer> watching = CompletableFuture.supplyAsync(() -> cli.execute("watch", "5.1"));

        await("the first run's result").atMost(Duration.ofSeconds(60))
            .until(() -> out.toString().contains("watching ..."));
        copy.write(ChapterFiveCopy.QUEUE_FILE, copy.learnerSource(ChapterFiveCopy.QUEUE_FILE) + "\n");
        await("a result after the save").atMost(Duration.ofSeconds(60))
            .until(() -> out.toString().contains("BoundedBlockingQueue.java saved")
                && out.toString().contains("after the save"));
        keyboard.write("q\n");
        keyboard.flush();

        assertThat(watching.get()).isZero();
        assertThat(out.toString()).contains("stopped watching").containsPattern("done +5\\.1");
    }

    @Test
    void testSourcesNewerThanMavensTestClassesAreCompiledByTheToolItself() throws Exception {
        copy.solve("5.1");
        Path testSource = root.resolve("chapter05-inmemory/src/test/java/org/mqworkbook/inmemory/"
            + "BoundedBlockingQueueTest.java");
        Files.setLastModifiedTime(testSource, FileTime.fromMillis(System.currentTimeMillis() + 60_000)); // a git pull

        ToyWorkbook.Result test = copy.run("", "test", "5.1");

        assertThat(test.exit()).as(test.out() + test.err()).isZero();
        assertThat(root.resolve("chapter05-inmemory/target/workbook-cli/test-classes/junit-platform.properties"))
            .as("the test resources come along").exists();
    }

    @Test
    void runStartsTheChaptersCommandLineOnYourCode() {
        ToyWorkbook.Result run = copy.run("", "run", "5", "declare", "--queue", "orders", "--port", "1");

        assertThat(run.out()).contains("note: in your code 5.1, 5.2, 5.3, 5.4, 5.5 are not done yet",
            "starting your 'declare --queue orders --port 1' (chapter 5)", "error:");
        assertThat(run.exit()).as("the chapter CLI's exit code for an unreachable broker").isEqualTo(1);
    }

    @Test
    void theSkeletonIsTheGeneratorsOutput() {
        Path solution = root.resolve("solutions/chapter05-inmemory/src/main/java");

        assertThat(new SkeletonGenerator().differences(solution, copy.sources)).isEmpty();
    }
}

package org.mqworkbook.workbook;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./workbook run 5 [ARGS...] [--reference]}: starts the chapter's demo, or with arguments its
 * command line ({@code server}, {@code declare ...}, {@code produce ...}, {@code consume ...}), in a JVM of
 * its own with the terminal attached — the learner's code by default, the reference with
 * {@code --reference}. The main classes are the chapter POM's {@code workbook.demo.mainClass} and
 * {@code workbook.cli.mainClass}, the same ones {@code ./mvnw exec:java@demo} and {@code @mq} use.
 */
@Command(name = "run", description = {"Start the chapter's demo; with arguments, its command line instead:",
    "  ./workbook run 5                    the live demo",
    "  ./workbook run 5 server             a broker on 127.0.0.1:7070, until Ctrl-C",
    "  ./workbook run 5 produce --queue orders apple banana",
    "Your code by default; --reference runs the reference solution. After -- every word goes to the chapter."})
final class RunCommand implements Callable<Integer> {
    /** How long a stopped chapter JVM gets to finish on its own, and then after being asked to stop. */
    private static final long CHILD_GOODBYE_SECONDS = 3;

    @ParentCommand
    WorkbookCli cli;

    @Parameters(index = "0", paramLabel = "CHAPTER", description = "the chapter, e.g. 5")
    String chapterNumber;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "for the chapter's command line")
    List<String> args = new ArrayList<>();

    @Option(names = "--reference", description = "run the reference solution instead of your code")
    boolean reference;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Workbook workbook = cli.workbook();
        PrintWriter out = cli.out();
        Highlight highlight = cli.highlight();
        Chapter chapter = workbook.target(chapterNumber).chapter();
        List<String> command = command(workbook, chapter, out, highlight);
        if (command.isEmpty()) {
            return WorkbookCli.TESTS_FAILED;
        }
        out.println(highlight.faint("starting " + (reference ? "the reference solution's " : "your ")
            + (args.isEmpty() ? "demo" : "'" + String.join(" ", args) + "'") + " (chapter " + chapter.number() + ")"));
        out.flush();
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT);
        if (System.console() != null) {
            builder.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        } else {
            builder.redirectErrorStream(true); // not a terminal (a pipe, a test): copy it to our output below
        }
        Process process = builder.start();
        // Stopped: Ctrl-C reaches both JVMs, and the chapter's closes its broker gracefully on its own; let it
        // say goodbye before the shell's prompt comes back. A kill may reach only this JVM: then stop the
        // chapter's too, the gentle way. Once the child has exited, this hook has nothing to do.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (!process.waitFor(CHILD_GOODBYE_SECONDS, TimeUnit.SECONDS)) {
                    process.destroy();
                    process.waitFor(CHILD_GOODBYE_SECONDS, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        if (System.console() == null) {
            try (BufferedReader output = process.inputReader()) {
                output.lines().forEach(out::println);
            } catch (UncheckedIOException e) {
                // this JVM is being stopped, and stopping the chapter's closed the pipe: nothing more to copy
            }
            out.flush();
        }
        return process.waitFor();
    }

    /** The java command line, or empty (after saying why) if the learner's code does not compile. */
    List<String> command(Workbook workbook, Chapter chapter, PrintWriter out, Highlight highlight) {
        Path classes;
        if (reference) {
            classes = chapter.solutionDir().resolve("target/classes");
            if (!Files.isDirectory(classes)) {
                throw new WorkbookException("the reference solution is not built yet: run ./mvnw verify once, from the "
                    + "repository root");
            }
        } else {
            classes = chapter.workDir().resolve("classes");
            boolean regionsOnly = ExerciseCode.read(chapter).onlyRegionsChanged();
            ChapterCompiler.Result compiled = new ChapterCompiler().compile(chapter.sources(), classes,
                TestRunner.classpath(chapter, "workbook-classpath.txt"), regionsOnly);
            if (compiled.ok()) {
                compiled = TestRunner.compileTools(new ChapterCompiler(), chapter, classes,
                    TestRunner.classpath(chapter, "workbook-classpath.txt"));
            }
            if (!compiled.ok()) {
                new TestReport(workbook, out, highlight).print(new TestRun(new Target(chapter, Optional.empty()),
                    compiled.problems(), List.of(), false, Duration.ZERO, Duration.ZERO,
                    chapter.workDir().resolve("test-output.log"), List.of()));
                return List.of();
            }
            warnAboutUnfinishedExercises(workbook, chapter, out, highlight);
        }
        List<String> classpath = new ArrayList<>(List.of(classes.toString()));
        if (!reference) {
            classpath.add(TestRunner.toolClasses(chapter).toString()); // the reference's target/classes has them
        }
        classpath.addAll(TestRunner.classpath(reference ? chapter.solutionDir() : chapter.dir(),
            "workbook-classpath.txt"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString(), "-classpath", String.join(File.pathSeparator, classpath), mainClass(chapter, args)));
        command.addAll(args);
        return command;
    }

    /** The demo without arguments, the chapter's command line with them. */
    static String mainClass(Chapter chapter, List<String> args) {
        String property = args.isEmpty() ? "workbook.demo.mainClass" : "workbook.cli.mainClass";
        return pomProperty(chapter.dir().resolve("pom.xml"), property).orElseThrow(() -> new WorkbookException(
            chapter.name() + "/pom.xml names no " + property + ": this chapter has nothing to run"));
    }

    private void warnAboutUnfinishedExercises(Workbook workbook, Chapter chapter, PrintWriter out,
                                              Highlight highlight) {
        List<String> unfinished = workbook.standings(chapter).stream()
            .filter(s -> s.state() != ExerciseState.DONE).map(s -> s.exercise().id()).toList();
        if (!unfinished.isEmpty()) {
            out.println(highlight.warn("note: ") + "in your code " + String.join(", ", unfinished)
                + (unfinished.size() == 1 ? " is" : " are") + " not done yet: where the broker needs "
                + (unfinished.size() == 1 ? "it" : "them") + ", it stops with 'Exercise ... is not done yet'. "
                + "./workbook run " + chapter.number() + " --reference runs the reference.");
        }
    }

    /** A property of a POM's {@code <properties>}; the chapter POM is the one place that names its main classes. */
    static Optional<String> pomProperty(Path pom, String name) {
        if (!Files.isRegularFile(pom)) {
            return Optional.empty();
        }
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Element project = factory.newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
            for (Node section = project.getFirstChild(); section != null; section = section.getNextSibling()) {
                if (section.getNodeName().equals("properties")) {
                    for (Node p = section.getFirstChild(); p != null; p = p.getNextSibling()) {
                        if (p.getNodeName().equals(name)) {
                            return Optional.of(p.getTextContent().strip());
                        }
                    }
                }
            }
            return Optional.empty();
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new WorkbookException("cannot read " + pom + ": " + e.getMessage());
        }
    }

}

package org.mqworkbook.workbook;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ./workbook}: the learner's tool. Without a command it shows where the learner stands.
 *
 * <pre>
 *  ./workbook                  status: every chapter and exercise, and what to do next
 *  ./workbook test [5|5.3]     run the tests against your code (default: the exercise you are on)
 *  ./workbook watch [5|5.3]    re-run them on every save; Enter re-runs, q quits
 *  ./workbook hint [5.3] [N]   the next hint (or hint N)
 *  ./workbook diff [5|5.3]     your code against the reference, region by region
 *  ./workbook reset 5.3        put an exercise back to its skeleton (asks first)
 *  ./workbook run 5 [ARGS]     the chapter's demo; with ARGS its command line (server, produce, ...)
 * </pre>
 *
 * <p>Exit codes: {@value #OK} when it worked (and the tests passed), {@value #TESTS_FAILED} when tests
 * failed or the code did not compile, {@value #TROUBLE} when the tool could not do what was asked
 * (an unknown exercise, a chapter not built yet, a wrong command line).
 *
 * <p>The launcher passes the repository root as {@code -Dworkbook.root}; the current directory does not
 * matter.
 */
@Command(name = "workbook", mixinStandardHelpOptions = true, version = "workbook (MQ Workbook)",
    description = {"Your progress through the MQ Workbook, and the fast way to test an exercise.",
        "Without a command: the same as 'status'."},
    subcommands = {StatusCommand.class, TestCommand.class, WatchCommand.class, HintCommand.class,
        DiffCommand.class, ResetCommand.class, RunCommand.class, CommandLine.HelpCommand.class})
public final class WorkbookCli implements Callable<Integer> {
    /** It worked; for {@code test}, every test passed. */
    static final int OK = 0;
    /** Tests failed, or the code did not compile. */
    static final int TESTS_FAILED = 1;
    /** The tool could not do what was asked; the message says why (picocli's code for usage errors too). */
    static final int TROUBLE = 2;

    private final Workbook workbook;
    private final BufferedReader in;

    @Spec
    private CommandSpec spec;

    WorkbookCli(Workbook workbook, BufferedReader in) {
        this.workbook = workbook;
        this.in = in;
    }

    public static void main(String[] args) {
        Workbook workbook = new Workbook(root());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int status = commandLine(workbook, in).execute(args);
        System.exit(status); // a watch loop's reader thread may still wait on stdin
    }

    /** The command line, ready to {@code execute(args)}; tests set its output with {@code setOut}/{@code setErr}. */
    static CommandLine commandLine(Workbook workbook, BufferedReader in) {
        CommandLine commandLine = new CommandLine(new WorkbookCli(workbook, in));
        commandLine.getSubcommands().get("run").setUnmatchedOptionsArePositionalParams(true);
        commandLine.setExecutionExceptionHandler((e, failed, parseResult) -> {
            if (e instanceof WorkbookException || e instanceof UncheckedIOException) {
                PrintWriter err = failed.getErr();
                err.println("workbook: " + e.getMessage());
                err.flush();
                return TROUBLE;
            }
            throw e;
        });
        return commandLine;
    }

    @Override
    public Integer call() {
        StatusCommand status = new StatusCommand();
        status.cli = this;
        return status.call();
    }

    Workbook workbook() {
        return workbook;
    }

    BufferedReader in() {
        return in;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    Highlight highlight() {
        return new Highlight(spec.commandLine().getColorScheme().ansi().enabled());
    }

    /**
     * The repository root: {@code -Dworkbook.root} (the launcher sets it), else the nearest directory
     * upwards from here that holds a {@code solutions/} directory and a {@code pom.xml}.
     */
    private static Path root() {
        String property = System.getProperty("workbook.root");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        Path here = Path.of("").toAbsolutePath();
        for (Path dir = here; dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("solutions")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        return here;
    }
}

package org.mqworkbook.inmemory.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.mqworkbook.inmemory.client.BrokerClientException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code mq} command line: runs a broker, or talks to one as a client.
 *
 * <pre>
 *  mq server  [--port 7070] [--bind 127.0.0.1]                           run a broker until Ctrl-C
 *  mq declare --queue orders [--capacity N] [--visibility-timeout-ms N]
 *  mq produce --queue orders [--count N] [MESSAGE...]                    no MESSAGE: lines of stdin
 *  mq consume --queue orders [--count N] [--wait-ms N] [--no-ack] [--prefetch N]
 * </pre>
 *
 * <p>Exit codes: {@value #OK} when it worked, {@value #BROKER_ERROR} when the broker refused a request
 * or could not be reached (the error code and message are printed), {@value #USAGE} for a wrong command
 * line. Try {@code mq consume --no-ack} in one terminal, stop it with Ctrl-C, and watch the same
 * messages come back with a delivery count of 2 in the next {@code mq consume}.
 */
@Command(name = "mq", mixinStandardHelpOptions = true, version = "mq (MQ Workbook chapter 5)",
    description = "An in-memory message broker and its client (MQ Workbook, chapter 5).",
    subcommands = {ServerCommand.class, DeclareCommand.class, ProduceCommand.class, ConsumeCommand.class})
public final class MqCli implements Callable<Integer> {
    /** The command worked. */
    public static final int OK = 0;
    /** The broker refused a request, or could not be reached. */
    public static final int BROKER_ERROR = 1;
    /** The command line was wrong (picocli's own code for usage errors). */
    public static final int USAGE = CommandLine.ExitCode.USAGE;

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line, ready to {@code execute(args)}; tests may redirect its output with
     * {@code setOut}/{@code setErr} first.
     */
    public static CommandLine commandLine() {
        return reportingErrors(new CommandLine(new MqCli()), e -> e instanceof BrokerClientException refused
            && refused.code().isPresent() ? refused.code().get() + ": " + refused.getMessage() : e.getMessage());
    }

    /**
     * Makes a command line report a failed command as one line, {@code error: <what describe says>}, on
     * standard error, and exit with {@link #BROKER_ERROR}: no stack trace, which would only bury the
     * broker's message. Later chapters' command lines use it too.
     *
     * @return {@code commandLine}
     */
    public static CommandLine reportingErrors(CommandLine commandLine, Function<Exception, String> describe) {
        commandLine.setExecutionExceptionHandler((e, failed, parseResult) -> {
            PrintWriter err = failed.getErr();
            String what = describe.apply(e);
            err.println("error: " + (what != null ? what : e.toString()));
            err.flush();
            return BROKER_ERROR;
        });
        return commandLine;
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "say what to do: server, declare, produce or consume");
    }
}

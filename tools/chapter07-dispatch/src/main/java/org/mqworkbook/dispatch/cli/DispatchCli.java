package org.mqworkbook.dispatch.cli;

import java.util.concurrent.Callable;
import org.mqworkbook.inmemory.cli.MqCli;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code mq7} command line: runs chapter 7's broker, or talks to one as a client.
 *
 * <pre>
 *  mq7 server --data-dir DIR [--port 7077] [--host 127.0.0.1] [--session-timeout 10s]
 *             [--assignor range|roundrobin|sticky]                          run a broker until Ctrl-C
 *  mq7 create-topic orders --partitions 6
 *  mq7 produce orders [--key K | --key-separator :] [--tag T] [VALUE...]    no VALUE: lines of stdin
 *  mq7 consume orders [TOPIC...] --group billing [--member ID] [--filter 'a || b'] [--max N]
 *             [--idle-exit 5s]
 *  mq7 describe --group billing [--watch]
 * </pre>
 *
 * <p>Exit codes: {@value #OK} when it worked, {@value #BROKER_ERROR} when the broker refused a request
 * or could not be reached ({@code error: KIND: message} on standard error, no stack trace),
 * {@value #USAGE} for a wrong command line. Start two {@code consume} commands of one group, watch them
 * split the partitions, stop one with Ctrl-C (it leaves: the other takes over at once) or kill it with
 * {@code kill -9} (the other takes over when its session times out).
 */
@Command(name = "mq7", mixinStandardHelpOptions = true, version = "mq7 (MQ Workbook chapter 7)",
    description = "Topics, partitions and consumer groups over the network (MQ Workbook, chapter 7).",
    subcommands = {ServerCommand.class, CreateTopicCommand.class, AddPartitionsCommand.class, ProduceCommand.class,
        ConsumeCommand.class, DescribeCommand.class, ExchangeCommand.class, BindCommand.class, PublishCommand.class})
public final class DispatchCli implements Callable<Integer> {
    /** The command worked (chapter 5's exit codes). */
    public static final int OK = MqCli.OK;
    /** The broker refused a request, or could not be reached. */
    public static final int BROKER_ERROR = MqCli.BROKER_ERROR;
    /** The command line was wrong (picocli's own code for usage errors). */
    public static final int USAGE = MqCli.USAGE;

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
        CommandLine commandLine = new CommandLine(new DispatchCli());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        // A DispatchException's message already starts with its kind: "UNKNOWN_TOPIC: no topic ...". Anything
        // else (the broker unreachable, a connection that closed) has a message that says what happened.
        return MqCli.reportingErrors(commandLine, Exception::getMessage);
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "say what to do: server, create-topic, add-partitions, produce, consume, describe, exchange, bind or "
                + "publish");
    }
}

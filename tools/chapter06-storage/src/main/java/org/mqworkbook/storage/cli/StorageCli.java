package org.mqworkbook.storage.cli;

import org.mqworkbook.inmemory.cli.MqCli;
import org.mqworkbook.storage.broker.DurableBrokerMain;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Chapter 6's command line: {@code server} runs the durable broker ({@link DurableBrokerMain}); the
 * client commands ({@code declare}, {@code produce}, {@code consume}) are chapter 5's, unchanged — the
 * protocol did not change, only what the broker does with a message.
 *
 * <pre>
 * ./workbook run 6 server --data-dir /tmp/mq
 * ./workbook run 6 produce --queue orders apple banana
 * </pre>
 */
@Command(name = "mq", mixinStandardHelpOptions = true,
    description = "Chapter 6: a durable broker (server) and chapter 5's client commands.")
public final class StorageCli implements Runnable {
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new StorageCli());
        cli.addSubcommand("server", new DurableBrokerMain());
        MqCli.commandLine().getSubcommands().forEach((name, command) -> {
            if (!name.equals("server") && !cli.getSubcommands().containsKey(name)) {
                cli.addSubcommand(name, command);
            }
        });
        System.exit(cli.execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}

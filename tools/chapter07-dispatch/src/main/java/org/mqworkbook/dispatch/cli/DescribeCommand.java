package org.mqworkbook.dispatch.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.mqworkbook.dispatch.client.DispatchClient;
import org.mqworkbook.dispatch.protocol.Message;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mq7 describe}: prints a group's generation, each member's partitions, and per partition the
 * group's committed offset, the log end offset and the lag between them (Kafka's
 * {@code kafka-consumer-groups --describe} columns). With {@code --watch}
 * it asks again every 200 ms and prints the table again whenever it changed, until Ctrl-C: leave it open
 * in a terminal while consumers come and go.
 *
 * <p>Polling is the simple way and good enough for a person watching; a real broker pushes such changes
 * (Kafka's admin client polls too, RocketMQ's console refreshes a page).
 */
@Command(name = "describe", mixinStandardHelpOptions = true,
    description = "Prints a consumer group's generation, each member's partitions, and its lag per partition.")
final class DescribeCommand implements Callable<Integer> {
    private static final long WATCH_EVERY_MILLIS = 200;

    @Mixin
    ConnectionOptions connection;

    @Option(names = {"-g", "--group"}, required = true, description = "the consumer group")
    String group;

    @Option(names = {"-w", "--watch"}, description = "print again whenever the group changes, until Ctrl-C")
    boolean watch;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        try (DispatchClient client = connection.connect()) {
            Message.Group shown = client.describe(group);
            print(shown, out);
            while (watch) {
                Thread.sleep(WATCH_EVERY_MILLIS);
                Message.Group now = client.describe(group);
                if (now.generation() != shown.generation() || !now.members().equals(shown.members())
                    || !now.lags().equals(shown.lags())) {
                    print(now, out);
                    shown = now;
                }
            }
        }
        return DispatchCli.OK;
    }

    private void print(Message.Group state, PrintWriter out) {
        out.println("group " + group + " generation " + state.generation() + ": " + state.members().size()
            + (state.members().size() == 1 ? " member" : " members"));
        for (Message.Group.Member member : state.members()) {
            out.println("  " + member.id() + ": " + ConsumeCommand.partitionList(member.partitions()));
        }
        if (!state.lags().isEmpty()) {
            out.printf("  %-24s %14s %14s %10s%n", "PARTITION", "COMMITTED", "LOG-END", "LAG");
            for (Message.Group.Lag lag : state.lags()) {
                out.printf("  %-24s %14s %14d %10s%n", lag.partition(), lag.committed() < 0 ? "-" : lag.committed(),
                    lag.endOffset(), lag.lag() < 0 ? "-" : lag.lag());
            }
        }
        out.flush();
    }
}

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
 * {@code mq7 describe}: prints a group's generation and each member's partitions. With {@code --watch}
 * it asks again every 200 ms and prints the table again whenever it changed, until Ctrl-C: leave it open
 * in a terminal while consumers come and go.
 *
 * <p>Polling is the simple way and good enough for a person watching; a real broker pushes such changes
 * (Kafka's admin client polls too, RocketMQ's console refreshes a page).
 */
@Command(name = "describe", mixinStandardHelpOptions = true,
    description = "Prints a consumer group's generation and each member's partitions.")
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
                if (now.generation() != shown.generation() || !now.members().equals(shown.members())) {
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
        out.flush();
    }
}

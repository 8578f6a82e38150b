package org.mqworkbook.inmemory.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.mqworkbook.inmemory.client.BrokerClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mq produce}: publishes messages and prints each one's id. The bodies come from the command
 * line, or from standard input one line per message, so that {@code seq 100 | mq produce -q orders}
 * works.
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
    description = "Publishes messages and prints their ids. With MESSAGEs, sends --count messages cycling "
        + "through them (each once by default); with --count alone, sends 'message-1' to 'message-N'; with "
        + "neither, sends each line of standard input.")
final class ProduceCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @Option(names = {"-q", "--queue"}, required = true, description = "the queue to publish to")
    String queue;

    @Option(names = {"-n", "--count"}, description = "how many messages to send")
    Integer count;

    @Parameters(paramLabel = "MESSAGE", arity = "0..*", description = "message bodies (UTF-8)")
    List<String> messages = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        try (BrokerClient client = connection.connect()) {
            if (!messages.isEmpty() || count != null) {
                int total = count != null ? count : messages.size();
                for (int i = 0; i < total; i++) {
                    String body = messages.isEmpty()
                        ? "message-" + (i + 1)
                        : messages.get(i % messages.size());
                    publish(client, body, out);
                }
            } else {
                BufferedReader stdin =
                    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                for (String line = stdin.readLine(); line != null; line = stdin.readLine()) {
                    publish(client, line, out);
                }
            }
        }
        return MqCli.OK;
    }

    private void publish(BrokerClient client, String body, PrintWriter out) {
        long id = client.publish(queue, body.getBytes(StandardCharsets.UTF_8));
        out.println("published id=" + id + " " + body);
    }
}

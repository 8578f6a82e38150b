package org.mqworkbook.dispatch.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import org.mqworkbook.dispatch.client.DispatchClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mq7 create-topic}: creates a topic with a fixed number of partitions, or confirms that it exists
 * with that number. The count is checked by the broker, which names it when it refuses (1 to 1,024).
 */
@Command(name = "create-topic", mixinStandardHelpOptions = true,
    description = "Creates a topic. Creating it again with the same partition count is harmless; with another "
        + "count it fails, because keys would move to other partitions.")
final class CreateTopicCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "the topic's name")
    String topic;

    @Option(names = {"-p", "--partitions"}, required = true, description = "how many partitions")
    int partitions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        // No check here on purpose: the broker validates the count, and its message is the one to show.
        try (DispatchClient client = connection.connect()) {
            client.createTopic(topic, partitions);
        }
        spec.commandLine().getOut().println("created topic " + topic + " with " + partitions + " partitions");
        return DispatchCli.OK;
    }
}

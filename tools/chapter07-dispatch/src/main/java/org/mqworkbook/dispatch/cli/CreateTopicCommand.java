package org.mqworkbook.dispatch.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import org.mqworkbook.dispatch.client.DispatchClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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

    @Mixin
    TopicOptions target;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        // No check here on purpose: the broker validates the count, and its message is the one to show.
        try (DispatchClient client = connection.connect()) {
            client.createTopic(target.topic, target.partitions);
        }
        spec.commandLine().getOut().println("created topic " + target.topic + " with " + target.partitions
            + " partitions");
        return DispatchCli.OK;
    }
}

package org.mqworkbook.dispatch.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import org.mqworkbook.dispatch.client.DispatchClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code mq7 add-partitions}: grows a topic to a larger partition count, as
 * {@code kafka-topics --alter --partitions} does. Groups that read it rebalance and pick the new
 * partitions up. The broker refuses fewer partitions than the topic has: a partition is never removed.
 */
@Command(name = "add-partitions", mixinStandardHelpOptions = true,
    description = "Grows a topic to more partitions (never fewer). Keys may map to other partitions from then on.")
final class AddPartitionsCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @Mixin
    TopicOptions target;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        try (DispatchClient client = connection.connect()) {
            int now = client.addPartitions(target.topic, target.partitions);
            spec.commandLine().getOut().println("topic " + target.topic + " has " + now + " partitions");
        }
        return DispatchCli.OK;
    }
}

package org.mqworkbook.inmemory.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.mqworkbook.inmemory.QueueConfig;
import org.mqworkbook.inmemory.client.BrokerClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mq declare}: declares a queue, or checks that it exists with the same configuration. */
@Command(name = "declare", mixinStandardHelpOptions = true,
    description = "Declares a queue. Declaring it again with the same settings is harmless; with other "
        + "settings it fails with QUEUE_CONFLICT.")
final class DeclareCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @Option(names = {"-q", "--queue"}, required = true, description = "the queue's name")
    String queue;

    @Option(names = "--capacity",
        description = "the most ready messages it holds (default: ${DEFAULT-VALUE})")
    int capacity = QueueConfig.DEFAULT.capacity();

    @Option(names = "--visibility-timeout-ms",
        description = "how long a delivery may stay unacknowledged before it is redelivered "
            + "(default: ${DEFAULT-VALUE})")
    long visibilityTimeoutMs = QueueConfig.DEFAULT.visibilityTimeout().toMillis();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (BrokerClient client = connection.connect()) {
            client.declareQueue(queue, capacity, Duration.ofMillis(visibilityTimeoutMs));
        }
        spec.commandLine().getOut().println("declared queue '" + queue + "' (capacity " + capacity
            + ", visibility timeout " + visibilityTimeoutMs + " ms)");
        return MqCli.OK;
    }
}

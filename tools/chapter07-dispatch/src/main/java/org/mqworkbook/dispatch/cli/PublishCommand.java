package org.mqworkbook.dispatch.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.mqworkbook.dispatch.client.DispatchClient;
import org.mqworkbook.dispatch.topic.PartitionOffset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mq7 publish EXCHANGE VALUE --routing-key K}: publishes one record to an exchange and prints
 * where each copy went ({@code Q1-0@3}), or that no binding matched and it was dropped. A copy is on disk
 * when this returns. Read the queues with {@code mq7 consume QUEUE --group G}.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
    description = "Publishes a record to an exchange, which routes a copy to every matching queue.")
final class PublishCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @Parameters(index = "0", paramLabel = "EXCHANGE", description = "the exchange")
    String exchange;

    @Parameters(index = "1", paramLabel = "VALUE", description = "the record's value (UTF-8)")
    String value;

    @Option(names = {"-r", "--routing-key"}, description = "the routing key (default: \"\")")
    String routingKey = "";

    @Option(names = "--key", description = "the record's key (default: none)")
    String key;

    @Option(names = "--header", paramLabel = "NAME=VALUE", description = "a header for a headers exchange; "
        + "typed as bind's")
    List<String> headers;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        try (DispatchClient client = connection.connect()) {
            List<PartitionOffset> copies = client.publish(exchange, routingKey,
                HeaderArguments.parse(spec.commandLine(), headers), key == null ? null : key.getBytes(UTF_8),
                value.getBytes(UTF_8));
            PrintWriter out = spec.commandLine().getOut();
            if (copies.isEmpty()) {
                out.println("no binding of " + exchange + " matched '" + routingKey + "': dropped");
            }
            for (PartitionOffset copy : copies) {
                out.println(copy.partition() + "@" + copy.offset());
            }
        }
        return DispatchCli.OK;
    }
}

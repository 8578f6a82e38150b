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
 * {@code mq7 exchange NAME --type T}: declares a RabbitMQ-style exchange, durable, as
 * {@code rabbitmqadmin declare exchange} does; declaring it again with the same type changes nothing.
 */
@Command(name = "exchange", mixinStandardHelpOptions = true,
    description = "Declares an exchange: direct, fanout, topic or headers. Durable: it survives a restart.")
final class ExchangeCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @Parameters(paramLabel = "NAME", description = "the exchange's name")
    String name;

    @Option(names = {"-t", "--type"}, required = true, description = "direct, fanout, topic or headers")
    String type;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        try (DispatchClient client = connection.connect()) {
            boolean created = client.declareExchange(name, type);
            spec.commandLine().getOut().println((created ? "declared " : "already declared: ") + type + " exchange "
                + name);
        }
        return DispatchCli.OK;
    }
}

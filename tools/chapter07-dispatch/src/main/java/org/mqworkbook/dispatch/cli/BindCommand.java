package org.mqworkbook.dispatch.cli;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mqworkbook.dispatch.client.DispatchClient;
import org.mqworkbook.dispatch.routing.HeaderValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mq7 bind EXCHANGE QUEUE --key K} or {@code --header name=value…}: binds a queue — a topic, which
 * must exist (one partition keeps RabbitMQ's single order) — to an exchange, durably.
 */
@Command(name = "bind", mixinStandardHelpOptions = true,
    description = "Binds a queue (a topic) to an exchange: a binding key or pattern, or header arguments for a "
        + "headers exchange (x-match=any|all|any-with-x|all-with-x).")
final class BindCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @Parameters(index = "0", paramLabel = "EXCHANGE", description = "the exchange")
    String exchange;

    @Parameters(index = "1", paramLabel = "QUEUE", description = "the queue: an existing topic")
    String queue;

    @Option(names = {"-k", "--key"}, description = "the binding key (direct) or pattern (topic: * one word, "
        + "# zero or more); ignored by fanout (default: \"\")")
    String key = "";

    @Option(names = "--header", paramLabel = "NAME=VALUE", description = "a header argument, for a headers "
        + "exchange; typed: 9, 9.5, true, 'text', NAME= (any value)")
    List<String> headers;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Map<String, HeaderValue> arguments = HeaderArguments.parse(spec.commandLine(), headers);
        try (DispatchClient client = connection.connect()) {
            if (arguments.isEmpty()) {
                client.bind(exchange, queue, key);
                spec.commandLine().getOut().println("bound " + queue + " to " + exchange + " with '" + key + "'");
            } else {
                client.bindHeaders(exchange, queue, arguments);
                spec.commandLine().getOut().println("bound " + queue + " to " + exchange + " with " + arguments);
            }
        }
        return DispatchCli.OK;
    }
}

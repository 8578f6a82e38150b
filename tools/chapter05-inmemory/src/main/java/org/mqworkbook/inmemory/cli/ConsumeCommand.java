package org.mqworkbook.inmemory.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.mqworkbook.inmemory.Delivery;
import org.mqworkbook.inmemory.client.BrokerClient;
import org.mqworkbook.inmemory.protocol.Protocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mq consume}: receives messages and prints them, by long polling (pull) or, with
 * {@code --prefetch}, by subscribing (push). Each message is acknowledged after it is printed, unless
 * {@code --no-ack}: then the broker redelivers it once this connection closes (or its visibility timeout
 * passes), which is the point of the option.
 */
@Command(name = "consume", mixinStandardHelpOptions = true,
    description = "Receives messages and prints tag, message id, delivery count and body. Stops after "
        + "--count messages, or when none arrives within --wait-ms.")
final class ConsumeCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @Option(names = {"-q", "--queue"}, required = true, description = "the queue to consume from")
    String queue;

    @Option(names = {"-n", "--count"}, description = "stop after this many messages (default: no limit)")
    int count;

    @Option(names = "--wait-ms", description = "stop when no message arrives for this long (default: "
        + "${DEFAULT-VALUE}; at most " + Protocol.MAX_WAIT_MILLIS + ")")
    long waitMs = 5000;

    @Option(names = "--no-ack", description = "do not acknowledge: the messages will be delivered again")
    boolean noAck;

    @Option(names = "--prefetch", description = "subscribe (push) with this many unacknowledged deliveries "
        + "at most, instead of long polling (pull)")
    Integer prefetch;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (waitMs < 0 || waitMs > Protocol.MAX_WAIT_MILLIS) {
            throw new ParameterException(spec.commandLine(),
                "--wait-ms must be 0 to " + Protocol.MAX_WAIT_MILLIS + ", was " + waitMs);
        }
        if (prefetch != null && prefetch < 1) {
            throw new ParameterException(spec.commandLine(),
                "--prefetch must be at least 1, was " + prefetch);
        }
        try (BrokerClient client = connection.connect()) {
            int consumed = prefetch == null ? pull(client) : push(client);
            if (noAck && consumed > 0) {
                spec.commandLine().getOut().println(consumed + " message(s) left unacknowledged: the broker "
                    + "delivers them again now that this connection closes");
            }
        }
        return MqCli.OK;
    }

    /** Long-polls one message at a time. */
    private int pull(BrokerClient client) {
        int consumed = 0;
        while (count == 0 || consumed < count) {
            Optional<Delivery> delivery = client.receive(queue, Duration.ofMillis(waitMs));
            if (delivery.isEmpty()) {
                break;
            }
            handle(client, delivery.get());
            consumed++;
        }
        return consumed;
    }

    /** Subscribes and takes the pushed deliveries from a local queue, so that acks happen on this thread. */
    private int push(BrokerClient client) throws InterruptedException {
        BlockingQueue<Delivery> arrived = new LinkedBlockingQueue<>(); // bounded in effect by the prefetch
        BrokerClient.PushSubscription subscription = client.subscribe(queue, prefetch, arrived::add);
        int consumed = 0;
        while (count == 0 || consumed < count) {
            Delivery delivery = arrived.poll(waitMs, TimeUnit.MILLISECONDS);
            if (delivery == null) {
                break;
            }
            handle(client, delivery);
            consumed++;
        }
        subscription.cancel();
        return consumed;
    }

    private void handle(BrokerClient client, Delivery delivery) {
        PrintWriter out = spec.commandLine().getOut();
        out.println("tag=" + delivery.tag() + " id=" + delivery.messageId()
            + " delivery=" + delivery.deliveryCount() + (delivery.redelivered() ? " (redelivered)" : "")
            + " body=" + new String(delivery.body(), StandardCharsets.UTF_8));
        if (!noAck) {
            client.ack(queue, delivery.tag()); // after the work is done: a crash before it means redelivery
        }
    }
}

package org.mqworkbook.dispatch.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.mqworkbook.dispatch.client.DispatchClient;
import org.mqworkbook.dispatch.topic.PartitionOffset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mq7 produce}: appends records to a topic and prints where each one went, as
 * {@code orders-2@17} (partition 2 of orders, offset 17). A line is printed only once the broker has
 * answered, and the broker answers only once the record is on disk: what this command printed survives
 * a broker crash.
 *
 * <p>The values come from the command line, or from standard input one line per record, so that
 * {@code seq 100 | mq7 produce orders} works. The key picks the partition: {@code --key} gives every
 * record the same key; {@code --key-separator :} reads each value as {@code key:value}, as Kafka's console
 * producer does with {@code parse.key=true}; with neither, records have no key and go round-robin.
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
    description = "Appends records and prints partition@offset for each, once it is on disk. Values come "
        + "from the command line, or one per line from standard input.")
final class ProduceCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "the topic to produce to")
    String topic;

    @Parameters(index = "1..*", paramLabel = "VALUE", arity = "0..*", description = "record values (UTF-8)")
    List<String> values = new ArrayList<>();

    @Option(names = {"-k", "--key"}, description = "the key of every record (it picks the partition)")
    String key;

    @Option(names = "--key-separator", description = "read each value as KEY<separator>VALUE")
    String keySeparator;

    @Option(names = {"-t", "--tag"}, description = "the tag of every record, for consumers' --filter")
    String tag;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (key != null && keySeparator != null) {
            throw new ParameterException(spec.commandLine(), "give --key or --key-separator, not both");
        }
        if (keySeparator != null && keySeparator.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--key-separator must not be empty");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (DispatchClient client = connection.connect()) {
            if (!values.isEmpty()) {
                for (String value : values) {
                    produce(client, value, out);
                }
            } else {
                BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                for (String line = stdin.readLine(); line != null; line = stdin.readLine()) {
                    produce(client, line, out);
                }
            }
        }
        return DispatchCli.OK;
    }

    /** One record at a time: simple, and the printed order is the order on disk within a partition. */
    private void produce(DispatchClient client, String text, PrintWriter out) {
        String recordKey = key;
        String value = text;
        if (keySeparator != null) {
            int at = text.indexOf(keySeparator);
            if (at < 0) {
                throw new IllegalArgumentException("'" + text + "' has no key: --key-separator " + keySeparator
                    + " expects KEY" + keySeparator + "VALUE");
            }
            recordKey = text.substring(0, at);
            value = text.substring(at + keySeparator.length());
        }
        PartitionOffset appended = client.produce(topic,
            recordKey == null ? null : recordKey.getBytes(StandardCharsets.UTF_8),
            value.getBytes(StandardCharsets.UTF_8), tag);
        out.println(appended);
        out.flush();
    }
}

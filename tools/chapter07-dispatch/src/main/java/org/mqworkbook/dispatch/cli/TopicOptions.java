package org.mqworkbook.dispatch.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The topic and partition count of {@code create-topic} and {@code add-partitions}: a picocli mixin. */
final class TopicOptions {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "the topic's name")
    String topic;

    @Option(names = {"-p", "--partitions"}, required = true, description = "how many partitions it has")
    int partitions;
}

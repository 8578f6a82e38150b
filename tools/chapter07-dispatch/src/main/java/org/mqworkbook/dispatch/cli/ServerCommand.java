package org.mqworkbook.dispatch.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.mqworkbook.dispatch.broker.TopicBroker;
import org.mqworkbook.dispatch.broker.TopicBroker.BrokerConfig;
import org.mqworkbook.dispatch.partition.CooperativeStickyAssignor;
import org.mqworkbook.dispatch.partition.PartitionAssignor;
import org.mqworkbook.dispatch.partition.RangeAssignor;
import org.mqworkbook.dispatch.partition.RoundRobinAssignor;
import org.mqworkbook.dispatch.partition.StickyAssignor;
import org.mqworkbook.dispatch.server.DispatchServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mq7 server}: opens a {@link TopicBroker} on a data directory (recovering every topic found
 * there) and serves it until the process is told to stop (Ctrl-C, {@code kill}). A shutdown hook then
 * closes the server first, so that the requests already accepted are answered, and the broker second,
 * so that every log is flushed and closed.
 *
 * <p>Readiness is announced the way chapters 5 and 6 do it, with one line that scripts and tests wait
 * for: {@code broker listening on 127.0.0.1:7077 ...}. With {@code --port 0} it names the port the
 * system chose.
 */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = "Runs a broker until Ctrl-C. Topics and committed offsets are on disk and survive a restart; "
        + "group membership is in memory, and members simply join again.")
final class ServerCommand implements Callable<Integer> {
    @Option(names = "--data-dir", required = true, description = "where topics and committed offsets are stored")
    Path dataDir;

    @Option(names = "--port",
        description = "the port to listen on, 0 for any free one (default: ${DEFAULT-VALUE})")
    int port = DispatchServer.DEFAULT_PORT;

    @Option(names = "--host", description = "the address to listen on (default: ${DEFAULT-VALUE}, "
        + "this machine only: the broker has no authentication)")
    String host = "127.0.0.1";

    @Option(names = "--session-timeout", converter = DurationConverter.class,
        description = "how long a group member may stay silent before the broker removes it and rebalances "
            + "(default: 10s)")
    Duration sessionTimeout = BrokerConfig.DEFAULT_SESSION_TIMEOUT;

    @Option(names = "--assignor", converter = AssignorConverter.class,
        description = "how a group's partitions are split among its members: range, roundrobin, sticky or "
            + "cooperative-sticky, which rebalances without stopping the partitions that stay (default: range)")
    AssignorChoice assignor = AssignorChoice.RANGE;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (port < 0 || port > 0xFFFF) {
            throw new ParameterException(spec.commandLine(), "--port must be 0 to 65535, was " + port);
        }
        if (sessionTimeout.isNegative() || sessionTimeout.isZero()) {
            throw new ParameterException(spec.commandLine(), "--session-timeout must be positive, was "
                + sessionTimeout);
        }
        PrintWriter out = spec.commandLine().getOut();
        BrokerConfig config = BrokerConfig.defaults(assignor.factory).withSessionTimeout(sessionTimeout);
        TopicBroker broker = TopicBroker.open(dataDir, config, Clock.systemUTC());
        DispatchServer server;
        try {
            server = new DispatchServer(broker, host, port, 4, 1024).start();
        } catch (IOException | RuntimeException e) {
            broker.close();
            throw e;
        }
        for (Map.Entry<String, Integer> topic : broker.partitionCounts().entrySet()) {
            out.println("recovered topic " + topic.getKey() + " (" + topic.getValue() + " partitions)");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // The JVM runs shutdown hooks on Ctrl-C (SIGINT) and kill (SIGTERM), not on kill -9. A broker killed
        // hard loses nothing it acknowledged (a produce is answered only once its record is on disk), and
        // chapter 6's recovery trims whatever it had half-written.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("shutting down: answering the requests already accepted...");
            server.close();
            try {
                broker.close();
                out.println("stopped");
            } catch (IOException e) {
                out.println("closing the logs failed: " + e.getMessage());
            }
            out.flush();
            stopped.countDown();
        }, "broker-shutdown"));
        out.println("broker listening on " + host + ":" + server.port() + " (data in " + dataDir + ", session timeout "
            + DurationConverter.format(sessionTimeout) + ", "
            + assignor.name().toLowerCase(Locale.ROOT).replace('_', '-')
            + " assignor; Ctrl-C to stop)");
        out.flush();
        stopped.await();
        return DispatchCli.OK;
    }

    /** Reads an assignor by its Kafka name: {@code cooperative-sticky} as well as {@code COOPERATIVE_STICKY}. */
    static final class AssignorConverter implements CommandLine.ITypeConverter<AssignorChoice> {
        @Override
        public AssignorChoice convert(String value) {
            try {
                return AssignorChoice.valueOf(value.trim().replace('-', '_').toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not an assignor: use range, "
                    + "roundrobin, sticky or cooperative-sticky");
            }
        }
    }

    /** The assignors a broker can give its groups, by the name the command line uses. */
    enum AssignorChoice {
        /** Contiguous ranges per topic: Kafka's default before 3.0. */
        RANGE(RangeAssignor::new),
        /** One partition each in turn, across all topics. */
        ROUNDROBIN(RoundRobinAssignor::new),
        /** Balanced, and moves as few partitions as it can at a rebalance. */
        STICKY(StickyAssignor::new),
        /** Sticky, with the cooperative protocol: partitions that stay are never stopped (KIP-429). */
        COOPERATIVE_STICKY(CooperativeStickyAssignor::new);

        private final Supplier<PartitionAssignor> factory;

        AssignorChoice(Supplier<PartitionAssignor> factory) {
            this.factory = factory;
        }
    }
}

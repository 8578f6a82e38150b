package org.mqworkbook.inmemory.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.mqworkbook.inmemory.Broker;
import org.mqworkbook.inmemory.server.BrokerServer;
import org.mqworkbook.inmemory.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mq server}: runs a broker until the process is told to stop (Ctrl-C, {@code kill}), then
 * shuts it down gracefully from a shutdown hook, so that every request already accepted is answered.
 */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = "Runs a broker until Ctrl-C. Everything is in memory: stopping it loses the messages.")
final class ServerCommand implements Callable<Integer> {
    @Option(names = "--port",
        description = "the port to listen on, 0 for any free one (default: ${DEFAULT-VALUE})")
    int port = ServerConfig.DEFAULT_PORT;

    @Option(names = "--bind", description = "the address to listen on (default: ${DEFAULT-VALUE}, "
        + "this machine only: the broker has no authentication)")
    String bind = ServerConfig.DEFAULT.bindHost();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (port < 0 || port > 0xFFFF) {
            throw new ParameterException(spec.commandLine(), "--port must be 0 to 65535, was " + port);
        }
        PrintWriter out = spec.commandLine().getOut();
        BrokerServer server = new BrokerServer(new Broker(Clock.systemUTC()),
            ServerConfig.DEFAULT.bindHost(bind).port(port)).start();
        CountDownLatch stopped = new CountDownLatch(1);
        // The JVM runs shutdown hooks on Ctrl-C (SIGINT) and kill (SIGTERM), not on kill -9: a broker that
        // is killed hard cannot answer anything, which is what clients' timeouts are for.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("shutting down: answering the requests already accepted...");
            server.close();
            out.println("stopped");
            stopped.countDown();
        }, "broker-shutdown"));
        out.println("broker listening on " + bind + ":" + server.port() + " (Ctrl-C to stop)");
        stopped.await();
        return MqCli.OK;
    }
}

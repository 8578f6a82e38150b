package org.mqworkbook.storage.broker;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.mqworkbook.inmemory.server.BrokerServer;
import org.mqworkbook.inmemory.server.ServerConfig;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.LogConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The durable broker as a server: chapter 5's {@code BrokerServer} and protocol in front of a
 * {@link DurableBroker}. Chapter 5's command line ({@code MqCli declare/produce/consume}) talks to it
 * unchanged.
 *
 * <pre>
 * ./mvnw -q -pl solutions/chapter06-storage exec:exec@durable-server -Dserver.args="--data-dir /tmp/mq"
 * </pre>
 */
@Command(name = "durable-server", mixinStandardHelpOptions = true,
    description = "Run the durable broker: queues survive a restart, acknowledged messages are never lost.")
public final class DurableBrokerMain implements Callable<Integer> {
    @Option(names = "--data-dir", required = true, description = "where the queues are stored")
    Path dataDir;

    @Option(names = "--port", description = "the port to listen on, 0 for any (default: ${DEFAULT-VALUE})")
    int port = ServerConfig.DEFAULT_PORT;

    @Option(names = "--bind", description = "the address to listen on (default: ${DEFAULT-VALUE})")
    String bind = "127.0.0.1";

    @Option(names = "--checkpoint-every", description = "write the ack checkpoint after this many acks "
        + "(and every tick; default: ${DEFAULT-VALUE})")
    int checkpointEvery = 100;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DurableBrokerMain()).execute(args));
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        DurableBroker durable = DurableBroker.open(dataDir, Clock.systemUTC(), LogConfig.DEFAULT, FileOpener.REAL,
            checkpointEvery);
        durable.recoveryReport().forEach(line -> System.out.println("recovery: " + line));
        BrokerServer server = new BrokerServer(durable.broker(), ServerConfig.DEFAULT.port(port).bindHost(bind))
            .start();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "durable-broker-timer");
            t.setDaemon(true);
            return t;
        });
        AtomicBoolean reported = new AtomicBoolean();
        timer.scheduleWithFixedDelay(() -> {
            try {
                durable.tick();
            } catch (IOException | RuntimeException e) {
                if (reported.compareAndSet(false, true)) {
                    System.err.println("durable broker tick failed (reported once): " + e);
                }
            }
        }, 200, 200, TimeUnit.MILLISECONDS);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            timer.shutdown();
            try {
                durable.close();
            } catch (IOException e) {
                System.err.println("closing the storage failed: " + e.getMessage());
            }
            stopped.countDown();
        }));
        System.out.println("broker listening on " + bind + ":" + server.port() + " (data in " + dataDir + ")");
        System.out.flush();
        stopped.await();
        return 0;
    }
}

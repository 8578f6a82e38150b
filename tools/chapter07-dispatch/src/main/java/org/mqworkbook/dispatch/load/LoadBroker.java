package org.mqworkbook.dispatch.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.mqworkbook.dispatch.broker.TopicBroker;
import org.mqworkbook.dispatch.partition.StickyAssignor;
import org.mqworkbook.dispatch.server.DispatchServer;
import org.mqworkbook.dispatch.topic.Topic;

/**
 * The broker side of the load harness, in a JVM of its own so that its CPU time is not mixed with the
 * clients'. It opens a {@link TopicBroker} in {@code --data-dir}, serves it on loopback, prints
 * {@code port N}, then answers lines on its standard input: {@code stats} prints {@code syncs N} (the
 * fsyncs group commit made, over every partition of every topic), {@code stop} or the end of input closes
 * the server and the broker and prints {@code stopped}.
 *
 * <pre>
 *  java -cp ... org.mqworkbook.dispatch.load.LoadBroker --data-dir /tmp/x [--port 0]
 * </pre>
 */
public final class LoadBroker {
    private LoadBroker() {
    }

    /**
     * Runs the broker until told to stop.
     *
     * @param args {@code --data-dir DIR} (required) and {@code --port P} (0, the default, for any free port)
     */
    public static void main(String[] args) throws IOException {
        Path dir = null;
        int port = 0;
        int syncThreads = DispatchServer.DEFAULT_SYNC_THREADS;
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--data-dir")) {
                dir = Path.of(args[i + 1]);
            } else if (args[i].equals("--port")) {
                port = Integer.parseInt(args[i + 1]);
            } else if (args[i].equals("--sync-threads")) {
                syncThreads = Integer.parseInt(args[i + 1]);
            } else {
                throw new IllegalArgumentException("unknown option " + args[i]
                    + "; use --data-dir DIR [--port P] [--sync-threads N]");
            }
        }
        if (dir == null) {
            throw new IllegalArgumentException("--data-dir DIR is required");
        }
        PrintStream out = System.out;
        try (TopicBroker broker = open(dir);
             DispatchServer server = DispatchServer.onLoopback(broker, port).syncThreads(syncThreads).start()) {
            out.println("port " + server.port());
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line = in.readLine();
            while (line != null && !line.equals("stop")) {
                out.println(line.equals("stats") ? "syncs " + groupCommitSyncs(broker) : "unknown " + line);
                out.flush();
                line = in.readLine();
            }
        }
        out.println("stopped");
        out.flush();
    }

    /** The broker the harness measures: default limits, the sticky assignor, the system clock. */
    static TopicBroker open(Path dir) throws IOException {
        return TopicBroker.open(dir, TopicBroker.BrokerConfig.defaults(StickyAssignor::new), Clock.systemUTC());
    }

    /** The fsyncs group commit made for waiting producers, summed over every partition of every topic. */
    static long groupCommitSyncs(TopicBroker broker) {
        long syncs = 0;
        for (Map.Entry<String, Integer> entry : broker.partitionCounts().entrySet()) {
            Topic topic = broker.topic(entry.getKey()).orElseThrow();
            for (int p = 0; p < entry.getValue(); p++) {
                syncs += topic.log(p).groupCommitSyncs();
            }
        }
        return syncs;
    }
}

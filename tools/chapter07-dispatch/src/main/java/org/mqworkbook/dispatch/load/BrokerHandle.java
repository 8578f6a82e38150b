package org.mqworkbook.dispatch.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.mqworkbook.dispatch.broker.TopicBroker;
import org.mqworkbook.dispatch.server.DispatchServer;

/**
 * The broker a load run talks to: either a {@link LoadBroker} process started by the harness (the
 * default, so that the broker's CPU time can be told apart from the clients') or a broker in the harness's
 * own JVM ({@code --in-process}, for quick runs and the smoke test).
 */
interface BrokerHandle extends AutoCloseable {
    /** The loopback port the broker listens on. */
    int port();

    /** The fsyncs group commit has made so far, over every partition of every topic. */
    long groupCommitSyncs() throws IOException;

    /** The broker's CPU time so far, in seconds; empty when it shares the harness's JVM. */
    OptionalDouble cpuSeconds();

    /** One line on where the broker runs, for the report. */
    String description();

    @Override
    void close() throws IOException;

    /** Starts a {@link LoadBroker} in a new JVM with the harness's class path and waits for its port. */
    static BrokerHandle forked(Path dataDir, List<String> jvmOptions, int syncThreads) throws IOException {
        return Forked.start(dataDir, jvmOptions, syncThreads);
    }

    /** Opens a broker and its server in this JVM. */
    static BrokerHandle inProcess(Path dataDir, int syncThreads) throws IOException {
        TopicBroker broker = LoadBroker.open(dataDir);
        try {
            return new InProcess(broker, DispatchServer.onLoopback(broker, 0).syncThreads(syncThreads).start());
        } catch (IOException | RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    /** A broker in this JVM. */
    final class InProcess implements BrokerHandle {
        private final TopicBroker broker;
        private final DispatchServer server;

        private InProcess(TopicBroker broker, DispatchServer server) {
            this.broker = broker;
            this.server = server;
        }

        @Override
        public int port() {
            return server.port();
        }

        @Override
        public long groupCommitSyncs() {
            return LoadBroker.groupCommitSyncs(broker);
        }

        @Override
        public OptionalDouble cpuSeconds() {
            return OptionalDouble.empty();
        }

        @Override
        public String description() {
            return "in the harness's JVM (--in-process): broker and client CPU are mixed";
        }

        @Override
        public void close() throws IOException {
            server.close();
            broker.close();
        }
    }

    /** A {@link LoadBroker} process, driven through its standard input and output. */
    final class Forked implements BrokerHandle {
        private static final Duration STOP_WAIT = Duration.ofSeconds(30);

        private final Process process;
        private final BufferedReader out;
        private final PrintWriter in;
        private final int port;
        private final List<String> jvmOptions;

        private Forked(Process process, BufferedReader out, PrintWriter in, int port, List<String> jvmOptions) {
            this.process = process;
            this.jvmOptions = List.copyOf(jvmOptions);
            this.out = out;
            this.in = in;
            this.port = port;
        }

        static Forked start(Path dataDir, List<String> jvmOptions, int syncThreads) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(LoadBroker.class.getName());
            command.add("--data-dir");
            command.add(dataDir.toString());
            command.add("--sync-threads");
            command.add(Integer.toString(syncThreads));
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
            PrintWriter in = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8),
                true);
            String port = answer(out, "port ");
            if (port == null) {
                process.destroyForcibly();
                throw new IOException("the broker process did not start; see its standard error above");
            }
            return new Forked(process, out, in, Integer.parseInt(port), jvmOptions);
        }

        /**
         * The rest of the next line that starts with {@code prefix}, or null at the end of the output. Other
         * lines (the JVM's own messages, with options such as -XX:StartFlightRecording) are passed on.
         */
        private static String answer(BufferedReader out, String prefix) throws IOException {
            String line = out.readLine();
            while (line != null && !line.startsWith(prefix)) {
                System.err.println("[broker] " + line);
                line = out.readLine();
            }
            return line == null ? null : line.substring(prefix.length()).trim();
        }

        @Override
        public int port() {
            return port;
        }

        @Override
        public synchronized long groupCommitSyncs() throws IOException {
            in.println("stats");
            String syncs = answer(out, "syncs ");
            if (syncs == null) {
                throw new IOException("the broker process ended without answering stats");
            }
            return Long.parseLong(syncs);
        }

        @Override
        public OptionalDouble cpuSeconds() {
            return process.toHandle().info().totalCpuDuration()
                .map(d -> OptionalDouble.of(d.toNanos() / 1e9)).orElse(OptionalDouble.empty());
        }

        @Override
        public String description() {
            return "a separate JVM per configuration (LoadBroker, started by the harness with "
                + String.join(" ", jvmOptions) + ")";
        }

        @Override
        public synchronized void close() throws IOException {
            in.println("stop");
            try {
                if (!process.waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
                    throw new IOException("the broker process did not stop within " + STOP_WAIT + "; killed it");
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while stopping the broker process", e);
            } finally {
                in.close();
                out.close();
            }
        }
    }
}

package org.mqworkbook.dispatch.load;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.mqworkbook.dispatch.server.DispatchServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The end-to-end load harness of chapter 7: for each partition count, a fresh broker on a fresh data
 * directory, a discarded warm-up phase, then the measured phase ({@link LoadPhase}): producers pipelining
 * keyed records and a consumer group reading them back over loopback. Prints Markdown (tables, a text
 * chart, a Mermaid chart) and exits 1 if any configuration lost a message or broke a key's order.
 *
 * <pre>
 *  ./mvnw -q -o -pl solutions/chapter07-dispatch exec:exec@load                       (after an install)
 *  ./mvnw -q -o -pl solutions/chapter07-dispatch exec:exec@load -Dload.args="--partitions 1,4 --messages 50000"
 * </pre>
 *
 * <p>The broker runs in a JVM of its own ({@link LoadBroker}) unless {@code --in-process}: on a small
 * machine the clients and the broker compete for the same cores anyway, but their CPU times are then
 * reported apart. Read the ratios between configurations of one run, not the absolute figures.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
    description = "End-to-end throughput and latency of the chapter 7 broker for several partition counts.")
public final class LoadHarness implements Callable<Integer> {
    @Option(names = "--partitions", split = ",", defaultValue = "1,4,16",
        description = "partition counts to compare, each in its own configuration (default: ${DEFAULT-VALUE})")
    private List<Integer> partitions;

    @Option(names = "--sync-threads", split = ",", defaultValue = "" + DispatchServer.DEFAULT_SYNC_THREADS,
        description = "how many partitions' fsyncs the server runs at once; several values are each run with "
            + "every partition count, e.g. 1,4 to compare (default: ${DEFAULT-VALUE})")
    private List<Integer> syncThreads;

    @Option(names = "--producers", defaultValue = "4", description = "producer connections (default: ${DEFAULT-VALUE})")
    private int producers;

    @Option(names = "--consumers", defaultValue = "4",
        description = "members of the consumer group, one connection each (default: ${DEFAULT-VALUE})")
    private int consumers;

    @Option(names = "--messages", defaultValue = "200000",
        description = "messages per configuration, over all producers (default: ${DEFAULT-VALUE})")
    private int messages;

    @Option(names = "--size", defaultValue = "100", description = "value bytes per message (default: ${DEFAULT-VALUE})")
    private int size;

    @Option(names = "--keys", defaultValue = "1000", description = "distinct keys (default: ${DEFAULT-VALUE})")
    private int keys;

    @Option(names = "--window", defaultValue = "256",
        description = "unanswered produce requests per producer (default: ${DEFAULT-VALUE})")
    private int window;

    @Option(names = "--fetch-bytes", defaultValue = "262144",
        description = "bytes a consumer fetches per partition and poll (default: ${DEFAULT-VALUE})")
    private int fetchBytes;

    @Option(names = "--commit-every", defaultValue = "1",
        description = "polls that returned records between two commits of a consumer (default: ${DEFAULT-VALUE})")
    private int commitEvery;

    @Option(names = "--warmup", defaultValue = "50000",
        description = "messages of the discarded warm-up phase before each configuration (it warms the broker "
            + "JVM), 0 for none (default: ${DEFAULT-VALUE})")
    private int warmup;

    @Option(names = "--warmup-run", defaultValue = "100000",
        description = "messages of a discarded first configuration (it warms the harness's own JVM, whose "
            + "clients otherwise run slower in the first configuration than in later ones), 0 for none "
            + "(default: ${DEFAULT-VALUE})")
    private int warmupRun;

    @Option(names = "--timeout", defaultValue = "300",
        description = "seconds a phase may take before it is stopped and reported (default: ${DEFAULT-VALUE})")
    private int timeoutSeconds;

    @Option(names = "--in-process", description = "run the broker in this JVM (quick runs, tests)")
    private boolean inProcess;

    @Option(names = "--data-dir",
        description = "where to create each configuration's temporary data directory (default: the system's)")
    private Path dataParent;

    @Option(names = "--broker-jvm-options", split = " ", defaultValue = "-Xmx1g",
        description = "JVM options of the broker process (default: ${DEFAULT-VALUE})")
    private List<String> brokerJvmOptions;

    private String[] arguments = new String[0];
    private PrintStream out = System.out;

    /** Runs the harness and exits 0 if every configuration was correct, 1 if not, 2 on a usage error. */
    public static void main(String[] args) {
        LoadHarness harness = new LoadHarness();
        harness.arguments = args.clone();
        System.exit(new CommandLine(harness).execute(args));
    }

    /** Runs the harness in this thread with these arguments and returns the report it printed to {@code out}. */
    static LoadReport run(PrintStream out, String... args) throws IOException, InterruptedException {
        LoadHarness harness = new LoadHarness();
        new CommandLine(harness).parseArgs(args);
        harness.arguments = args.clone();
        harness.out = out;
        return harness.runAll();
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        return runAll().correct() ? 0 : 1;
    }

    private LoadReport runAll() throws IOException, InterruptedException {
        LoadSettings settings = new LoadSettings(producers, consumers, messages, size, keys, window, fetchBytes,
            commitEvery, Duration.ofSeconds(timeoutSeconds));
        String date = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Path probeDir = dataParent == null ? Path.of(System.getProperty("java.io.tmpdir"))
            : Files.createDirectories(dataParent);
        String disk = FsyncProbe.describe(probeDir, 50);
        List<RunResult> runs = new ArrayList<>();
        String brokerDescription = null;
        if (warmupRun > 0 && !partitions.isEmpty()) {
            out.printf(Locale.ROOT, "[load] discarded warm-up run: %d partition(s), %,d messages%n",
                partitions.get(0), warmupRun);
            runConfiguration(partitions.get(0), syncThreads.get(0), settings.withMessages(warmupRun));
        }
        for (int count : partitions) {
            for (int threads : syncThreads) {
                RunResult run = runConfiguration(count, threads, settings);
                runs.add(run);
                brokerDescription = run.broker();
            }
        }
        LoadReport report = new LoadReport(arguments.length == 0 ? "LoadHarness (all defaults)"
            : "LoadHarness " + String.join(" ", arguments), date, machine(),
            brokerDescription, disk, settings, warmup, warmupRun, runs);
        out.println();
        out.print(ReportPrinter.markdown(report));
        out.flush();
        return report;
    }

    /** One configuration on a fresh broker and data directory: the warm-up phase, then the measured phase. */
    private RunResult runConfiguration(int count, int threads, LoadSettings settings)
        throws IOException, InterruptedException {
        String loadBefore = loadAverage();
        out.printf(Locale.ROOT, "[load] %d partition(s), %d sync thread(s): warm-up %,d messages, then %,d "
            + "measured (load %s)%n", count, threads, warmup, settings.messages(), loadBefore);
        Path dir = dataParent == null ? Files.createTempDirectory("mq-load-")
            : Files.createTempDirectory(Files.createDirectories(dataParent), "mq-load-");
        try (BrokerHandle broker = inProcess ? BrokerHandle.inProcess(dir, threads)
            : BrokerHandle.forked(dir, brokerJvmOptions, threads)) {
            if (warmup > 0) {
                PhaseResult warm = LoadPhase.run(broker.port(), "warmup", "warmup-group", count,
                    settings.withMessages(warmup));
                if (!warm.correct()) {
                    out.println("[load] the warm-up was not correct: " + warm);
                }
            }
            long syncsBefore = broker.groupCommitSyncs();
            OptionalDouble brokerCpuBefore = broker.cpuSeconds();
            double harnessCpuBefore = harnessCpuSeconds();
            PhaseResult phase = LoadPhase.run(broker.port(), "load", "load-group", count, settings);
            double harnessCpu = harnessCpuSeconds() - harnessCpuBefore;
            OptionalDouble brokerCpuAfter = broker.cpuSeconds();
            OptionalDouble brokerCpu = brokerCpuBefore.isPresent() && brokerCpuAfter.isPresent()
                ? OptionalDouble.of(brokerCpuAfter.getAsDouble() - brokerCpuBefore.getAsDouble())
                : OptionalDouble.empty();
            long syncs = broker.groupCommitSyncs() - syncsBefore;
            out.printf(Locale.ROOT, "[load] %d partition(s): %,.0f msg/s produced, %,.0f msg/s consumed, "
                    + "%,d lost, %,d order violations, %,d duplicates%n", count, phase.produceRate(),
                phase.consumeRate(), phase.lost(), phase.orderViolations(), phase.duplicates());
            return new RunResult(count, threads, phase, syncs, brokerCpu, harnessCpu, loadBefore, loadAverage(),
                broker.description());
        } finally {
            deleteRecursively(dir);
        }
    }

    private static double harnessCpuSeconds() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    /** The 1-, 5- and 15-minute load averages, from /proc/loadavg where there is one. */
    static String loadAverage() {
        Path proc = Path.of("/proc/loadavg");
        try {
            if (Files.isReadable(proc)) {
                String[] fields = Files.readString(proc, StandardCharsets.US_ASCII).trim().split("\\s+");
                return fields[0] + " " + fields[1] + " " + fields[2];
            }
        } catch (IOException e) {
            // fall through to the JVM's one-minute figure
        }
        double oneMinute = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return oneMinute < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", oneMinute);
    }

    private static String machine() {
        return Runtime.getRuntime().availableProcessors() + " processors, " + System.getProperty("os.name") + " "
            + System.getProperty("os.version") + " " + System.getProperty("os.arch") + ", Java "
            + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name") + ", "
            + System.getProperty("java.vendor") + ")";
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}

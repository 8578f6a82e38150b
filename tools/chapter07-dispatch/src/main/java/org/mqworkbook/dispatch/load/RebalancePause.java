package org.mqworkbook.dispatch.load;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.mqworkbook.dispatch.broker.TopicBroker;
import org.mqworkbook.dispatch.client.ConsumedRecord;
import org.mqworkbook.dispatch.client.DispatchClient;
import org.mqworkbook.dispatch.client.GroupConsumer;
import org.mqworkbook.dispatch.partition.CooperativeStickyAssignor;
import org.mqworkbook.dispatch.partition.PartitionAssignor;
import org.mqworkbook.dispatch.partition.StickyAssignor;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.server.DispatchServer;

/**
 * How long consumption pauses when a member joins a group, eager against cooperative: the same sticky
 * assignment, with the eager protocol of exercise 7.2 and the cooperative one of 7.8. A broker in this
 * JVM serves a topic on loopback; producer threads write a steady stream (null keys, so every partition
 * gets records); N members of a group consume it with {@link GroupConsumer}; then one more member joins,
 * and for every partition the tool finds the longest gap between two consecutive records the group
 * processed, from the join until the group is stable again. A partition that no member was consuming
 * shows a gap as long as its pause. The same gap measured just before the join is the baseline: what a
 * gap is without a rebalance. Figures are per partition: the partitions that moved to the newcomer and
 * the ones that stayed where they were are reported apart.
 *
 * <pre>
 *  ./mvnw -q -pl solutions/chapter07-dispatch exec:exec@rebalance-pause -Dpause.args="--members 4 --partitions 12"
 * </pre>
 *
 * <p>Wall-clock timing of real threads, so the figures vary from run to run by tens of milliseconds; the
 * comparison is what counts, and both protocols run in the same JVM one after the other.
 */
public final class RebalancePause {
    private static final String TOPIC = "orders";
    private static final String GROUP = "billing";

    private final PrintStream out;
    private final int members;
    private final int partitions;
    private final int rounds;
    private final int rate;
    private final long workNanos;
    private final long slowNanos;

    private RebalancePause(PrintStream out, int members, int partitions, int rounds, int rate, int workMillis,
                           int slowMillis) {
        this.out = out;
        this.members = members;
        this.partitions = partitions;
        this.rounds = rounds;
        this.rate = rate;
        this.workNanos = TimeUnit.MILLISECONDS.toNanos(workMillis);
        this.slowNanos = TimeUnit.MILLISECONDS.toNanos(slowMillis);
    }

    /**
     * Runs both protocols and prints a table.
     *
     * @param args {@code --members N} (4), {@code --partitions P} (12), {@code --rounds R} (3 joins, each
     *             adding a member), {@code --rate R} (2,000 records per second), {@code --work-ms W}
     *             (100: how long, on average, a member works on each batch a poll returns — what makes it
     *             late to notice a rebalance, as real consumers are), {@code --slow-ms S} (0: if set, member
     *             m0 works that long on average instead — one slow member, which an eager rebalance makes
     *             the whole group wait for)
     */
    public static void main(String[] args) throws Exception {
        run(System.out, args);
    }

    /**
     * Runs both protocols, printing progress and the table to {@code out}; returns the table's rows.
     *
     * @throws IllegalStateException if a producer or member failed, or the group never settled
     */
    public static List<String> run(PrintStream out, String... args) throws Exception {
        Map<String, Integer> options = new HashMap<>(Map.of("--members", 4, "--partitions", 12, "--rounds", 3,
            "--rate", 2000, "--work-ms", 100, "--slow-ms", 0));
        for (int i = 0; i < args.length; i += 2) {
            if (!options.containsKey(args[i]) || i + 1 >= args.length) {
                throw new IllegalArgumentException("unknown option " + args[i]
                    + "; use --members N --partitions P --rounds R --rate RECORDS_PER_SECOND --work-ms MILLIS "
                    + "--slow-ms MILLIS");
            }
            options.put(args[i], Integer.parseInt(args[i + 1]));
        }
        RebalancePause pause = new RebalancePause(out, options.get("--members"), options.get("--partitions"),
            options.get("--rounds"), options.get("--rate"), options.get("--work-ms"), options.get("--slow-ms"));
        pause.out.printf(Locale.ROOT, "RebalancePause %s, %s, %d processors, Java %s%n", options,
            LocalDate.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.runtime.version"));
        List<String> rows = new ArrayList<>();
        rows.addAll(pause.run("eager (sticky)", StickyAssignor::new));
        rows.addAll(pause.run("cooperative-sticky", CooperativeStickyAssignor::new));
        pause.out.println();
        pause.out.println("| protocol | join | partitions moved | pause of a moved partition, median / max | "
            + "pause of a partition that stayed, median / max | gap before the join, max |");
        pause.out.println("|---|---|---|---|---|---|");
        rows.forEach(pause.out::println);
        pause.out.flush();
        return rows;
    }

    /** When each partition's records were processed: nanoTime stamps, appended by the member threads. */
    private final Map<TopicPartition, List<Long>> processedAt = new ConcurrentHashMap<>();
    /** Each member's partitions after its last poll. */
    private final Map<String, Set<TopicPartition>> owners = new ConcurrentHashMap<>();
    private volatile boolean running;
    /** The first failure of a producer or member thread: the run is void if there is one. */
    private final java.util.concurrent.atomic.AtomicReference<Exception> failure =
        new java.util.concurrent.atomic.AtomicReference<>();

    private List<String> run(String protocol, Supplier<PartitionAssignor> assignor) throws Exception {
        processedAt.clear();
        owners.clear();
        running = true;
        Path dir = Files.createTempDirectory("rebalance-pause");
        List<Thread> threads = new ArrayList<>();
        List<String> rows = new ArrayList<>();
        try (TopicBroker broker = TopicBroker.open(dir, TopicBroker.BrokerConfig.defaults(assignor),
                Clock.systemUTC());
             DispatchServer server = DispatchServer.onLoopback(broker, 0).start()) {
            try (DispatchClient admin = DispatchClient.connect("127.0.0.1", server.port())) {
                admin.createTopic(TOPIC, partitions);
            }
            for (int p = 0; p < 4; p++) {
                threads.add(start("producer-" + p, () -> produce(server.port(), rate / 4)));
            }
            int next = 0;
            for (; next < members; next++) {
                String name = "m" + next;
                threads.add(start(name, () -> consume(server.port(), name)));
            }
            awaitStable(next, Duration.ofSeconds(30));
            for (int round = 0; round < rounds; round++) {
                Map<TopicPartition, String> before = ownerOfEach();
                Thread.sleep(1_000); // a second of steady state: the baseline
                long joinedAt = System.nanoTime();
                String name = "m" + next++;
                threads.add(start(name, () -> consume(server.port(), name)));
                awaitStable(next, Duration.ofSeconds(30));
                Thread.sleep(500); // let every partition show its first records after the rebalance
                rows.add(row(protocol, next - 1, next, before, ownerOfEach(), joinedAt, System.nanoTime()));
                out.println("[pause] " + rows.get(rows.size() - 1));
            }
            stop(threads); // before the server closes, so that nobody is refused on the way out
            if (failure.get() != null) {
                throw failure.get();
            }
        } finally {
            stop(threads);
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        return rows;
    }

    private void stop(List<Thread> threads) throws InterruptedException {
        running = false;
        for (Thread thread : threads) {
            thread.join(15_000);
        }
    }

    private Thread start(String name, ThrowingRunnable body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Exception e) {
                if (running) { // failures while stopping (a connection closed under a poll) do not count
                    failure.compareAndSet(null, new IllegalStateException(name + " failed: " + e, e));
                }
            }
        }, name);
        thread.start();
        return thread;
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private void produce(int port, int perSecond) throws IOException {
        long interval = TimeUnit.SECONDS.toNanos(1) / Math.max(1, perSecond);
        try (DispatchClient client = DispatchClient.connect("127.0.0.1", port)) {
            long next = System.nanoTime();
            for (int i = 0; running; i++) {
                client.produce(TOPIC, null, ("r" + i).getBytes(UTF_8), null);
                next += interval;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait); // pacing a load generator, not waiting for an effect
                }
            }
        }
    }

    private void consume(int port, String name) throws IOException {
        Random random = new Random(name.hashCode()); // seeded: the same work durations in every run
        long mean = name.equals("m0") && slowNanos > 0 ? slowNanos : workNanos;
        try (DispatchClient client = DispatchClient.connect("127.0.0.1", port);
             GroupConsumer consumer = new GroupConsumer(client, GROUP, name, List.of(TOPIC), "*", 1 << 16)
                 .maxWait(Duration.ofMillis(100))) {
            while (running) {
                List<ConsumedRecord> records = consumer.poll();
                long now = System.nanoTime();
                for (ConsumedRecord record : records) {
                    processedAt.computeIfAbsent(record.partition(),
                        p -> Collections.synchronizedList(new ArrayList<>())).add(now);
                }
                if (!records.isEmpty()) {
                    // The application's work on the batch: between none and twice the mean, so that members
                    // drift apart as real ones do, and a rebalance has to wait for whoever is mid-batch.
                    LockSupport.parkNanos((long) (random.nextDouble() * 2 * mean));
                }
                consumer.commit();
                owners.put(name, Set.copyOf(consumer.partitions()));
            }
        }
    }

    /** Waits until the first {@code count} members together own every partition, each exactly once. */
    private void awaitStable(int count, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (owners.size() == count) {
                List<TopicPartition> all = new ArrayList<>();
                owners.values().forEach(all::addAll);
                if (all.size() == partitions && new TreeSet<>(all).size() == partitions
                    && owners.values().stream().noneMatch(Set::isEmpty)) {
                    return;
                }
            }
            Thread.sleep(20); // polling a condition in a tool: tests use Awaitility, this is the load generator
        }
        throw new IllegalStateException("the group did not settle within " + limit + ": " + owners);
    }

    private Map<TopicPartition, String> ownerOfEach() {
        Map<TopicPartition, String> owner = new HashMap<>();
        owners.forEach((member, owned) -> owned.forEach(p -> owner.put(p, member)));
        return owner;
    }

    private String row(String protocol, int before, int after, Map<TopicPartition, String> ownerBefore,
                       Map<TopicPartition, String> ownerAfter, long joinedAt, long end) {
        List<Long> moved = new ArrayList<>();
        List<Long> stayed = new ArrayList<>();
        long baseline = 0;
        for (Map.Entry<TopicPartition, List<Long>> entry : processedAt.entrySet()) {
            List<Long> stamps;
            synchronized (entry.getValue()) {
                stamps = new ArrayList<>(entry.getValue());
            }
            long gap = 0;
            long last = joinedAt;
            long gapBefore = 0;
            long lastBefore = joinedAt - TimeUnit.SECONDS.toNanos(1);
            for (long stamp : stamps) {
                if (stamp >= joinedAt - TimeUnit.SECONDS.toNanos(1) && stamp < joinedAt) {
                    gapBefore = Math.max(gapBefore, stamp - lastBefore);
                    lastBefore = stamp;
                } else if (stamp >= joinedAt && stamp <= end) {
                    gap = Math.max(gap, stamp - last);
                    last = stamp;
                }
            }
            gap = Math.max(gap, end - last); // a partition not consumed again by the end paused at least this long
            baseline = Math.max(baseline, gapBefore);
            boolean didMove = !ownerBefore.getOrDefault(entry.getKey(), "").equals(ownerAfter.get(entry.getKey()));
            (didMove ? moved : stayed).add(gap);
        }
        return String.format(Locale.ROOT, "| %s | %d → %d members | %d of %d | %s | %s | %d ms |", protocol, before,
            after, moved.size(), moved.size() + stayed.size(), medianMax(moved), medianMax(stayed),
            TimeUnit.NANOSECONDS.toMillis(baseline));
    }

    private static String medianMax(List<Long> gaps) {
        if (gaps.isEmpty()) {
            return "–";
        }
        List<Long> sorted = new ArrayList<>(gaps);
        sorted.sort(null);
        return TimeUnit.NANOSECONDS.toMillis(sorted.get(sorted.size() / 2)) + " / "
            + TimeUnit.NANOSECONDS.toMillis(sorted.get(sorted.size() - 1)) + " ms";
    }
}

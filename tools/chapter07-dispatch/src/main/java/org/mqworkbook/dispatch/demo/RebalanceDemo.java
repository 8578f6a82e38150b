package org.mqworkbook.dispatch.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.mqworkbook.dispatch.broker.TopicBroker;
import org.mqworkbook.dispatch.broker.TopicBroker.BrokerConfig;
import org.mqworkbook.dispatch.client.ConsumedRecord;
import org.mqworkbook.dispatch.client.DispatchClient;
import org.mqworkbook.dispatch.client.GroupConsumer;
import org.mqworkbook.dispatch.partition.CooperativeStickyAssignor;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.server.DispatchServer;

/**
 * Chapter 7 in about twenty seconds: one consumer group over real sockets, members joining, crashing
 * and leaving, and the broker moving partitions each time. Everything runs in this JVM (a broker on a
 * temporary directory, a server on a free port, one thread per client) so it needs nothing else.
 *
 * <ol>
 *   <li>A producer sends an order every 20 ms, keyed by customer, to topic {@code orders} (6 partitions).
 *   <li>Member A joins and owns all 6 partitions; B joins (3/3); C joins (2/2/2). The broker's groups
 *       are cooperative (exercise 7.8): at each join only the partitions that move stop, in two rounds,
 *       and the narrator says how many orders the others processed meanwhile.
 *   <li>B crashes: it stops heartbeating without a word. The broker waits for B's session to time out
 *       (3 s), then gives B's partitions to A and C, which re-read what B had not committed.
 *   <li>C leaves gracefully: it commits and says goodbye, so A takes everything at once.
 *   <li>D joins (3/3). The producer stops, the group drains the topic, and a check proves every order
 *       was processed at least once and each customer's orders in the order they were sent.
 * </ol>
 *
 * <p>After each step it prints the generation, each member's partitions and how many orders it processed.
 * {@code --fast} skips the pauses meant for people (and shortens the session to 1 s); the test uses it.
 * It exits with 0 when the story went as told and the check passed, 1 otherwise (for example while an
 * exercise is not done), saying what went wrong.
 *
 * <p>Threads: the narrator is the main thread; the producer and each member have their own, and each
 * client its own event loop. {@link #say} is synchronized so that lines do not interleave; the tally
 * is synchronized because every member records into it.
 */
public final class RebalanceDemo {
    private static final String HOST = "127.0.0.1";
    private static final String TOPIC = "orders";
    private static final String GROUP = "billing";
    private static final int PARTITIONS = 6;
    private static final int CUSTOMERS = 8;
    private static final long PRODUCE_EVERY_MILLIS = 20;
    /** How long a member that owns no partition waits between polls (its poll returns at once). */
    private static final long IDLE_POLL_MILLIS = 50;
    /** The broker's long poll: well inside the demo's shortest session (1 s with --fast). */
    private static final Duration POLL_WAIT = Duration.ofMillis(200);
    /** How long the narrator waits for anything to happen before it declares the story broken. */
    private static final Duration STEP_LIMIT = Duration.ofSeconds(15);

    private final PrintStream out;
    private final boolean fast;
    private final Duration sessionTimeout;
    private final long startNanos = System.nanoTime();
    private final Tally tally = new Tally();
    /** The first failure of any thread; the narrator stops the story when it sees one. */
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    /** The members in the group now, by name; the narrator's thread only. */
    private final Map<String, Member> members = new TreeMap<>();
    /** Every member that ever joined, for the final count; the narrator's thread only. */
    private final Map<String, Member> everyone = new TreeMap<>();
    /** The narrator's thread only. */
    private Producer producer;

    private RebalanceDemo(PrintStream out, boolean fast) {
        this.out = out;
        this.fast = fast;
        this.sessionTimeout = fast ? Duration.ofSeconds(1) : Duration.ofSeconds(3);
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.out));
    }

    /** Runs the demo, printing to {@code out}, and returns its exit status. */
    static int run(String[] args, PrintStream out) throws InterruptedException {
        boolean fast = List.of(args).contains("--fast");
        return new RebalanceDemo(out, fast).run();
    }

    private int run() throws InterruptedException {
        Path dir;
        try {
            dir = Files.createTempDirectory("rebalance-demo");
        } catch (IOException e) {
            say("cannot create a temporary directory: " + e.getMessage());
            return 1;
        }
        BrokerConfig config = BrokerConfig.defaults(CooperativeStickyAssignor::new).withSessionTimeout(sessionTimeout);
        try (TopicBroker broker = TopicBroker.open(dir, config, Clock.systemUTC());
             DispatchServer server = DispatchServer.onLoopback(broker, 0).start()) {
            say("broker listening on " + HOST + ":" + server.port() + ", data in " + dir + "; session timeout "
                + sessionTimeout.toSeconds() + " s, cooperative-sticky assignor (exercise 7.8)");
            return story(broker, server.port());
        } catch (IOException | RuntimeException e) {
            // e.g. "INTERNAL_ERROR: Exercise 7.6 is not done yet: ..." from the broker, or a step that never came
            say("the demo failed: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        } finally {
            if (producer != null) {
                producer.stop();
            }
            members.values().forEach(Member::stop);
            deleteQuietly(dir);
        }
    }

    private int story(TopicBroker broker, int port) throws IOException, InterruptedException {
        try (DispatchClient admin = DispatchClient.connect(HOST, port)) {
            admin.createTopic(TOPIC, PARTITIONS);
        }
        producer = new Producer(DispatchClient.connect(HOST, port));
        producer.thread.start();
        say("created topic " + TOPIC + " with " + PARTITIONS + " partitions; a producer sends an order every "
            + PRODUCE_EVERY_MILLIS + " ms, keyed by customer (" + CUSTOMERS + " customers)");
        pause();

        step("A joins");
        join("A", port);
        awaitSettled(broker, Set.of("A"));
        table(broker);

        step("B joins: the group rebalances cooperatively; A gives up half of its partitions and keeps "
            + "consuming the other half");
        joinCooperatively(broker, "B", port, Set.of("A", "B"));
        table(broker);

        step("C joins: two partitions each; only the two that move ever stop");
        joinCooperatively(broker, "C", port, Set.of("A", "B", "C"));
        Map<String, List<TopicPartition>> beforeCrash = broker.owners(GROUP);
        table(broker);

        step("B crashes after processing a batch, before committing it: no goodbye, no more heartbeats");
        members.get("B").crash();
        long crashedAt = System.nanoTime();
        int generation = broker.generation(GROUP);
        long lastReport = 0;
        while (broker.generation(GROUP) == generation) {
            long silentMillis = (System.nanoTime() - crashedAt) / 1_000_000;
            if (silentMillis / 1000 > lastReport) {
                lastReport = silentMillis / 1000;
                say("  B silent for " + lastReport + " s of its " + sessionTimeout.toSeconds() + " s session...");
            }
            check(silentMillis < STEP_LIMIT.toMillis(), "the broker never expelled B");
            Thread.sleep(50);
        }
        say("B missed its heartbeats: the broker expelled it after "
            + String.format("%.1f", (System.nanoTime() - crashedAt) / 1e9) + " s and rebalanced");
        members.remove("B");
        awaitSettled(broker, Set.of("A", "C"));
        Map<String, List<TopicPartition>> afterCrash = broker.owners(GROUP);
        say("B's partitions moved: " + beforeCrash.get("B").stream()
            .map(p -> p + " -> " + ownerOf(afterCrash, p)).collect(Collectors.joining(", ")));
        table(broker);

        step("C leaves gracefully: it commits, says goodbye, and the group rebalances at once");
        long leftAt = System.nanoTime();
        members.remove("C").stop();
        awaitSettled(broker, Set.of("A"));
        say("rebalanced " + (System.nanoTime() - leftAt) / 1_000_000 + " ms after C left (no session timeout)");
        table(broker);

        step("D joins");
        joinCooperatively(broker, "D", port, Set.of("A", "D"));
        table(broker);

        step("the producer stops; the group drains the topic");
        producer.stop();
        awaitCondition(tally::allConsumed, "the group did not process every order");
        table(broker);
        members.values().forEach(Member::stop);
        int verdict = verdict();
        exchanges(port);
        return verdict;
    }

    /** The same broker routes as RabbitMQ does: its tutorial 5, a topic exchange and two queues. */
    private void exchanges(int port) throws IOException, InterruptedException {
        step("the same broker routes as RabbitMQ does (tutorial 5): exchange topic_logs, queue Q1 bound with "
            + "*.orange.*, Q2 with *.*.rabbit and lazy.#");
        try (DispatchClient client = DispatchClient.connect(HOST, port)) {
            client.createTopic("Q1", 1);
            client.createTopic("Q2", 1);
            client.declareExchange("topic_logs", "topic");
            client.bind("topic_logs", "Q1", "*.orange.*");
            client.bind("topic_logs", "Q2", "*.*.rabbit");
            client.bind("topic_logs", "Q2", "lazy.#");
            for (String key : List.of("quick.orange.rabbit", "lazy.orange.elephant", "quick.orange.fox",
                "lazy.brown.fox", "lazy.pink.rabbit", "quick.brown.fox")) {
                List<String> queues = client.publish("topic_logs", key, Map.of(), null,
                        key.getBytes(StandardCharsets.UTF_8)).stream().map(copy -> copy.partition().topic())
                    .toList();
                say(String.format("  %-22s -> %s", key, queues.isEmpty() ? "(dropped: no binding matches)"
                    : String.join(", ", queues)));
            }
        }
    }

    /**
     * A member joins a cooperative group: the first round hands it nothing that someone still holds, the
     * holders give up what moves and rejoin, the second round hands it over. Says what moved, and how many
     * orders the members that were already there processed while all that happened.
     */
    private void joinCooperatively(TopicBroker broker, String name, int port, Set<String> expected)
        throws IOException, InterruptedException {
        Map<String, List<TopicPartition>> before = broker.owners(GROUP);
        Map<String, Integer> processedBefore = new TreeMap<>();
        before.keySet().forEach(member -> processedBefore.put(member, members.get(member).processed.get()));
        long joinedAt = System.nanoTime();
        join(name, port);
        awaitSettled(broker, expected);
        long millis = (System.nanoTime() - joinedAt) / 1_000_000;
        Map<String, List<TopicPartition>> after = broker.owners(GROUP);
        say(name + " got " + after.get(name).stream().map(p -> p + " (from " + ownerOf(before, p) + ")")
            .collect(Collectors.joining(", ")) + " in two rounds, " + millis + " ms");
        processedBefore.forEach((member, count) -> say("  meanwhile " + member + " kept consuming "
            + after.get(member).stream().map(TopicPartition::toString).collect(Collectors.joining(", "))
            + ": " + (members.get(member).processed.get() - count) + " orders processed during the rebalance"));
    }

    private void join(String name, int port) throws IOException {
        Member member = new Member(name, DispatchClient.connect(HOST, port));
        members.put(name, member);
        everyone.put(name, member);
        member.thread.start();
    }

    /** Waits until exactly {@code expected} are in the group and each has adopted the current generation. */
    private void awaitSettled(TopicBroker broker, Set<String> expected) throws InterruptedException {
        awaitCondition(() -> {
            try {
                int generation = broker.generation(GROUP);
                Map<String, List<TopicPartition>> owners = broker.owners(GROUP);
                Set<TopicPartition> owned = new HashSet<>();
                owners.values().forEach(owned::addAll);
                // Every partition owned: with the cooperative protocol the first round leaves the moving ones out.
                return owners.keySet().equals(expected) && owned.size() == PARTITIONS
                    && expected.stream().allMatch(name -> members.get(name).adopted == generation);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "the group never settled with members " + expected);
    }

    /** Main code, not a test: a short sleep between looks is the simple way to wait for several threads. */
    private void awaitCondition(BooleanSupplier condition, String otherwise) throws InterruptedException {
        long deadline = System.nanoTime() + STEP_LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            check(failure.get() == null, "a client failed: " + failure.get());
            check(System.nanoTime() < deadline, otherwise + " within " + STEP_LIMIT.toSeconds() + " s");
            Thread.sleep(20);
        }
        check(failure.get() == null, "a client failed: " + failure.get());
    }

    private static void check(boolean condition, String otherwise) {
        if (!condition) {
            throw new IllegalStateException(otherwise);
        }
    }

    private static String ownerOf(Map<String, List<TopicPartition>> owners, TopicPartition partition) {
        return owners.entrySet().stream().filter(e -> e.getValue().contains(partition)).map(Map.Entry::getKey)
            .findFirst().orElse("nobody");
    }

    private void table(TopicBroker broker) throws IOException, InterruptedException {
        Map<String, List<TopicPartition>> owners = broker.owners(GROUP);
        int generation = broker.generation(GROUP);
        say("generation " + generation + ": " + owners.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue().size()).collect(Collectors.joining(" ")));
        for (Map.Entry<String, List<TopicPartition>> entry : owners.entrySet()) {
            String partitions = entry.getValue().isEmpty() ? "(none)" : entry.getValue().stream()
                .map(TopicPartition::toString).collect(Collectors.joining(", "));
            say(String.format("  %-2s %-58s processed %4d", entry.getKey(), partitions,
                everyone.get(entry.getKey()).processed.get()));
        }
        pause();
    }

    private int verdict() {
        Tally.Result result = tally.result();
        say("processed by member: " + everyone.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue().processed.get()).collect(Collectors.joining(" ")));
        if (result.lost() == 0 && result.reordered().isEmpty()) {
            say("check: " + result.produced() + " orders produced, all processed at least once (" + result.repeats()
                + " twice: B's uncommitted batch, and any a rebalance caught between processing and commit), "
                + "per-key order kept for " + CUSTOMERS + " customers: nothing lost");
            return 0;
        }
        say("check FAILED: " + result.lost() + " of " + result.produced() + " orders never processed, "
            + "out of order: " + result.reordered());
        return 1;
    }

    private void step(String what) {
        say("");
        say("--- " + what);
    }

    private void pause() throws InterruptedException {
        if (!fast) {
            Thread.sleep(1500);
        }
    }

    private synchronized void say(String line) {
        out.printf("[%5.1fs] %s%n", (System.nanoTime() - startNanos) / 1e9, line);
        out.flush();
    }

    private void fail(Exception e) {
        failure.compareAndSet(null, e);
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // a temporary directory left behind is not worth failing the demo for
        }
    }

    /** Sends {@code customer-K#N}, keyed by {@code customer-K}, every 20 ms, and records what was acknowledged. */
    private final class Producer {
        private final DispatchClient client;
        private final Thread thread;
        private volatile boolean running = true;

        Producer(DispatchClient client) {
            this.client = client;
            this.thread = new Thread(this::produce, "producer");
        }

        private void produce() {
            int[] sequence = new int[CUSTOMERS];
            try {
                for (int n = 0; running; n++) {
                    int customer = n % CUSTOMERS;
                    String key = "customer-" + customer;
                    int seq = sequence[customer]++;
                    client.produce(TOPIC, key.getBytes(StandardCharsets.UTF_8),
                        (key + "#" + seq).getBytes(StandardCharsets.UTF_8), null);
                    tally.produced(key, seq); // on disk now: the group owes it to the application
                    Thread.sleep(PRODUCE_EVERY_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                fail(e);
            }
        }

        void stop() {
            running = false;
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            client.close();
        }
    }

    /**
     * One group member on its own thread: poll, process (record in the tally), commit. {@link #crash}
     * makes it stop dead, without committing or leaving; {@link #stop} makes it close politely.
     */
    private final class Member {
        private final String name;
        private final DispatchClient client;
        private final Thread thread;
        private final AtomicInteger processed = new AtomicInteger();
        /** The generation this member adopted last; written by its thread, read by the narrator. */
        private volatile int adopted = -1;
        private volatile boolean running = true;
        /** Set by the narrator: die right after processing the next records, before committing them. */
        private volatile boolean crashAfterNextBatch;
        private volatile boolean crashed;

        Member(String name, DispatchClient client) {
            this.name = name;
            this.client = client;
            this.thread = new Thread(this::consume, "member-" + name);
        }

        private void consume() {
            GroupConsumer consumer = new GroupConsumer(client, GROUP, name, List.of(TOPIC), "*", 16 * 1024)
                .maxWait(POLL_WAIT)
                .onAssignment(assignment -> {
                    adopted = assignment.generation();
                    say("  " + name + " adopted generation " + assignment.generation() + ": "
                        + assignment.partitions().size() + " partition(s)");
                });
            try {
                while (running && !crashed) {
                    List<ConsumedRecord> records = consumer.poll();
                    for (ConsumedRecord record : records) {
                        if (crashed) {
                            return; // dead in the middle of a batch: the rest was never processed
                        }
                        String value = new String(record.record().value(), StandardCharsets.UTF_8);
                        int hash = value.indexOf('#');
                        tally.consumed(value.substring(0, hash), Integer.parseInt(value.substring(hash + 1)));
                        processed.incrementAndGet();
                    }
                    if (crashed || crashAfterNextBatch && !records.isEmpty()) {
                        crashed = true;
                        return; // processed, not committed: whoever takes over processes these again
                    }
                    consumer.commit();
                    if (records.isEmpty() && consumer.partitions().isEmpty()) {
                        Thread.sleep(IDLE_POLL_MILLIS); // owns nothing: its poll returns at once
                    }
                }
                if (!crashed) {
                    consumer.close(); // commit and leave
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                fail(e);
            } finally {
                client.close(); // a crashed process's connection closes too; the broker does not watch it
            }
        }

        /** The worst moment to die: after processing a batch, before committing it. */
        void crash() throws InterruptedException {
            crashAfterNextBatch = true;
            thread.join(2000); // while its partitions stay empty there is no batch to die after: die anyway
            crashed = true;
            thread.join();
        }

        void stop() {
            running = false;
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * What was produced and what was processed, per customer: enough to check "at least once" and "per-key
     * order" without the testkit (which is test code). Methods are synchronized: the producer and every
     * member record concurrently.
     */
    private static final class Tally {
        private final Map<String, Integer> producedPerKey = new HashMap<>();
        private final Map<String, Set<Integer>> seenPerKey = new HashMap<>();
        private final Map<String, Integer> highestPerKey = new HashMap<>();
        private final List<String> reordered = new ArrayList<>();
        private int repeats;

        synchronized void produced(String key, int seq) {
            producedPerKey.merge(key, seq + 1, Math::max);
        }

        /** Only a first processing counts for order: a repeat after a rebalance necessarily goes back. */
        synchronized void consumed(String key, int seq) {
            if (!seenPerKey.computeIfAbsent(key, k -> new HashSet<>()).add(seq)) {
                repeats++;
                return;
            }
            int highest = highestPerKey.getOrDefault(key, -1);
            if (seq < highest) {
                reordered.add(key + "#" + seq + " after #" + highest);
            } else {
                highestPerKey.put(key, seq);
            }
        }

        synchronized boolean allConsumed() {
            return lost() == 0;
        }

        private int lost() {
            int lost = 0;
            for (Map.Entry<String, Integer> entry : producedPerKey.entrySet()) {
                Set<Integer> seen = seenPerKey.getOrDefault(entry.getKey(), Set.of());
                for (int seq = 0; seq < entry.getValue(); seq++) {
                    if (!seen.contains(seq)) {
                        lost++;
                    }
                }
            }
            return lost;
        }

        synchronized Result result() {
            int produced = producedPerKey.values().stream().mapToInt(Integer::intValue).sum();
            return new Result(produced, lost(), repeats, List.copyOf(reordered));
        }

        /** The verdict's numbers. */
        record Result(int produced, int lost, int repeats, List<String> reordered) {
        }
    }
}

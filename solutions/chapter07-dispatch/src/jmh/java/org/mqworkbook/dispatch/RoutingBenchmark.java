package org.mqworkbook.dispatch;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.mqworkbook.dispatch.routing.TopicPattern;
import org.mqworkbook.dispatch.routing.TopicTrie;
import org.mqworkbook.dispatch.routing.museum.ExponentialTopicTrie;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What it costs a topic exchange to route one message when 100 or 10,000 bindings are bound: the
 * exercise 7.4 {@link TopicTrie} against the naive matcher that tests every binding with
 * {@link TopicPattern#matches}.
 *
 * <pre>
 *  benchmark   per routing key
 *  ─────────   ───────────────
 *  trie        TopicTrie.match(key)                       one walk over the shared pattern prefixes
 *  trieWithout ExponentialTopicTrie.match(key)            the same walk without remembering '#' states
 *   Memory       (the failure museum's)                     (the cost of remembering, where both are fast)
 *  naive       for each binding: TopicPattern.matches     one pattern-by-key table per binding,
 *                (pattern, key) → add its queue to a set  so the work grows with the bindings
 * </pre>
 *
 * <p><b>Why.</b> The chapter claims that a trie makes routing cost depend on the routing key (its words
 * and the branches that can match them) rather than on how many bindings exist, which is why RabbitMQ
 * routes topic exchanges with a trie. This benchmark checks the claim: from 100 to 10,000 bindings the
 * naive matcher should slow down about 100 times, in step with the bindings, while the trie slows down
 * only as much as the number of branches that match the key grows (see the data below).
 *
 * <p><b>The data.</b> Patterns and keys are generated from a fixed seed, so every run and every fork
 * routes exactly the same keys over exactly the same bindings. A pattern has 3 to 5 words; each word is
 * {@code "*"} with probability 20%, {@code "#"} with 5%, otherwise one of {@link #VOCABULARY}'s 50
 * words, so that patterns share prefixes the way real ones ({@code "orders.eu.*"},
 * {@code "orders.#"}) do. Routing keys are 3 to 5 words from the same vocabulary. Each binding has its
 * own queue, so the size of the result is the number of matching bindings: with this seed, on average
 * 0.23 per key at 100 bindings (one key in five matches anything) and 67 per key at 10,000 (every key
 * matches), since 10,000 patterns over 50 words cover the wildcard branches densely. So the trie's
 * result, and the branches it walks, grow with the bindings here too, though far less than the naive
 * matcher's work. The {@link Bindings#setUp}
 * check that both matchers return the same queues for every key keeps a broken trie from being
 * measured as a fast one.
 *
 * <p><b>How to run it</b>, from the repository root (the benchmarks compile with the module's test
 * sources, so a normal build keeps them compiling; they run only when asked):
 *
 * <pre>
 * ./mvnw verify                                                # once: builds and installs everything
 * ./mvnw -q -pl solutions/chapter07-dispatch exec:exec@jmh     # runs this benchmark
 * ./mvnw -q -pl solutions/chapter07-dispatch exec:exec@jmh -Djmh.args="RoutingBenchmark -p bindings=1000"
 * </pre>
 * Standard JMH options apply: {@code -prof gc} for the allocation per route, {@code -rf json} for a
 * machine-readable result. Run nothing else heavy at the same time.
 *
 * <p><b>How to read the result.</b> The score is the average time to route one key, in nanoseconds;
 * lower is better. The {@code ±} is JMH's 99.9% confidence interval: when two intervals overlap, the run
 * does not show a difference. Compare within one run: {@code naive / trie} at the same {@code bindings}
 * is the trie's speed-up, and {@code naive(10000) / naive(100)} near 100 shows the naive matcher's
 * linear cost, while {@code trie(10000) / trie(100)} well below that shows the trie's cost tracking the
 * key instead. Absolute numbers depend on the machine; ratios travel better.
 *
 * <p>The naive matcher is deliberately the obvious one: {@link TopicPattern#matches} splits the pattern
 * and the key again for every binding. Splitting once per binding at bind time would make it a few
 * times faster, but it would still be linear in the number of bindings, which is what is measured here.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// One fork is enough for a single-threaded, allocation-light comparison whose ratios are large; a second
// fork would double the run for little. jvmArgs (not jvmArgsAppend) replaces the launching JVM's flags, so
// running this from Maven or an IDE does not carry -ea or a small -Xmx into the fork; a fixed heap keeps
// heap resizing out of the numbers.
@Fork(value = 1, jvmArgs = {"-Xms512m", "-Xmx512m"})
// Three seconds is plenty for C2 to compile the hash lookups, the recursive walk and the matcher's loops.
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
// Five one-second samples per benchmark, bindings and shape: about 2 min for the twelve combinations.
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
public class RoutingBenchmark {

    /** The words patterns and keys are made of: a small domain vocabulary, as real routing keys use. */
    static final List<String> VOCABULARY = List.of(
            "orders", "payments", "shipments", "invoices", "users", "accounts", "inventory", "prices",
            "eu", "us", "asia", "uk", "de", "fr", "jp", "br",
            "created", "updated", "deleted", "paid", "refunded", "shipped", "delivered", "cancelled",
            "failed", "retried", "info", "warn", "error", "debug", "audit", "metrics",
            "web", "mobile", "api", "batch", "partner", "internal", "gold", "silver",
            "bronze", "v1", "v2", "high", "low", "urgent", "daily", "hourly", "stock", "cart");

    /** The same seed in every run and fork, so every run routes the same keys over the same bindings. */
    static final long SEED = 20_240_707L;

    /** How many distinct routing keys a benchmark cycles through; a power of two, so the index is a mask. */
    static final int KEY_COUNT = 1024;

    /**
     * The bindings (as a trie and as a list) and the routing keys of one benchmark thread.
     *
     * <p>Confined to the benchmark thread ({@link Scope#Thread}); the fields are written only in
     * {@link #setUp()}, which JMH runs on that thread before the trial.
     */
    @State(Scope.Thread)
    public static class Bindings {
        @Param({"100", "10000"})
        int bindings;

        /**
         * {@code typical}: the patterns and keys described in the class comment. {@code hashHeavy}: every
         * pattern has two {@code #} words (the most an {@code Exchange} accepts by default) among 6 to 9
         * words, and keys have 10 to 20 words: the shape that made the walk without memory exponential.
         */
        @Param({"typical", "hashHeavy"})
        String shape;

        final TopicTrie trie = new TopicTrie();
        final ExponentialTopicTrie trieWithoutMemory = new ExponentialTopicTrie();
        final List<String> patterns = new ArrayList<>();
        final List<String> queues = new ArrayList<>();
        final String[] keys = new String[KEY_COUNT];

        /** Which key the next invocation routes; cycling keeps one lucky key from deciding the result. */
        int next;

        /** Generates the bindings and keys, then checks that the two matchers agree on every key. */
        @Setup(Level.Trial)
        public void setUp() {
            Random random = new Random(SEED);
            boolean hashHeavy = shape.equals("hashHeavy");
            for (int i = 0; i < bindings; i++) {
                String pattern = hashHeavy ? hashHeavyPattern(random) : randomPattern(random);
                String queue = "q" + i;
                patterns.add(pattern);
                queues.add(queue);
                trie.add(pattern, queue);
                trieWithoutMemory.add(pattern, queue);
            }
            for (int i = 0; i < KEY_COUNT; i++) {
                keys[i] = hashHeavy ? randomKey(random, 10 + random.nextInt(11)) : randomKey(random);
            }
            for (String key : keys) {
                Set<String> expected = naiveMatch(this, key);
                Set<String> actual = trie.match(key);
                if (!actual.equals(expected)) {
                    throw new IllegalStateException("TopicTrie routes key " + key + " to " + actual
                            + " but TopicPattern matches " + expected + " with " + bindings + " bindings");
                }
            }
        }

        String nextKey() {
            String key = keys[next];
            next = (next + 1) & (KEY_COUNT - 1);
            return key;
        }
    }

    /** 3 to 5 words, each "*" (20%), "#" (5%) or a vocabulary word (75%). */
    static String randomPattern(Random random) {
        int length = 3 + random.nextInt(3);
        StringBuilder pattern = new StringBuilder();
        for (int i = 0; i < length; i++) {
            if (i > 0) {
                pattern.append('.');
            }
            int roll = random.nextInt(100);
            if (roll < 20) {
                pattern.append(TopicPattern.ONE_WORD);
            } else if (roll < 25) {
                pattern.append(TopicPattern.ANY_WORDS);
            } else {
                pattern.append(VOCABULARY.get(random.nextInt(VOCABULARY.size())));
            }
        }
        return pattern.toString();
    }

    /** 6 to 9 words: two of them "#", the others "*" (20%) or vocabulary words. */
    static String hashHeavyPattern(Random random) {
        int length = 6 + random.nextInt(4);
        List<String> words = new ArrayList<>();
        for (int i = 0; i < length - 2; i++) {
            boolean star = random.nextInt(5) == 0;
            words.add(star ? TopicPattern.ONE_WORD : VOCABULARY.get(random.nextInt(VOCABULARY.size())));
        }
        words.add(random.nextInt(words.size() + 1), TopicPattern.ANY_WORDS);
        words.add(random.nextInt(words.size() + 1), TopicPattern.ANY_WORDS);
        return String.join(".", words);
    }

    /** 3 to 5 vocabulary words. */
    static String randomKey(Random random) {
        return randomKey(random, 3 + random.nextInt(3));
    }

    /** {@code length} vocabulary words. */
    static String randomKey(Random random, int length) {
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < length; i++) {
            if (i > 0) {
                key.append('.');
            }
            key.append(VOCABULARY.get(random.nextInt(VOCABULARY.size())));
        }
        return key.toString();
    }

    /** Tests every binding, as an exchange without a trie would; a set, as the trie's result is. */
    static Set<String> naiveMatch(Bindings state, String key) {
        Set<String> matched = new LinkedHashSet<>();
        for (int i = 0; i < state.patterns.size(); i++) {
            if (TopicPattern.matches(state.patterns.get(i), key)) {
                matched.add(state.queues.get(i));
            }
        }
        return matched;
    }

    /** Routes one key through the trie. */
    @Benchmark
    public void trie(Bindings state, Blackhole blackhole) {
        blackhole.consume(state.trie.match(state.nextKey()));
    }

    /**
     * Routes one key through the failure museum's trie that explores the same {@code #} states again: fast
     * enough with at most two {@code #} words per binding, so it shows what exploring each state once costs.
     */
    @Benchmark
    public void trieWithoutMemory(Bindings state, Blackhole blackhole) {
        blackhole.consume(state.trieWithoutMemory.match(state.nextKey()));
    }

    /** Routes one key by testing every binding. */
    @Benchmark
    public void naive(Bindings state, Blackhole blackhole) {
        blackhole.consume(naiveMatch(state, state.nextKey()));
    }
}

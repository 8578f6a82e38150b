package org.mqworkbook.dispatch.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.Seeded;

/**
 * Exercise 7.4, topic routing with {@link TopicTrie}: the table of {@link TopicCases}, then the trie
 * against the {@link TopicPattern} oracle on random patterns and keys. README section "7.4 Exchanges".
 */
@Exercise("7.4")
@Tag("7.4")
@Timeout(20)
@ExtendWith(Seeded.class)
class TopicTrieTest {
    private static final String README = "README 7.4";

    @ParameterizedTest(name = "\"{0}\" vs \"{1}\" → {2}")
    @MethodSource("org.mqworkbook.dispatch.routing.TopicCases#cases")
    void routesByTopicPatternAsRabbitMqDoes(String pattern, String routingKey, boolean expected, String why) {
        TopicTrie trie = new TopicTrie();
        trie.add(pattern, "q");
        assertThat(trie.match(routingKey).contains("q"))
            .as("a trie with only '%s' bound, routing key '%s': %s (%s)", pattern, routingKey, why, README)
            .isEqualTo(expected);
    }

    @Test
    void returnsAQueueOnceWhenSeveralOfItsPatternsMatch() {
        TopicTrie trie = new TopicTrie();
        trie.add("a.*", "q");
        trie.add("#", "q");
        trie.add("a.b", "q");
        trie.add("#.#", "q");
        assertThat(trie.match("a.b")).as("four patterns of q match 'a.b', but q holds one copy (%s)", README)
            .containsExactly("q");
    }

    @Test
    void returnsEveryQueueWhosePatternMatches() {
        TopicTrie trie = new TopicTrie();
        trie.add("*.orange.*", "Q1");
        trie.add("*.*.rabbit", "Q2");
        trie.add("lazy.#", "Q2");
        trie.add("quick.#", "Q3");
        assertThat(trie.match("quick.orange.rabbit")).as("tutorial five: all three patterns match (%s)", README)
            .containsExactlyInAnyOrder("Q1", "Q2", "Q3");
        assertThat(trie.match("lazy.pink.rabbit")).as("tutorial five: Q2 matches twice but is returned once (%s)",
            README).containsExactly("Q2");
        assertThat(trie.match("orange")).as("no pattern matches: an empty set, not an error (%s)", README).isEmpty();
    }

    @Test
    void aRoutingKeyWordThatIsLiterallyAStarOrAHashIsJustAWord() {
        TopicTrie trie = new TopicTrie();
        trie.add("a.b", "Q-ab");
        trie.add("a.*", "Q-astar");
        trie.add("a.#", "Q-ahash");
        assertThat(trie.match("a.*")).as("the key word \"*\" is a word like any other: it matches the patterns "
            + "'a.*' and 'a.#', not the literal 'a.b' (%s)", README).containsExactlyInAnyOrder("Q-astar", "Q-ahash");
        assertThat(trie.match("a.#")).as("nor does a key word \"#\" stand for anything (%s)", README)
            .containsExactlyInAnyOrder("Q-astar", "Q-ahash");
    }

    @Test
    void agreesWithTheNaiveMatcherOnRandomPatternsAndKeys(Random random) {
        List<String> patterns = new ArrayList<>();
        TopicTrie trie = new TopicTrie();
        for (int i = 0; i < 60; i++) {
            String pattern = randomKey(random, new String[] {"a", "b", "", "*", "#"});
            patterns.add(pattern);
            trie.add(pattern, "q" + i);
        }
        for (int k = 0; k < 300; k++) {
            String key = randomKey(random, new String[] {"a", "b", "", "c", "*", "#"});
            Set<String> expected = new LinkedHashSet<>();
            for (int i = 0; i < patterns.size(); i++) {
                if (TopicPattern.matches(patterns.get(i), key)) {
                    expected.add("q" + i);
                }
            }
            assertThat(trie.match(key))
                .as("routing key '%s' against the patterns %s: the trie must return exactly the queues whose "
                    + "pattern TopicPattern.matches (%s)", key, patterns, README)
                .containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void matchesInPolynomialTimeWhateverTheNumberOfHashWords() {
        TopicTrie trie = new TopicTrie();
        List<String> patterns = List.of("#.#.#.#.#.#.#.#.#.#.#.#", "#.a.#.a.#.a.#.a.#.a.#.b", "*.#.*.#.*.#.*.#.*.#.z",
            "a.#.#.#.#.#.#.#.#.#.#.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.c");
        for (int i = 0; i < patterns.size(); i++) {
            trie.add(patterns.get(i), "q" + i);
        }
        List<String> keys = List.of(words(25, "a"), words(30, "a"), words(29, "a") + ".b", words(29, "a") + ".z",
            words(28, "a") + ".c");
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (String key : keys) {
                Set<String> expected = new LinkedHashSet<>();
                for (int i = 0; i < patterns.size(); i++) {
                    if (TopicPattern.matches(patterns.get(i), key)) {
                        expected.add("q" + i);
                    }
                }
                assertThat(trie.match(key)).as("routing a %d-word key over patterns with up to twelve '#' words "
                    + "(%s)", TopicPattern.words(key).size(), README).containsExactlyInAnyOrderElementsOf(expected);
            }
        }, () -> "matching 30-word keys against bindings with many '#' words took more than 5 s: the walk explores "
            + "the same ('#' node, next word) state again and again, which is exponential in the '#' words; explore "
            + "each state once (" + README + ", \"Why a walk must remember where it has been\"; "
            + "./workbook hint 7.4)");
    }

    @Test
    void agreesWithTheNaiveMatcherOnRandomHashHeavyPatterns(Random random) {
        List<String> patterns = new ArrayList<>();
        TopicTrie trie = new TopicTrie();
        for (int i = 0; i < 40; i++) {
            String pattern = randomKey(random, new String[] {"a", "b", "*", "#", "#", "#"}, 9);
            patterns.add(pattern);
            trie.add(pattern, "q" + i);
        }
        for (int k = 0; k < 300; k++) {
            String key = randomKey(random, new String[] {"a", "b", ""}, 13);
            Set<String> expected = new LinkedHashSet<>();
            for (int i = 0; i < patterns.size(); i++) {
                if (TopicPattern.matches(patterns.get(i), key)) {
                    expected.add("q" + i);
                }
            }
            assertThat(trie.match(key))
                .as("routing key '%s' against patterns of up to 8 words, half of them '#' %s: the trie must "
                    + "return exactly the queues whose pattern TopicPattern.matches (%s)", key, patterns, README)
                .containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    /** {@code count} copies of {@code word}, joined with dots. */
    private static String words(int count, String word) {
        return String.join(".", Collections.nCopies(count, word));
    }

    /** 0 to 4 words drawn from {@code alphabet}, joined with dots. */
    private static String randomKey(Random random, String[] alphabet) {
        return randomKey(random, alphabet, 5);
    }

    /** 0 to {@code bound - 1} words drawn from {@code alphabet}, joined with dots. */
    private static String randomKey(Random random, String[] alphabet, int bound) {
        int count = random.nextInt(bound);
        List<String> words = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            words.add(alphabet[random.nextInt(alphabet.length)]);
        }
        return String.join(".", words);
    }
}

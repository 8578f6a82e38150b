package org.mqworkbook.dispatch.routing;

import java.util.Arrays;
import java.util.List;

/**
 * Topic matching as AMQP 0-9-1 and RabbitMQ define it, written the slow and obvious way: one pattern
 * against one routing key. Given code: {@link TopicTrie} is the exercise, and the tests use this class as
 * an oracle for it; a JMH benchmark compares the two when thousands of patterns are bound.
 *
 * <p>The rules, with RabbitMQ's implementation ({@code rabbit_db_topic_exchange:split_topic_key}) as
 * the authority where the documentation is silent:
 * <ul>
 *   <li>A key is a list of words separated by dots. {@code *} and {@code #} are special only as whole
 *       words: {@code "a*"} is an ordinary word.</li>
 *   <li>{@code *} matches exactly one word; {@code #} matches zero or more words.</li>
 *   <li>Empty words are words: {@code "a..b"} has three words, the middle one empty, and {@code "a."}
 *       has two. {@code "*"} matches the empty word, so {@code "a.*.b"} matches {@code "a..b"}.</li>
 *   <li>The empty string has <em>zero</em> words, not one empty word: RabbitMQ's
 *       {@code split_topic_key(<<>>)} returns {@code []}. So {@code "#"} matches {@code ""} but
 *       {@code "*"} does not, and {@code "."} (two empty words) is a different key from {@code ""}.</li>
 * </ul>
 *
 * <p>This class has no state and is thread-safe.
 */
public final class TopicPattern {
    /** The wildcard for exactly one word. */
    public static final String ONE_WORD = "*";
    /** The wildcard for zero or more words. */
    public static final String ANY_WORDS = "#";

    private TopicPattern() {
    }

    /**
     * The words of a routing key or binding pattern: {@code "a..b"} is {@code [a, "", b]}, {@code ""} is
     * {@code []} (see the class comment for why).
     */
    public static List<String> words(String key) {
        if (key.isEmpty()) {
            return List.of();
        }
        // limit -1 keeps trailing empty words: "a." is [a, ""], as RabbitMQ splits it.
        return Arrays.asList(key.split("\\.", -1));
    }

    /** Whether {@code routingKey} matches the binding {@code pattern}. */
    public static boolean matches(String pattern, String routingKey) {
        List<String> p = words(pattern);
        List<String> k = words(routingKey);
        // matched[i][j]: the pattern's words from i on match the key's words from j on. Filled from the
        // end, so each cell is computed once: O(pattern × key) where naive recursion on "#.#.#" is
        // exponential.
        boolean[][] matched = new boolean[p.size() + 1][k.size() + 1];
        matched[p.size()][k.size()] = true;
        for (int i = p.size() - 1; i >= 0; i--) {
            String word = p.get(i);
            for (int j = k.size(); j >= 0; j--) {
                boolean keyLeft = j < k.size();
                if (word.equals(ANY_WORDS)) {
                    // # takes no word here, or takes the key's word j and may take more.
                    matched[i][j] = matched[i + 1][j] || (keyLeft && matched[i][j + 1]);
                } else if (word.equals(ONE_WORD)) {
                    matched[i][j] = keyLeft && matched[i + 1][j + 1];
                } else {
                    matched[i][j] = keyLeft && word.equals(k.get(j)) && matched[i + 1][j + 1];
                }
            }
        }
        return matched[0][0];
    }
}

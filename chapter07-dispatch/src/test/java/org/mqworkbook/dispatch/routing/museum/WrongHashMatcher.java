package org.mqworkbook.dispatch.routing.museum;

import java.util.List;

/**
 * Exhibit: a topic matcher whose {@code #} matches <em>one</em> or more words instead of zero or more.
 * It is the classic mistake of reading {@code #} as "like {@code *}, but greedy", and it passes the
 * obvious tests ({@code "lazy.#"} against {@code "lazy.orange.rabbit"}) while silently dropping
 * {@code "lazy"} itself, and {@code "#"} no longer matches the empty routing key. RabbitMQ's tutorial
 * five says {@code #} "can substitute for zero or more words".
 *
 * <p>Everything else is right (word splitting as RabbitMQ does it, {@code *} as exactly one word), so
 * that the table shows exactly the cases where zero matters. This class has no state and is
 * thread-safe.
 */
final class WrongHashMatcher {
    private WrongHashMatcher() {
    }

    static boolean matches(String pattern, String routingKey) {
        return matches(words(pattern), 0, words(routingKey), 0);
    }

    private static List<String> words(String key) {
        return key.isEmpty() ? List.of() : List.of(key.split("\\.", -1));
    }

    private static boolean matches(List<String> pattern, int i, List<String> key, int j) {
        if (i == pattern.size()) {
            return j == key.size();
        }
        String word = pattern.get(i);
        if (word.equals("#")) {
            // THE BUG: skip starts at 1, so # must take at least one word. It should start at 0.
            for (int skip = 1; j + skip <= key.size(); skip++) {
                if (matches(pattern, i + 1, key, j + skip)) {
                    return true;
                }
            }
            return false;
        }
        if (j == key.size()) {
            return false;
        }
        boolean wordMatches = word.equals("*") || word.equals(key.get(j));
        return wordMatches && matches(pattern, i + 1, key, j + 1);
    }
}

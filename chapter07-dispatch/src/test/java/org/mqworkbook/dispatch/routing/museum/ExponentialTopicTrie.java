package org.mqworkbook.dispatch.routing.museum;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Exhibit: a topic trie that gives the right answer and can take hours to give it. At a {@code #} node
 * it tries every count of words the {@code #} might take, and walks the rest of the trie again for each;
 * nothing remembers that a state ({@code #} node, next word) was already explored. Under
 * {@code "#.#.#"} the three {@code #}s can split a key's words between them in many ways, and the walk
 * visits every split: about C(n + k, k) steps for k {@code #} words and an n-word key, so one binding
 * {@code "#.#.#.#.#.#.#.#.#.#.#.#"} against a 25-word key is C(37, 12) ≈ 1.9 billion walks, and because
 * an exchange routes one message at a time, every publisher of the exchange waits behind it. It was
 * the workbook's own reference walk until a review fed it such a binding; RabbitMQ memoised its trie walk
 * and capped {@code #} words in 2026 for the same reason.
 *
 * <p>It counts its steps so that the museum test can show the growth without timing anything. It is public
 * for the routing benchmark, which measures what remembering costs where the walk without memory is still
 * fast (two {@code #} words per binding at most). Word rules are {@code TopicPattern}'s. Not thread-safe:
 * one thread builds and matches.
 */
public final class ExponentialTopicTrie {
    private static final class Node {
        final Map<String, Node> children = new HashMap<>();
        final Set<String> queues = new LinkedHashSet<>();
    }

    private final Node root = new Node();
    private long steps;

    public void add(String pattern, String queue) {
        Node node = root;
        for (String word : words(pattern)) {
            node = node.children.computeIfAbsent(word, w -> new Node());
        }
        node.queues.add(queue);
    }

    public Set<String> match(String routingKey) {
        Set<String> queues = new LinkedHashSet<>();
        walk(root, words(routingKey), 0, queues);
        return queues;
    }

    /** How many nodes the walks so far have entered. */
    long steps() {
        return steps;
    }

    private void walk(Node node, List<String> words, int next, Set<String> queues) {
        steps++;
        Node any = node.children.get("#");
        if (any != null) {
            // THE BUG: every count of words for this '#', each walked in full, whether or not an earlier
            // walk already reached the same '#' node with the same words left.
            for (int skip = next; skip <= words.size(); skip++) {
                walk(any, words, skip, queues);
            }
        }
        if (next == words.size()) {
            queues.addAll(node.queues);
            return;
        }
        Node literal = node.children.get(words.get(next));
        if (literal != null && literal != any) {
            walk(literal, words, next + 1, queues);
        }
        Node one = node.children.get("*");
        if (one != null && one != literal) {
            walk(one, words, next + 1, queues);
        }
    }

    private static List<String> words(String key) {
        return key.isEmpty() ? List.of() : List.of(key.split("\\.", -1));
    }
}

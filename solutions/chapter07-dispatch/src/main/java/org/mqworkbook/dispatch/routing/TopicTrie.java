package org.mqworkbook.dispatch.routing;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The bindings of a topic exchange as a trie of pattern words (exercise 7.4). Binding
 * {@code "*.orange.*"} to queue Q1 and {@code "lazy.#"} to Q2 gives
 * <pre>
 *  root ─ "*" ─ "orange" ─ "*"  {Q1}
 *       └ "lazy" ─ "#"  {Q2}
 * </pre>
 * Matching walks the routing key's words from the root, following at each node up to three edges: the
 * literal word, {@code "*"} (consumes one word) and {@code "#"} (consumes zero or more). Patterns that
 * share a prefix share nodes, so one walk tests all of them at once: the cost grows with the number of
 * distinct paths the key can take, not with the number of bindings, which is why RabbitMQ routes topic
 * exchanges this way ({@code rabbit_db_topic_exchange}, {@code trie_match}) instead of testing every
 * binding as {@link TopicPattern#matches} would.
 *
 * <p>Word rules are {@link TopicPattern}'s: {@code ""} has zero words, empty words are words.
 *
 * <p>This class is not thread-safe: the owning {@link Exchange} serializes every call. RabbitMQ keeps
 * the trie in database tables and lets many channels route concurrently; a real broker would publish an
 * immutable trie and swap it on each binding change, since bindings change rarely and routing is hot.
 */
public final class TopicTrie {
    /** One trie node: the edges out of it and the queues whose pattern ends here. */
    private static final class Node {
        final Map<String, Node> children = new HashMap<>();
        final Set<String> queues = new LinkedHashSet<>();
    }

    private final Node root = new Node();

    /**
     * Binds {@code queue} with the topic {@code pattern}. Binding the same pattern to the same queue
     * twice changes nothing, as in RabbitMQ. Walk (creating as needed) one node per pattern word, then
     * add the queue to the last node.
     */
    public void add(String pattern, String queue) {
        // BEGIN EXERCISE 7.4
        Node node = root;
        for (String word : TopicPattern.words(pattern)) {
            node = node.children.computeIfAbsent(word, w -> new Node());
        }
        node.queues.add(queue);
        // END EXERCISE 7.4
    }

    /**
     * The queues whose patterns match {@code routingKey}, each once, however many of its patterns match
     * (a queue bound with both {@code "a.*"} and {@code "#"} gets one copy of {@code "a.b"}).
     */
    public Set<String> match(String routingKey) {
        // BEGIN EXERCISE 7.4
        Set<String> queues = new LinkedHashSet<>();
        walk(root, TopicPattern.words(routingKey), 0, queues);
        return queues;
        // END EXERCISE 7.4
    }

    /** Collects the queues reachable from {@code node} when the key's words from {@code next} on remain. */
    private static void walk(Node node, List<String> words, int next, Set<String> queues) {
        // BEGIN EXERCISE 7.4
        Node any = node.children.get(TopicPattern.ANY_WORDS);
        if (any != null) {
            // "#" may swallow 0, 1, … all remaining words: try each. Patterns such as "#.#" make this
            // revisit nodes; the result is a set, so repeats cost time but never duplicate a queue.
            for (int skip = next; skip <= words.size(); skip++) {
                walk(any, words, skip, queues);
            }
        }
        if (next == words.size()) {
            queues.addAll(node.queues);
            return;
        }
        Node literal = node.children.get(words.get(next));
        if (literal != null) {
            walk(literal, words, next + 1, queues);
        }
        Node one = node.children.get(TopicPattern.ONE_WORD);
        // A key word that is literally "*" follows the literal edge above; do not walk the same edge twice.
        if (one != null && one != literal) {
            walk(one, words, next + 1, queues);
        }
        // END EXERCISE 7.4
    }
}

package org.mqworkbook.dispatch.routing;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mqworkbook.marker.ExerciseNotDone;

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
        throw new ExerciseNotDone("7.4");
        // END EXERCISE 7.4
    }

    /**
     * The queues whose patterns match {@code routingKey}, each once, however many of its patterns match
     * (a queue bound with both {@code "a.*"} and {@code "#"} gets one copy of {@code "a.b"}).
     */
    public Set<String> match(String routingKey) {
        // BEGIN EXERCISE 7.4
        throw new ExerciseNotDone("7.4");
        // END EXERCISE 7.4
    }

    /** Collects the queues reachable from {@code node} when the key's words from {@code next} on remain. */
    private static void walk(Node node, List<String> words, int next, Set<String> queues) {
        // BEGIN EXERCISE 7.4
        throw new ExerciseNotDone("7.4");
        // END EXERCISE 7.4
    }
}

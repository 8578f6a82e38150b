package org.mqworkbook.dispatch.routing;

import java.util.HashMap;
import java.util.HashSet;
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
 * <p><b>Why a walk must remember where it has been.</b> A {@code #} node is a state, "inside a
 * {@code #}, with the key's words from {@code next} on still to match", and it can be reached in many
 * ways: under {@code "#.#.#"} the key {@code "a.b.c"} reaches the third {@code #} node after word 2
 * along six different splits of the words between the three {@code #}s. A walk that explores every
 * split again does work that grows exponentially with the {@code #} words of a binding: one binding
 * {@code "#.#.#.#.#.#.#.#.#.#.#.#"} against a 25-word key is billions of steps, and since the exchange
 * routes one message at a time, that one binding stalls every publisher (the failure museum keeps that
 * walk, {@code ExponentialTopicTrie}). This trie explores each ({@code #} node, next word) state at most
 * once per match: every other node has one parent, so it is then reached at most once per word too, and
 * a match costs at most (trie nodes × (key words + 1)) steps whatever was bound. RabbitMQ added the same
 * memoisation to its trie walk in 2026, and also caps the {@code #} words of a binding (see
 * {@link Exchange}): a broker fixes the algorithm <em>and</em> bounds its input.
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

    /** A {@code #} node with the key's words from {@code next} on still to match: one state of a walk. */
    private record HashState(Node node, int next) {
    }

    private final Node root = new Node();

    /**
     * Binds {@code queue} with the topic {@code pattern}. Binding the same pattern to the same queue
     * twice changes nothing, as in RabbitMQ. The pattern's words are {@link TopicPattern#words}; see
     * {@link #add(List, String)}.
     */
    public void add(String pattern, String queue) {
        add(TopicPattern.words(pattern), queue);
    }

    /**
     * Binds {@code queue} with a pattern already split into words, {@link TopicPattern#ONE_WORD} and
     * {@link TopicPattern#ANY_WORDS} being the wildcards: how another dialect with other separators and
     * wildcard characters (MQTT's filters, {@link MqttSubscriptions}) uses the same trie. Walk (creating as
     * needed) one node per pattern word, then add the queue to the last node.
     */
    public void add(List<String> patternWords, String queue) {
        // BEGIN EXERCISE 7.4
        Node node = root;
        for (String word : patternWords) {
            node = node.children.computeIfAbsent(word, w -> new Node());
        }
        node.queues.add(queue);
        // END EXERCISE 7.4
    }

    /**
     * The queues whose patterns match {@code routingKey}, each once, however many of its patterns match
     * (a queue bound with both {@code "a.*"} and {@code "#"} gets one copy of {@code "a.b"}); see
     * {@link #match(List)}.
     */
    public Set<String> match(String routingKey) {
        return match(TopicPattern.words(routingKey));
    }

    /**
     * The queues whose patterns match a key already split into words, each once. Start a {@link Walk} at
     * the root with no word consumed yet.
     */
    public Set<String> match(List<String> keyWords) {
        // BEGIN EXERCISE 7.4
        Walk walk = new Walk(keyWords);
        walk.from(root, 0);
        return walk.queues;
        // END EXERCISE 7.4
    }

    /**
     * One match in progress: the key's words, the queues found so far, and the {@code #} states already
     * explored. Lives for one {@link #match} call, on the caller's thread.
     */
    private static final class Walk {
        final List<String> words;
        final Set<String> queues = new LinkedHashSet<>();
        /** The {@code #} states explored so far; each is explored at most once (see the class comment). */
        final Set<HashState> explored = new HashSet<>();

        Walk(List<String> words) {
            this.words = words;
        }

        /**
         * Collects the queues reachable from {@code node} when the key's words from {@code next} on remain.
         * A {@code "#"} child is entered with no word taken yet ({@link #insideHash}). If no word remains,
         * the queues of {@code node} match; otherwise follow the literal child for word {@code next} and
         * the {@code "*"} child, each one word further. (A key word that is literally {@code "*"} finds
         * the {@code "*"} child both ways: follow it once. One that is literally {@code "#"} finds the
         * {@code "#"} child, which {@link #insideHash} has already explored with every word count.)
         */
        void from(Node node, int next) {
            // BEGIN EXERCISE 7.4
            Node any = node.children.get(TopicPattern.ANY_WORDS);
            if (any != null) {
                insideHash(any, next);
            }
            if (next == words.size()) {
                queues.addAll(node.queues);
                return;
            }
            Node literal = node.children.get(words.get(next));
            if (literal != null && literal != any) {
                from(literal, next + 1);
            }
            Node one = node.children.get(TopicPattern.ONE_WORD);
            if (one != null && one != literal) {
                from(one, next + 1);
            }
            // END EXERCISE 7.4
        }

        /**
         * At the {@code "#"} node {@code hash}, with the key's words from {@code next} on remaining. If this
         * state was explored before, stop: everything it leads to is already collected. Otherwise record it,
         * then let the {@code #} end here (go on from {@code hash} as from any node) and, if a word
         * remains, let the {@code #} take word {@code next} too (the same node, one word further).
         */
        void insideHash(Node hash, int next) {
            // BEGIN EXERCISE 7.4
            if (!explored.add(new HashState(hash, next))) {
                return;
            }
            from(hash, next);
            if (next < words.size()) {
                insideHash(hash, next + 1);
            }
            // END EXERCISE 7.4
        }
    }
}

package org.mqworkbook.dispatch.routing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * MQTT's routing rules (MQTT 3.1.1 and 5, section 4.7) on exercise 7.4's {@link TopicTrie}: clients
 * subscribe with topic <em>filters</em>, publishers send to topic <em>names</em>, and a message goes to
 * every client with a matching filter, once. Given code: what it teaches is how little differs from AMQP's
 * topic exchange, and where the differences hide.
 *
 * <pre>
 *                        AMQP topic exchange (7.4)          MQTT
 *  separator             "."                                "/"
 *  one level             "*"                                "+"   (must fill a whole level)
 *  any levels            "#" anywhere, zero or more         "#"   last level only; "sport/#" matches
 *                                                                 "sport" too (zero levels: the parent)
 *  empty levels          words ("a..b" has three)           levels ("/finance" has two, the first empty)
 *  checked               no: any routing key is a key       yes: a bad filter is refused when subscribing
 *  "$" names             nothing special                    "$SYS/..." is not matched by a filter that
 *                                                           starts with a wildcard ("#", "+/...")
 * </pre>
 *
 * <p>The mapping onto the trie's words: a literal level {@code L} becomes the word {@code "=" + L}, and the
 * wildcards become the trie's own {@code "*"} and {@code "#"}. The prefix is what keeps a literal level
 * from being read as a wildcard: {@code "a/*"} is a legal MQTT filter whose second level is the
 * <em>character</em> {@code *}, and it must match the topic {@code "a/*"} only. The {@code $} rule is two
 * tries: one holds every filter, the other only those whose first level is literal, and a topic name that
 * starts with {@code $} is matched against the second.
 *
 * <p>Thread safe: every method is synchronized (the tries are not). A broker would publish an immutable
 * trie on each change instead, as {@link TopicTrie} says.
 */
public final class MqttSubscriptions {
    /** A topic name or filter is a UTF-8 string of at most 65,535 bytes (its length is a uint16). */
    public static final int MAX_BYTES = 0xFFFF;

    private static final String LITERAL = "=";

    /** The most subscriptions kept by default: each costs trie nodes for as long as it exists. */
    public static final int DEFAULT_MAX_SUBSCRIPTIONS = 100_000;

    private final TopicTrie all = new TopicTrie();
    private final TopicTrie literalFirstLevel = new TopicTrie();
    /** Every (filter, client) subscribed, to refuse the one over the limit and not count a repeat twice. */
    private final Set<List<String>> subscribed = new HashSet<>();
    private final int maxSubscriptions;

    /** Subscriptions up to {@link #DEFAULT_MAX_SUBSCRIPTIONS}. */
    public MqttSubscriptions() {
        this(DEFAULT_MAX_SUBSCRIPTIONS);
    }

    /** Subscriptions up to {@code maxSubscriptions}; the next is refused, naming the limit. */
    public MqttSubscriptions(int maxSubscriptions) {
        if (maxSubscriptions < 1) {
            throw new IllegalArgumentException("maxSubscriptions must be at least 1, was " + maxSubscriptions);
        }
        this.maxSubscriptions = maxSubscriptions;
    }

    /**
     * Subscribes {@code client} with {@code filter}; subscribing twice with the same filter changes nothing.
     *
     * @throws IllegalArgumentException if the filter is not a legal MQTT topic filter (the message says why),
     *                                  or the limit of subscriptions is reached
     */
    public synchronized void subscribe(String filter, String client) {
        List<String> words = filterWords(filter);
        List<String> pair = List.of(filter, client);
        if (!subscribed.contains(pair) && subscribed.size() >= maxSubscriptions) {
            throw new IllegalArgumentException("already " + subscribed.size() + " subscriptions, the limit; '"
                + filter + "' for " + client + " was not added");
        }
        subscribed.add(pair);
        all.add(words, client);
        if (!isWildcard(words.get(0))) {
            literalFirstLevel.add(words, client);
        }
    }

    /**
     * The clients whose filters match {@code topicName}, each once.
     *
     * @throws IllegalArgumentException if the name is not a legal MQTT topic name (empty, a wildcard in it)
     */
    public synchronized Set<String> match(String topicName) {
        List<String> words = topicWords(topicName);
        return topicName.startsWith("$") ? literalFirstLevel.match(words) : all.match(words);
    }

    /**
     * A topic filter as the trie's words, checked against MQTT's rules: not empty, at most
     * {@link #MAX_BYTES} bytes, no NUL character, {@code +} and {@code #} only as a whole level, {@code #}
     * only as the last level.
     */
    public static List<String> filterWords(String filter) {
        checkString("topic filter", filter);
        String[] levels = filter.split("/", -1);
        List<String> words = new ArrayList<>(levels.length);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.equals("#")) {
                if (i != levels.length - 1) {
                    throw new IllegalArgumentException("topic filter '" + filter + "': '#' must be the last level "
                        + "(it matches everything below it), not level " + (i + 1) + " of " + levels.length);
                }
                words.add(TopicPattern.ANY_WORDS);
            } else if (level.equals("+")) {
                words.add(TopicPattern.ONE_WORD);
            } else if (level.contains("#") || level.contains("+")) {
                throw new IllegalArgumentException("topic filter '" + filter + "': a wildcard must fill a whole "
                    + "level, and level '" + level + "' has " + (level.contains("#") ? "'#'" : "'+'")
                    + " beside other characters");
            } else {
                words.add(LITERAL + level);
            }
        }
        return words;
    }

    /** A topic name as the trie's words: not empty, at most {@link #MAX_BYTES} bytes, no NUL, no wildcard. */
    public static List<String> topicWords(String topicName) {
        checkString("topic name", topicName);
        if (topicName.contains("#") || topicName.contains("+")) {
            throw new IllegalArgumentException("topic name '" + topicName + "': '+' and '#' are wildcards, "
                + "allowed in filters only");
        }
        String[] levels = topicName.split("/", -1);
        List<String> words = new ArrayList<>(levels.length);
        for (String level : levels) {
            words.add(LITERAL + level);
        }
        return words;
    }

    private static boolean isWildcard(String word) {
        return word.equals(TopicPattern.ONE_WORD) || word.equals(TopicPattern.ANY_WORDS);
    }

    private static void checkString(String what, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("a " + what + " must be at least one character long");
        }
        if (value.indexOf('\u0000') >= 0) {
            throw new IllegalArgumentException(what + " '" + value.replace('\u0000', '?')
                + "': the NUL character is not allowed");
        }
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException("a " + what + " is at most " + MAX_BYTES + " bytes of UTF-8, not "
                + bytes);
        }
    }
}

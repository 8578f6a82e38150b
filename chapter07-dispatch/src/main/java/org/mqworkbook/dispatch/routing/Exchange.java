package org.mqworkbook.dispatch.routing;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A RabbitMQ-style exchange: producers publish to it with a routing key and headers, and it decides, from
 * its bindings, which queues get a copy. The exchange stores nothing; a message that matches no binding
 * is dropped (RabbitMQ returns it to the publisher when it was published {@code mandatory}, or sends it
 * to an alternate exchange).
 *
 * <p><b>What it refuses.</b> Routing runs once per published message and a binding stays until it is
 * removed, so an exchange bounds what a client can make it do, each refusal an
 * {@link IllegalArgumentException} that names the binding or key:
 * <ul>
 *   <li>a binding key or routing key longer than {@value #MAX_KEY_BYTES} bytes in UTF-8 (AMQP 0-9-1 carries
 *       both as a short string, so RabbitMQ cannot even receive a longer one);</li>
 *   <li>a topic binding with more than {@link ExchangeLimits#maxHashWords()} {@code #} words (two by
 *       default, as RabbitMQ has refused since 2026: MQTT 5 allows one, two covers the exotic but real
 *       {@code "#.error.#"}). The trie's walk is polynomial whatever is bound ({@link TopicTrie}): at most
 *       its nodes times the key's words, where a walk without {@code #} visits only one path. Every {@code #}
 *       on a path lets a key spread over more of that bound, and no real routing needs many;</li>
 *   <li>more than {@link ExchangeLimits#maxBindings()} bindings, since memory, the trie's size (so the
 *       bound above) and headers routing grow with them.</li>
 * </ul>
 *
 * <p>Methods of this class are thread safe: every method is {@code synchronized}. Routing is a short
 * walk over in-memory bindings, so one lock per exchange costs little here; RabbitMQ instead routes
 * from a snapshot of the bindings on each publishing channel's process, with no lock at all.
 *
 * <p>Direct and fanout routing are given code; topic routing is {@link TopicTrie} and headers routing
 * is {@link HeadersBinding#matches}, exercise 7.4.
 */
public final class Exchange {
    /** The longest binding or routing key, in UTF-8 bytes: AMQP 0-9-1's short string. */
    public static final int MAX_KEY_BYTES = 255;

    /** One binding by key (direct, fanout and topic exchanges): for counting and for identity. */
    private record KeyBinding(String queue, String key) {
    }

    private final String name;
    private final ExchangeType type;
    private final ExchangeLimits limits;

    /** DIRECT: binding key → queues. FANOUT: every queue under the key "". */
    private final Map<String, Set<String>> keyedBindings = new HashMap<>();
    private final TopicTrie topicBindings = new TopicTrie();
    /** Every key binding made, each once (binding twice changes nothing, as in RabbitMQ). */
    private final Set<KeyBinding> keyBindings = new HashSet<>();
    /** Every headers binding made, each once: the same queue and arguments are the same binding. */
    private final Set<HeadersBinding> headersBindings = new LinkedHashSet<>();

    /** An exchange with the default limits ({@link ExchangeLimits#DEFAULT}). */
    public Exchange(String name, ExchangeType type) {
        this(name, type, ExchangeLimits.DEFAULT);
    }

    public Exchange(String name, ExchangeType type, ExchangeLimits limits) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public String name() {
        return name;
    }

    public ExchangeType type() {
        return type;
    }

    public ExchangeLimits limits() {
        return limits;
    }

    /** How many distinct bindings the exchange holds. */
    public synchronized int bindings() {
        return keyBindings.size() + headersBindings.size();
    }

    /**
     * Binds {@code queue} with {@code bindingKey}: an exact key (DIRECT), a pattern (TOPIC) or anything,
     * ignored (FANOUT, where RabbitMQ also accepts and ignores it).
     *
     * @throws IllegalArgumentException on a HEADERS exchange, whose bindings take arguments instead; for a
     *                                  key or pattern the class comment says is refused
     */
    public synchronized void bind(String queue, String bindingKey) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(bindingKey, "bindingKey");
        if (type == ExchangeType.HEADERS) {
            throw new IllegalArgumentException("exchange '" + name + "' is a headers exchange: bind queue '" + queue
                + "' with header arguments, not with the binding key '" + bindingKey + "'");
        }
        checkKeyLength("binding key", bindingKey);
        if (type == ExchangeType.TOPIC) {
            long hashes = TopicPattern.words(bindingKey).stream().filter(TopicPattern.ANY_WORDS::equals).count();
            if (hashes > limits.maxHashWords()) {
                throw new IllegalArgumentException("the binding of queue '" + queue + "' to exchange '" + name
                    + "' with '" + bindingKey + "' has " + hashes + " '#' words; this exchange allows at most "
                    + limits.maxHashWords() + " per binding");
            }
        }
        KeyBinding binding = new KeyBinding(queue, type == ExchangeType.FANOUT ? "" : bindingKey);
        if (keyBindings.contains(binding)) {
            return;
        }
        checkRoomFor(queue);
        keyBindings.add(binding);
        switch (type) {
            case DIRECT, FANOUT -> keyedBindings.computeIfAbsent(binding.key(), k -> new LinkedHashSet<>()).add(queue);
            case TOPIC -> topicBindings.add(bindingKey, queue);
            default -> throw new AssertionError(type);
        }
    }

    /**
     * Binds {@code queue} to a HEADERS exchange with {@code arguments} (see {@link HeadersBinding}).
     *
     * @throws IllegalArgumentException on another exchange type, for an unknown {@code x-match}, or when the
     *                                  exchange holds {@link ExchangeLimits#maxBindings()} bindings already
     */
    public synchronized void bind(String queue, Map<String, HeaderValue> arguments) {
        Objects.requireNonNull(queue, "queue");
        if (type != ExchangeType.HEADERS) {
            throw new IllegalArgumentException("exchange '" + name + "' is a " + type + " exchange: bind queue '"
                + queue + "' with a binding key, not with header arguments " + arguments);
        }
        HeadersBinding binding = HeadersBinding.of(queue, arguments);
        if (headersBindings.contains(binding)) {
            return;
        }
        checkRoomFor(queue);
        headersBindings.add(binding);
    }

    /**
     * The queues a message published with {@code routingKey} and {@code headers} goes to, each once even
     * when several of its bindings match: a queue holds one copy of a message, not one per binding.
     *
     * @throws IllegalArgumentException if the routing key is longer than {@value #MAX_KEY_BYTES} bytes
     */
    public synchronized Set<String> route(String routingKey, Map<String, HeaderValue> headers) {
        Objects.requireNonNull(routingKey, "routingKey");
        Objects.requireNonNull(headers, "headers");
        checkKeyLength("routing key", routingKey);
        return switch (type) {
            case DIRECT -> Set.copyOf(keyedBindings.getOrDefault(routingKey, Set.of()));
            case FANOUT -> Set.copyOf(keyedBindings.getOrDefault("", Set.of()));
            case TOPIC -> Set.copyOf(topicBindings.match(routingKey));
            case HEADERS -> {
                Set<String> queues = new LinkedHashSet<>();
                for (HeadersBinding binding : headersBindings) {
                    if (binding.matches(headers)) {
                        queues.add(binding.queue());
                    }
                }
                yield Set.copyOf(queues);
            }
        };
    }

    private void checkKeyLength(String what, String key) {
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("the " + what + " '" + abbreviate(key) + "' is " + bytes
                + " bytes in UTF-8; exchange '" + name + "' accepts at most " + MAX_KEY_BYTES);
        }
    }

    private void checkRoomFor(String queue) {
        if (bindings() >= limits.maxBindings()) {
            throw new IllegalArgumentException("exchange '" + name + "' already holds " + bindings()
                + " bindings, its limit: queue '" + queue + "' is not bound");
        }
    }

    /** The first 40 characters of a key that is too long to quote whole in an error. */
    private static String abbreviate(String key) {
        return key.length() <= 40 ? key : key.substring(0, 40) + "…";
    }
}

package org.mqworkbook.dispatch.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A RabbitMQ-style exchange: producers publish to it with a routing key and headers, and it decides, from
 * its bindings, which queues get a copy. The exchange stores nothing; a message that matches no binding
 * is dropped (RabbitMQ returns it to the publisher when it was published {@code mandatory}, or sends it
 * to an alternate exchange).
 *
 * <p>Methods of this class are thread safe: every method is {@code synchronized}. Routing is a short
 * walk over in-memory bindings, so one lock per exchange costs little here; RabbitMQ instead routes
 * from a snapshot of the bindings on each publishing channel's process, with no lock at all.
 *
 * <p>Direct and fanout routing are given code; topic routing is {@link TopicTrie} and headers routing
 * is {@link HeadersBinding#matches}, exercise 7.4.
 */
public final class Exchange {
    private final String name;
    private final ExchangeType type;

    /** DIRECT: binding key → queues. FANOUT: every queue under the key "". */
    private final Map<String, Set<String>> keyedBindings = new HashMap<>();
    private final TopicTrie topicBindings = new TopicTrie();
    private final List<HeadersBinding> headersBindings = new ArrayList<>();

    public Exchange(String name, ExchangeType type) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
    }

    public String name() {
        return name;
    }

    public ExchangeType type() {
        return type;
    }

    /**
     * Binds {@code queue} with {@code bindingKey}: an exact key (DIRECT), a pattern (TOPIC) or anything,
     * ignored (FANOUT, where RabbitMQ also accepts and ignores it).
     *
     * @throws IllegalArgumentException on a HEADERS exchange, whose bindings take arguments instead
     */
    public synchronized void bind(String queue, String bindingKey) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(bindingKey, "bindingKey");
        switch (type) {
            case DIRECT -> keyedBindings.computeIfAbsent(bindingKey, k -> new LinkedHashSet<>()).add(queue);
            case FANOUT -> keyedBindings.computeIfAbsent("", k -> new LinkedHashSet<>()).add(queue);
            case TOPIC -> topicBindings.add(bindingKey, queue);
            case HEADERS -> throw new IllegalArgumentException("exchange '" + name + "' is a headers exchange: bind "
                + "queue '" + queue + "' with header arguments, not with the binding key '" + bindingKey + "'");
            default -> throw new AssertionError(type);
        }
    }

    /**
     * Binds {@code queue} to a HEADERS exchange with {@code arguments} (see {@link HeadersBinding}).
     *
     * @throws IllegalArgumentException on another exchange type, or for an unknown {@code x-match}
     */
    public synchronized void bind(String queue, Map<String, String> arguments) {
        if (type != ExchangeType.HEADERS) {
            throw new IllegalArgumentException("exchange '" + name + "' is a " + type + " exchange: bind queue '"
                + queue + "' with a binding key, not with header arguments " + arguments);
        }
        headersBindings.add(HeadersBinding.of(queue, arguments));
    }

    /**
     * The queues a message published with {@code routingKey} and {@code headers} goes to, each once even
     * when several of its bindings match: a queue holds one copy of a message, not one per binding.
     */
    public synchronized Set<String> route(String routingKey, Map<String, String> headers) {
        Objects.requireNonNull(routingKey, "routingKey");
        Objects.requireNonNull(headers, "headers");
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
}

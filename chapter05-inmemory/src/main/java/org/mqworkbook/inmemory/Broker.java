package org.mqworkbook.inmemory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;
import org.mqworkbook.marker.ExerciseNotDone;

/**
 * The in-memory broker: a registry of named {@link MessageQueue}s (exercise 5.2 declares them).
 *
 * <p>Methods of this class are thread safe. The registry is a {@link ConcurrentHashMap}; each queue
 * guards its own state, so producers and consumers of different queues never contend.
 *
 * <p>Nothing here starts a thread. Whoever runs the broker (the server, a test) calls {@link #tick()}
 * from a timer so that visibility timeouts and long-poll deadlines are noticed; tests advance a manual
 * clock and call it directly.
 */
public final class Broker {
    /**
     * Queue names: 1 to 200 characters from letters, digits, '.', '_' and '-', but not "." or ".."
     * (chapter 6 makes a directory of each queue's name).
     */
    public static final Pattern QUEUE_NAME = Pattern.compile("(?!\\.{1,2}$)[A-Za-z0-9._-]{1,200}");

    private final Clock clock;
    private final QueueJournal.Factory journals;
    private final ConcurrentMap<String, MessageQueue> queues = new ConcurrentHashMap<>();

    /** An in-memory broker: chapter 5's. */
    public Broker(Clock clock) {
        this(clock, QueueJournal.Factory.IN_MEMORY);
    }

    /** A broker whose queues record their messages in journals from {@code journals} (chapter 6). */
    public Broker(Clock clock, QueueJournal.Factory journals) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.journals = Objects.requireNonNull(journals, "journals");
    }

    /** Creates a queue with its journal. Given; {@link #declareQueue} calls it for a new queue. */
    private MessageQueue createQueue(String name, QueueConfig config) {
        return new MessageQueue(name, config, clock, journals.open(name, config));
    }

    /**
     * Declares a queue, or returns the existing one if it was declared before with the same
     * configuration (declaring is idempotent, as in AMQP's {@code queue.declare}).
     *
     * <p>Two threads declaring the same new queue at once must end up with the same queue object: a
     * check ("is it there?") followed by an act ("put it there") is a race unless the map does both
     * in one step. Create a new queue with {@link #createQueue}.
     *
     * @throws BrokerException {@link ErrorCode#INVALID_ARGUMENT} if the name does not match
     *                         {@link #QUEUE_NAME}; {@link ErrorCode#QUEUE_CONFLICT} if the queue exists
     *                         with another configuration (name both configurations in the message)
     */
    public MessageQueue declareQueue(String name, QueueConfig config) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(config, "config");
        // BEGIN EXERCISE 5.2
        throw new ExerciseNotDone("5.2");
        // END EXERCISE 5.2
    }

    /**
     * The queue called {@code name}.
     *
     * @throws UnknownQueueException if it was never declared
     */
    public MessageQueue queue(String name) {
        MessageQueue queue = queues.get(name);
        if (queue == null) {
            throw new UnknownQueueException(name);
        }
        return queue;
    }

    /** The queue called {@code name}, if declared. */
    public Optional<MessageQueue> findQueue(String name) {
        return Optional.ofNullable(queues.get(name));
    }

    /** The declared queues, in no particular order. */
    public Collection<MessageQueue> queues() {
        return List.copyOf(queues.values());
    }

    /**
     * A consumer went away: every queue requeues what it held.
     *
     * @return how many deliveries were requeued in all
     */
    public int consumerGone(String consumer) {
        int requeued = 0;
        for (MessageQueue queue : queues.values()) {
            requeued += queue.consumerGone(consumer);
        }
        return requeued;
    }

    /**
     * Notices the passage of time: requeues expired deliveries and answers expired long polls, on every
     * queue. The server calls this every few milliseconds from its timer thread.
     */
    public void tick() {
        for (MessageQueue queue : new ArrayList<>(queues.values())) {
            try {
                queue.expireDeliveries();
            } finally {
                queue.expireWaiters(); // independent of the line above: long polls expire even if it failed
            }
        }
    }

    /** The clock this broker and its queues read. */
    public Clock clock() {
        return clock;
    }
}

package org.mqworkbook.inmemory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.mqworkbook.marker.ExerciseNotDone;

/**
 * One named queue: messages wait here until a consumer takes them, and stay "in flight" until that
 * consumer acknowledges them (exercises 5.2, 5.3 and 5.4).
 *
 * <pre>
 *  publish ──► ready ──► poll / receive / push ──► inFlight ──► ack ──► gone
 *               ▲                                     │
 *               └─── visibility timeout, reject, ─────┘
 *                    consumer gone (requeue at the head)
 * </pre>
 *
 * <p>Methods of this class are thread safe. One lock guards every field below it, so that a
 * message is always in exactly one place: ready, in flight, or gone. (Two structures with a lock
 * each could not promise that: a message could be seen in both, or in neither, between the two
 * operations.) The lock is held only for short, non-blocking steps; the one wait under it is a
 * producer parked on {@link #notFull}, which releases the lock while it waits.
 *
 * <p>Callbacks (long-poll completions and push deliveries) are never run under the lock: they are
 * collected as "hand-offs" while the lock is held and run after it is released, so a slow or
 * re-entrant callback cannot stall or deadlock the queue (the same reason mini-redis releases its
 * lock before notifying).
 *
 * <p>The public methods are given: each takes the lock, calls one {@code ...Locked} method (the batch
 * methods, {@code tryPublish(List)}, {@code poll(String, int)} and {@code ack(String, long[])}, call
 * one in a loop, so that a batch pays for one acquisition of the lock), releases the lock and then runs
 * the hand-offs. The {@code ...Locked} methods are the exercises; they run with
 * the lock held and must not block (except {@link #publishLocked}, which waits on a condition).
 *
 * <p>Time comes from the injected {@link Clock}; nothing here starts a timer. The broker's timer
 * thread calls {@link #expireDeliveries()} and {@link #expireWaiters()}; tests advance a manual clock
 * and call them directly.
 */
public final class MessageQueue {
    private final String name;
    private final QueueConfig config;
    private final Clock clock;
    /** Where accepted messages are recorded (chapter 6); {@link QueueJournal#IN_MEMORY} records nothing. */
    private final QueueJournal journal;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled whenever a ready message leaves the queue, so that one blocked publisher may proceed. */
    private final Condition notFull = lock.newCondition();

    /** Messages waiting for a consumer, head first. */
    private final ArrayDeque<Message> ready = new ArrayDeque<>();
    /** Deliveries waiting for an ack, by tag, in the order they were made (oldest deadline first). */
    private final LinkedHashMap<Long, InFlight> inFlight = new LinkedHashMap<>();
    /** Long-poll receivers waiting for a message, oldest first. */
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** Push consumers; {@link #nextSubscription} is the round-robin cursor into this list. */
    private final List<Subscription> subscriptions = new ArrayList<>();
    private int nextSubscription;

    /** The id of the next published message. Ids are never reused: 0, 1, 2, ... */
    private long nextMessageId;
    /** The tag of the next delivery. Every delivery gets a new one, redeliveries included: 1, 2, 3, ... */
    private long nextTag = 1;

    /**
     * Whether {@link #waiters} or {@link #subscriptions} may be non-empty, so that {@link #dispatch()}
     * can skip the lock when neither is: a queue with only pulling consumers then takes its lock once
     * per publish instead of twice. Written under the lock, and only when it changes (a write on every
     * call would bounce its cache line between the producer's and the consumer's cores on every
     * message); read without it. It is never wrongly {@code false} when a dispatch is needed: whoever
     * parks a waiter or adds a subscription sets it before releasing the lock, so a publisher whose
     * message that waiter did not see (because it took the lock later) reads {@code true} after its
     * own release of the same lock.
     */
    private volatile boolean mayHavePushTargets;

    /**
     * The clock reading that every delivery of one {@link #poll(String, int)} shares, or
     * {@link #NO_BATCH}: a batch is taken at one instant, so its deliveries get one deadline, and the
     * clock is read once per batch instead of once per message. Guarded by the lock.
     */
    private long batchNowMillis = NO_BATCH;
    private static final long NO_BATCH = Long.MIN_VALUE;

    /** How many deliveries {@link #poll(String, int)} makes room for before its list grows. */
    private static final int BATCH_PRESIZE = 64;

    private long publishedCount;
    private long acknowledgedCount;
    private long redeliveredCount;

    /**
     * A message in the queue.
     *
     * @param id         assigned at publish, never reused
     * @param body       the body, copied at publish so that the producer cannot change it afterwards
     * @param deliveries how many times it has been delivered so far
     */
    record Message(long id, byte[] body, int deliveries) {
    }

    /**
     * A delivery waiting for its acknowledgement.
     *
     * @param delivery       what the consumer received
     * @param message        the message, with its delivery count, to requeue if this delivery fails
     * @param consumer       who holds it; only they may ack or reject it
     * @param deadlineMillis when it becomes visible to other consumers again ({@link Clock#millis()})
     * @param subscription   the push subscription it was sent to, or {@code null} if it was pulled
     */
    record InFlight(Delivery delivery, Message message, String consumer, long deadlineMillis,
                    Subscription subscription) {
    }

    /**
     * A long-poll receiver parked until a message arrives or its deadline passes.
     *
     * @param consumer       who is waiting
     * @param deadlineMillis when to give up and answer "no message"
     * @param callback       completed exactly once, with a delivery or with empty
     */
    record Waiter(String consumer, long deadlineMillis, Consumer<Optional<Delivery>> callback) {
    }

    /** An in-memory queue: it forgets everything when the process stops. */
    public MessageQueue(String name, QueueConfig config, Clock clock) {
        this(name, config, clock, QueueJournal.IN_MEMORY);
    }

    /**
     * A queue whose accepted messages are recorded in {@code journal}. Whatever the journal recovered —
     * messages accepted before a restart and never settled — is ready again, counted as delivered once
     * (it may have been; RabbitMQ marks recovered messages "redelivered" for the same reason).
     */
    public MessageQueue(String name, QueueConfig config, Clock clock, QueueJournal journal) {
        this.name = Objects.requireNonNull(name, "name");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.journal = Objects.requireNonNull(journal, "journal");
        QueueJournal.Recovered recovered = journal.recover();
        for (QueueJournal.StoredMessage m : recovered.unsettled()) {
            ready.addLast(new Message(m.id(), m.body(), 1));
        }
        nextMessageId = recovered.nextId();
    }

    public String name() {
        return name;
    }

    public QueueConfig config() {
        return config;
    }

    // ---------------------------------------------------------------------------------------------
    // Publishing and competing consumers (exercise 5.2)
    // ---------------------------------------------------------------------------------------------

    /**
     * Appends a message, waiting while the queue is at capacity (back-pressure on the producer).
     *
     * @return the message's id
     * @throws InterruptedException if interrupted while waiting for space; nothing was added
     * @throws BrokerException      {@link ErrorCode#INVALID_ARGUMENT} if the body is too large
     */
    public long publish(byte[] body) throws InterruptedException {
        byte[] copy = checkBody(body);
        long id;
        lock.lockInterruptibly();
        try {
            id = publishLocked(copy);
        } finally {
            lock.unlock();
        }
        dispatch();
        journal.awaitDurable(id); // the producer hears "stored" only once it is (chapter 6)
        return id;
    }

    /**
     * Appends a message if the queue has space now. Never waits, so a network thread may call it.
     *
     * @return the message's id, or empty if the queue is at capacity
     */
    public OptionalLong tryPublish(byte[] body) {
        byte[] copy = checkBody(body);
        OptionalLong id;
        lock.lock();
        try {
            id = tryPublishLocked(copy);
        } finally {
            lock.unlock();
        }
        if (id.isPresent()) {
            dispatch();
            awaitDurable(id.getAsLong());
        }
        return id;
    }

    /** {@link QueueJournal#awaitDurable} for the non-blocking publishes, which may not throw it. */
    private void awaitDurable(long id) {
        try {
            journal.awaitDurable(id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerException(ErrorCode.INTERNAL_ERROR, "interrupted while message " + id
                + " of queue '" + name + "' was being made durable");
        }
    }

    /**
     * Appends as many of {@code bodies} as fit now, in order, under one acquisition of the lock; never
     * waits. What {@link #tryPublish(byte[])} would do called for each body in turn until the first
     * refusal, so the accepted ones are always a prefix: a producer that retries the rest keeps its
     * order. Kafka's producer sends records in batches for the same reason a consumer polls them in
     * batches: the fixed cost per round-trip (here a lock acquisition, there a network request) is
     * shared.
     *
     * @return the ids of the accepted messages, one per accepted body; fewer than {@code bodies} if the
     *         queue filled up (none if it was full) or the journal refused one after the first (the
     *         accepted ones are kept and reported, so that a retry does not publish them twice)
     * @throws BrokerException {@link ErrorCode#INVALID_ARGUMENT} if a body is too large; nothing was added
     */
    public long[] tryPublish(List<byte[]> bodies) {
        List<byte[]> copies = new ArrayList<>(bodies.size());
        for (byte[] body : bodies) {
            copies.add(checkBody(body)); // all checked before any is added
        }
        long[] ids = new long[copies.size()];
        int accepted = 0;
        lock.lock();
        try {
            while (accepted < copies.size()) {
                OptionalLong id;
                try {
                    id = tryPublishLocked(copies.get(accepted));
                } catch (RuntimeException refused) {
                    if (accepted == 0) {
                        throw refused; // nothing was accepted: the caller hears why
                    }
                    break; // the journal refused one (a full disk): the batch ends there, as at capacity
                }
                if (id.isEmpty()) {
                    break;
                }
                ids[accepted++] = id.getAsLong();
            }
        } finally {
            lock.unlock();
        }
        if (accepted > 0) {
            dispatch();
            awaitDurable(ids[accepted - 1]); // durable up to the last means every one before it too
        }
        return accepted == ids.length ? ids : Arrays.copyOf(ids, accepted);
    }

    /**
     * Takes the head message for {@code consumer} if there is one, without waiting. The message
     * moves in flight: no other consumer gets it unless its visibility timeout passes first.
     *
     * @return the delivery, or empty if no message is ready (or the in-flight limit is reached)
     */
    public Optional<Delivery> poll(String consumer) {
        Objects.requireNonNull(consumer, "consumer");
        lock.lock();
        try {
            return pollLocked(consumer);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes up to {@code max} head messages for {@code consumer} at once, without waiting: what
     * {@link #poll(String)} would return called {@code max} times in a row, but under one acquisition
     * of the lock. SQS's {@code ReceiveMessage} with {@code MaxNumberOfMessages} and RabbitMQ's prefetch
     * exist for the same reason: a consumer that takes messages one lock round-trip at a time pays that
     * round-trip, and the cache-line transfer between the producer's core and its own, per message.
     *
     * @param max at least 1; fewer come back if fewer are ready or the in-flight limit is reached
     * @return the deliveries, head first; empty if none is ready
     */
    public List<Delivery> poll(String consumer, int max) {
        Objects.requireNonNull(consumer, "consumer");
        if (max < 1) {
            throw new BrokerException(ErrorCode.INVALID_ARGUMENT, "max must be at least 1, was " + max);
        }
        List<Delivery> deliveries = new ArrayList<>(Math.min(max, BATCH_PRESIZE));
        lock.lock();
        try {
            batchNowMillis = clock.millis();
            while (deliveries.size() < max) {
                Optional<Delivery> next = pollLocked(consumer);
                if (next.isEmpty()) {
                    break;
                }
                deliveries.add(next.get());
            }
        } finally {
            batchNowMillis = NO_BATCH;
            lock.unlock();
        }
        return deliveries;
    }

    /**
     * Waits while the queue holds {@code capacity} ready messages, then appends the message with the
     * given {@link #appendLocked} and returns its id. Called with the lock held.
     *
     * <p>Waiting on {@link #notFull} releases the lock, so consumers can make space meanwhile. Wake-ups
     * can be spurious and another producer may take the space first: check again in a loop.
     */
    private long publishLocked(byte[] body) throws InterruptedException {
        // BEGIN EXERCISE 5.2
        throw new ExerciseNotDone("5.2");
        // END EXERCISE 5.2
    }

    /** Like {@link #publishLocked} but returns empty instead of waiting when the queue is full. */
    private OptionalLong tryPublishLocked(byte[] body) {
        // BEGIN EXERCISE 5.2
        throw new ExerciseNotDone("5.2");
        // END EXERCISE 5.2
    }

    /**
     * Appends a message with the next id at the tail of {@link #ready}, counts it in
     * {@link #publishedCount}, and returns its id. Given: it also records the message in the
     * {@link #journal} first (chapter 6), so that a journal that cannot record it refuses the publish
     * before anything changed.
     */
    private long appendLocked(byte[] body) {
        long id = nextMessageId;
        journal.append(id, body);
        nextMessageId++;
        ready.addLast(new Message(id, body, 0));
        publishedCount++;
        return id;
    }

    /**
     * Delivers the head message to {@code consumer} if one is ready and fewer than
     * {@code maxInFlight} deliveries are unacknowledged; otherwise returns empty.
     */
    private Optional<Delivery> pollLocked(String consumer) {
        // BEGIN EXERCISE 5.2
        throw new ExerciseNotDone("5.2");
        // END EXERCISE 5.2
    }

    /**
     * Moves the head of {@link #ready} in flight and returns the delivery. The caller has checked
     * that a message is ready.
     *
     * <p>The delivery gets the next tag and a delivery count one higher than the message's; it is
     * recorded with {@link #addInFlightLocked} under a deadline of now plus the visibility timeout
     * ({@link #deadlineAfter}).
     * A ready message left the queue, so signal one waiting publisher.
     *
     * @param subscription the push subscription it goes to, or {@code null} for a pull
     */
    private Delivery deliverHeadLocked(String consumer, Subscription subscription) {
        // BEGIN EXERCISE 5.2
        throw new ExerciseNotDone("5.2");
        // END EXERCISE 5.2
    }

    // ---------------------------------------------------------------------------------------------
    // Acknowledgements and redelivery (exercise 5.3)
    // ---------------------------------------------------------------------------------------------

    /**
     * Settles a delivery: the message is gone for good.
     *
     * @return {@code true} if {@code consumer} held the delivery {@code tag}; {@code false} if the tag
     *         is unknown, already settled, expired, or held by another consumer
     */
    public boolean ack(String consumer, long tag) {
        boolean acked;
        long messageId;
        lock.lock();
        try {
            InFlight held = inFlight.get(tag);
            messageId = held == null ? -1 : held.message().id();
            acked = ackLocked(consumer, tag);
        } finally {
            lock.unlock();
        }
        if (acked) {
            journal.settled(messageId);
        }
        dispatch(); // a push consumer may have credit again
        return acked;
    }

    /**
     * Settles several deliveries under one acquisition of the lock: {@link #ack(String, long)} for each
     * tag, in the order given (SQS's {@code DeleteMessageBatch}; RabbitMQ's {@code basic.ack} with
     * {@code multiple} settles every delivery up to a tag, which needs a channel's ordered tags). Each
     * tag is judged on its own: one that {@code consumer} does not hold is refused and the others are
     * still settled.
     *
     * @return how many of the tags were settled
     */
    public int ack(String consumer, long[] tags) {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(tags, "tags");
        long[] settled = new long[tags.length];
        int count = 0;
        lock.lock();
        try {
            for (long tag : tags) {
                InFlight held = inFlight.get(tag);
                if (held != null && ackLocked(consumer, tag)) {
                    settled[count++] = held.message().id();
                }
            }
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < count; i++) {
            journal.settled(settled[i]);
        }
        if (count > 0) {
            dispatch(); // push consumers may have credit again
        }
        return count;
    }

    /**
     * Refuses a delivery (RabbitMQ's {@code basic.reject}). With {@code requeue} the message goes
     * back to the head of the queue at once; without, it is dropped (chapter 14 dead-letters it).
     *
     * @return {@code true} if {@code consumer} held the delivery {@code tag}
     */
    public boolean reject(String consumer, long tag, boolean requeue) {
        boolean rejected;
        long messageId;
        lock.lock();
        try {
            InFlight held = inFlight.get(tag);
            messageId = held == null ? -1 : held.message().id();
            rejected = rejectLocked(consumer, tag, requeue);
        } finally {
            lock.unlock();
        }
        if (rejected && !requeue) {
            journal.settled(messageId); // dropped for good
        }
        dispatch();
        return rejected;
    }

    /**
     * Requeues every delivery whose visibility deadline has passed, at the head of the queue and in
     * the order they were delivered. The broker's timer calls this; tests call it after advancing
     * the clock.
     *
     * @return how many deliveries were requeued
     */
    public int expireDeliveries() {
        int expired;
        lock.lock();
        try {
            expired = expireDeliveriesLocked(clock.millis());
        } finally {
            lock.unlock();
        }
        dispatch();
        return expired;
    }

    /**
     * The consumer went away (its connection closed, its process died): requeue everything it held,
     * forget its long polls and cancel its subscriptions, as RabbitMQ does when a channel closes.
     *
     * @return how many deliveries were requeued
     */
    public int consumerGone(String consumer) {
        int requeued;
        lock.lock();
        try {
            // forget its waiters and subscriptions first: nothing more may be handed to a gone consumer
            waiters.removeIf(w -> w.consumer().equals(consumer));
            for (Subscription s : subscriptions) {
                if (s.consumer().equals(consumer)) {
                    s.cancelled = true;
                }
            }
            subscriptions.removeIf(s -> s.cancelled);
            requeued = requeueAllHeldByLocked(consumer);
        } finally {
            notePushTargetsLocked();
            lock.unlock();
        }
        dispatch();
        return requeued;
    }

    /**
     * Removes the delivery {@code tag} if {@code consumer} holds it and counts it in
     * {@link #acknowledgedCount}. Use {@link #removeInFlightLocked}, which also frees the
     * subscription's credit.
     */
    private boolean ackLocked(String consumer, long tag) {
        // BEGIN EXERCISE 5.3
        throw new ExerciseNotDone("5.3");
        // END EXERCISE 5.3
    }

    /** Removes the delivery {@code tag} if {@code consumer} holds it, requeueing it if asked. */
    private boolean rejectLocked(String consumer, long tag, boolean requeue) {
        // BEGIN EXERCISE 5.3
        throw new ExerciseNotDone("5.3");
        // END EXERCISE 5.3
    }

    /**
     * Requeues every delivery whose deadline is at or before {@code nowMillis}. Deliveries are kept
     * in delivery order and all share one visibility timeout, so the expired ones are a prefix.
     */
    private int expireDeliveriesLocked(long nowMillis) {
        // BEGIN EXERCISE 5.3
        throw new ExerciseNotDone("5.3");
        // END EXERCISE 5.3
    }

    /** Requeues every delivery {@code consumer} holds, in the order they were delivered. */
    private int requeueAllHeldByLocked(String consumer) {
        // BEGIN EXERCISE 5.3
        throw new ExerciseNotDone("5.3");
        // END EXERCISE 5.3
    }

    /**
     * Puts the messages of {@code returned} (already removed from {@link #inFlight}) back at the head
     * of {@link #ready}, so that they are delivered next, and in the order given: the first of them
     * must end up at the very head. Counts each in {@link #redeliveredCount}. Requeueing never waits
     * for capacity: these messages were accepted long ago.
     */
    private void requeueLocked(List<InFlight> returned) {
        // BEGIN EXERCISE 5.3
        throw new ExerciseNotDone("5.3");
        // END EXERCISE 5.3
    }

    // ---------------------------------------------------------------------------------------------
    // Long polling and push consumers with prefetch (exercise 5.4)
    // ---------------------------------------------------------------------------------------------

    /**
     * Receives one message, waiting up to {@code wait} for one to arrive (long polling, as SQS's
     * {@code WaitTimeSeconds}). Never blocks the calling thread: {@code callback} is completed exactly
     * once, from this thread if a message is ready (or {@code wait} is zero), otherwise later from
     * whichever thread publishes a message or expires the wait.
     *
     * @throws BrokerException {@link ErrorCode#LIMIT_EXCEEDED} if {@code maxWaiters} receivers already wait
     */
    public void receive(String consumer, Duration wait, Consumer<Optional<Delivery>> callback) {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(callback, "callback");
        if (wait.isNegative()) {
            throw new BrokerException(ErrorCode.INVALID_ARGUMENT, "wait must not be negative, was " + wait);
        }
        List<Runnable> handOffs = new ArrayList<>();
        lock.lock();
        try {
            receiveLocked(new Waiter(consumer, deadlineAfter(wait), callback), handOffs);
        } finally {
            notePushTargetsLocked();
            lock.unlock();
        }
        handOffs.forEach(Runnable::run);
    }

    /**
     * Answers every long-poll receiver whose deadline has passed with "no message".
     *
     * @return how many receivers were answered
     */
    public int expireWaiters() {
        List<Runnable> handOffs = new ArrayList<>();
        int expired;
        lock.lock();
        try {
            expired = expireWaitersLocked(clock.millis(), handOffs);
        } finally {
            notePushTargetsLocked();
            lock.unlock();
        }
        handOffs.forEach(Runnable::run);
        return expired;
    }

    /**
     * Subscribes a push consumer: from now on the queue calls {@code handler} with deliveries, at most
     * {@code prefetch} of them unacknowledged at a time. The handler runs in whichever thread made the
     * message deliverable (a publisher, an ack, the timer); it must be quick and must not block.
     */
    public Subscription subscribe(String consumer, int prefetch, Consumer<Delivery> handler) {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(handler, "handler");
        if (prefetch < 1) {
            throw new BrokerException(ErrorCode.INVALID_ARGUMENT, "prefetch must be at least 1, was " + prefetch);
        }
        Subscription subscription = new Subscription(this, consumer, prefetch, handler);
        lock.lock();
        try {
            if (subscriptions.size() >= config.maxWaiters()) {
                throw new BrokerException(ErrorCode.LIMIT_EXCEEDED,
                    "queue '" + name + "' already has " + subscriptions.size() + " subscriptions");
            }
            subscriptions.add(subscription);
        } finally {
            notePushTargetsLocked();
            lock.unlock();
        }
        dispatch();
        return subscription;
    }

    /** Called by {@link Subscription#cancel()}. */
    void cancel(Subscription subscription) {
        lock.lock();
        try {
            subscription.cancelled = true;
            subscriptions.remove(subscription);
        } finally {
            notePushTargetsLocked();
            lock.unlock();
        }
    }

    /**
     * Hands ready messages to waiting receivers and to subscriptions with credit. Called after every
     * change that can make a delivery possible: a publish, an ack, a requeue, a new subscription.
     */
    void dispatch() {
        if (!mayHavePushTargets) {
            return; // nobody to hand a message to: see mayHavePushTargets for why this read suffices
        }
        List<Runnable> handOffs = new ArrayList<>();
        lock.lock();
        try {
            if (!waiters.isEmpty() || !subscriptions.isEmpty()) {
                dispatchLocked(handOffs);
            }
        } finally {
            notePushTargetsLocked();
            lock.unlock();
        }
        handOffs.forEach(Runnable::run);
    }

    /**
     * Serves a new long-poll receiver: if a message is ready (and the in-flight limit allows), deliver
     * it now; else if its deadline is not in the future, answer empty now; else park it in
     * {@link #waiters}, unless {@code maxWaiters} already wait ({@link ErrorCode#LIMIT_EXCEEDED}).
     * Answers are added to {@code handOffs}, never run here.
     */
    private void receiveLocked(Waiter waiter, List<Runnable> handOffs) {
        // BEGIN EXERCISE 5.4
        throw new ExerciseNotDone("5.4");
        // END EXERCISE 5.4
    }

    /** Removes every waiter whose deadline is at or before {@code nowMillis} and answers it empty. */
    private int expireWaitersLocked(long nowMillis, List<Runnable> handOffs) {
        // BEGIN EXERCISE 5.4
        throw new ExerciseNotDone("5.4");
        // END EXERCISE 5.4
    }

    /**
     * While a message is ready and the in-flight limit allows: give it to the oldest waiter if any;
     * otherwise to the next subscription with credit, round-robin from {@link #nextSubscription}; stop
     * when nobody can take one. Each delivery's callback goes into {@code handOffs}.
     */
    private void dispatchLocked(List<Runnable> handOffs) {
        // BEGIN EXERCISE 5.4
        throw new ExerciseNotDone("5.4");
        // END EXERCISE 5.4
    }

    /** The next subscription with credit, round-robin, or {@code null} if none has credit. */
    private Subscription nextWithCreditLocked() {
        // BEGIN EXERCISE 5.4
        throw new ExerciseNotDone("5.4");
        // END EXERCISE 5.4
    }

    // ---------------------------------------------------------------------------------------------
    // Given: bookkeeping shared by the exercises
    // ---------------------------------------------------------------------------------------------

    /** Records a delivery in flight and charges it to its subscription's prefetch credit. */
    private void addInFlightLocked(InFlight delivery) {
        assert lock.isHeldByCurrentThread();
        inFlight.put(delivery.delivery().tag(), delivery);
        if (delivery.subscription() != null) {
            delivery.subscription().unacked++;
        }
    }

    /** Removes a delivery from flight and gives its subscription the credit back. */
    private InFlight removeInFlightLocked(long tag) {
        assert lock.isHeldByCurrentThread();
        InFlight removed = inFlight.remove(tag);
        if (removed != null && removed.subscription() != null) {
            removed.subscription().unacked--;
        }
        return removed;
    }

    /** Brings {@link #mayHavePushTargets} up to date; called before releasing the lock after a change. */
    private void notePushTargetsLocked() {
        boolean now = !waiters.isEmpty() || !subscriptions.isEmpty();
        if (now != mayHavePushTargets) {
            mayHavePushTargets = now;
        }
    }

    /** A snapshot of the counters. */
    public QueueStats stats() {
        lock.lock();
        try {
            return new QueueStats(ready.size(), inFlight.size(), waiters.size(), subscriptions.size(),
                publishedCount, acknowledgedCount, redeliveredCount);
        } finally {
            lock.unlock();
        }
    }

    /** Now plus {@code wait}, saturating: a huge wait means "never", not a deadline in the past. */
    private long deadlineAfter(Duration wait) {
        long now = batchNowMillis != NO_BATCH ? batchNowMillis : clock.millis();
        try {
            return Math.addExact(now, wait.toMillis());
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE; // the wait, or now plus the wait, does not fit in a long: never
        }
    }

    private byte[] checkBody(byte[] body) {
        Objects.requireNonNull(body, "body");
        if (body.length > config.maxMessageBytes()) {
            throw new BrokerException(ErrorCode.INVALID_ARGUMENT, "message of " + body.length
                + " bytes is larger than queue '" + name + "' accepts (" + config.maxMessageBytes() + ")");
        }
        return body.clone();
    }

    @Override
    public String toString() {
        return "MessageQueue[" + name + ", " + stats() + "]";
    }
}

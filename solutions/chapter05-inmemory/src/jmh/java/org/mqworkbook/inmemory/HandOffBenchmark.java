package org.mqworkbook.inmemory;

import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

/**
 * How many elements per microsecond one producer thread can hand to one consumer thread through a
 * bounded in-memory queue: the cost of the chapter's central operation, measured five ways in one run.
 *
 * <pre>
 *  group                  producer thread                    consumer thread
 *  ─────                  ───────────────                    ───────────────
 *  arrayBlockingQueue     ArrayBlockingQueue.offer(e, t) ──► poll(t)               (the baseline)
 *  boundedBlockingQueue   BoundedBlockingQueue.offer(e, t) ► poll(t)               (exercise 5.1)
 *  messageQueue           MessageQueue.tryPublish(body) ──► poll(consumer) + ack   (exercises 5.2, 5.3)
 *  messageQueueBatched    MessageQueue.tryPublish(32 bodies) ► poll(consumer, 32),
 *                                                           one ack(consumer, tags) per batch
 *  arrayBlockingQueue-    ArrayBlockingQueue.offer(message) ► poll(t), then poll's and ack's
 *    WithBookkeeping                                        bookkeeping on a private lock (the control)
 * </pre>
 *
 * <p><b>Why {@link ArrayBlockingQueue} is the baseline.</b> It is the JDK's production version of
 * {@link BoundedBlockingQueue}: the same design (one {@code ReentrantLock}, a {@code notEmpty} and a
 * {@code notFull} condition, a fixed capacity), written and tuned by the {@code java.util.concurrent}
 * authors. Measured in the same JVM, on the same machine, in the same run, it turns "3.1 ops/µs" (a
 * number that means nothing on its own) into "as fast as the JDK" or "half as fast as the JDK".
 * {@code MessageQueue} is compared with it too, to show what the broker's bookkeeping costs on top of
 * the bare hand-off: copying the body, a {@code Message}, a {@code Delivery} and an in-flight entry per
 * message, a clock read, and three lock acquisitions per message instead of two (publish, poll, ack;
 * the {@code dispatch()} after a publish and after an ack would take it twice more, but skips the lock
 * when the queue has no long-poll receiver and no push consumer, as here).
 *
 * <p><b>Why timed waits and not {@code put}/{@code take}.</b> JMH ends an iteration for the producer and
 * the consumer of a group independently. A consumer parked in an untimed {@code take()} after the
 * producer has stopped for good, or a producer parked in {@code put()} after the consumer has, never
 * wakes, and the benchmark hangs. So the producer and the consumer wait in slices of
 * {@link #WAIT_SLICE_MILLIS} and re-check JMH's {@link Control#stopMeasurement} flag between slices
 * (JMH's documented technique, {@code JMHSample_18_Control}). {@code offer(e, timeout)} and
 * {@code poll(timeout)} run the same lock-and-condition path as {@code put} and {@code take}, and park
 * the thread the same way; the slice only bounds how late a thread notices the end of an iteration, it
 * does not change the throughput. {@code MessageQueue} has no timed publish, so its producer spins on
 * {@link MessageQueue#tryPublish} (a blocking {@code publish} could hang in the same way), and its
 * consumer spins on the non-blocking {@link MessageQueue#poll}, which is how a pulling consumer uses it.
 * Spinning burns a core where the blocking queues park; on a two-core machine that is part of what the
 * messageQueue group measures.
 *
 * <p><b>How to run it</b>, from the repository root (the benchmarks compile with the module's test
 * sources, so a normal build keeps them compiling; they run only when asked):
 *
 * <pre>
 * ./mvnw verify                                              # once: builds and installs everything
 * ./mvnw -q -pl solutions/chapter05-inmemory exec:exec@jmh   # runs this benchmark
 * ./mvnw -q -pl solutions/chapter05-inmemory exec:exec@jmh -Djmh.args="HandOffBenchmark -rf json"
 * </pre>
 * The {@code jmh} execution (in the module's pom.xml) starts {@code org.openjdk.jmh.Main} in a forked
 * JVM with the module's test classpath, so that JMH's own benchmark forks find these classes.
 *
 * <p>Standard JMH options apply: {@code -p capacity=16} for another capacity, {@code -prof gc} for the
 * allocation per operation, {@code -f 1 -wi 2 -i 3} for a quick look (too short to quote). Run nothing
 * else heavy at the same time: both threads of a group need a core each.
 *
 * <p><b>How to read the result.</b> Each group prints three lines: the group's score, which is the
 * producer's and the consumer's operations added together, and one line per method. Read the consumer's
 * line ({@code arrayTake}, {@code boundedTake}, {@code pollAndAck}): that is completed hand-offs per
 * microsecond. (The producer's line is the same number give or take the few elements still in the queue
 * at the end of an iteration.) Divide by the baseline's, within one run: {@code boundedTake / arrayTake}
 * near 1.0 means the exercise 5.1 queue is as fast as the JDK's, as it should be with the same design; a
 * ratio well below 1.0 usually means a lock held too long, {@code signalAll()} where {@code signal()}
 * does, or a notify on every call. {@code pollAndAck / arrayTake} is the price of the broker's per-message
 * bookkeeping; it is expected to be well below 1.0. {@code pollBatchedAndAck / arrayTake} is the same
 * bookkeeping with the consumer's lock round-trips shared by a batch, which is how real consumers take
 * messages (see the last paragraph). The {@code ±} is JMH's 99.9% confidence interval:
 * when two intervals overlap, the run does not show a difference. Hand-offs between two threads on two
 * cores are sensitive to scheduling and to other load, so compare ratios from one run, not absolute
 * numbers across machines or runs.
 *
 * <p>A real broker rarely pays for one lock round-trip per message: Kafka's producer batches records,
 * RabbitMQ's consumers take up to {@code prefetch} deliveries at a time, SQS's {@code ReceiveMessage}
 * returns up to ten, and the LMAX Disruptor hands off through a ring buffer with no lock at all. The
 * {@code messageQueue} group measures the one-at-a-time case the exercises build; the
 * {@code messageQueueBatched} group measures the same queue consumed a batch at a time, with every
 * message still tracked in flight and acknowledged. The chapter README explains the gap between them.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// Two forks, so a JIT or memory-layout accident in one JVM shows up as a wide error instead of a quiet
// wrong number. jvmArgs (not jvmArgsAppend) replaces the launching JVM's flags, so running this from
// Maven or an IDE does not carry -ea (MessageQueue's assertions would be measured) or a small -Xmx into
// the forks. A fixed, pre-touched heap keeps heap resizing and first-touch page faults out of the
// numbers; the messageQueue group allocates a few hundred bytes per message.
@Fork(value = 2, jvmArgs = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
// Enough for C2 to compile the lock and queue paths: they are hot from the first millisecond.
@Warmup(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
// Ten one-second iterations per fork: twenty samples per group, about 35 s per group, about three
// minutes for the five groups.
@Measurement(iterations = 10, time = 1, timeUnit = TimeUnit.SECONDS)
public class HandOffBenchmark {

    /**
     * How long a producer or consumer waits before it re-checks whether the iteration has ended. Only
     * the end of an iteration is delayed by it; while both threads run, a wait ends at the hand-off.
     */
    static final long WAIT_SLICE_MILLIS = 10;

    /** What the blocking queues carry: one shared object, so that the benchmark allocates nothing. */
    static final Object ELEMENT = new Object();

    /** The message body published to the MessageQueue; small, so the copy does not dominate. */
    static final byte[] BODY = new byte[16];

    static final String CONSUMER = "bench-consumer";

    /**
     * The queue that the producer and the consumer of one {@code arrayBlockingQueue} group share.
     *
     * <p>Shared by the two threads of a group ({@link Scope#Group}). The field is written only in
     * {@link #setUp()}, which JMH runs before either thread starts an iteration and publishes safely to
     * both; the queue itself is thread safe.
     */
    @State(Scope.Group)
    public static class ArrayQueueState {
        @Param("1024")
        int capacity;

        ArrayBlockingQueue<Object> queue;

        /**
         * A fresh, empty queue per iteration: the previous iteration may have ended with the queue full,
         * and the next one should not start with a backlog its consumer drains for free.
         */
        @Setup(Level.Iteration)
        public void setUp() {
            queue = new ArrayBlockingQueue<>(capacity);
        }
    }

    /**
     * The queue that the producer and the consumer of one {@code boundedBlockingQueue} group share.
     * Thread-safety and lifetime as {@link ArrayQueueState}.
     */
    @State(Scope.Group)
    public static class BoundedQueueState {
        @Param("1024")
        int capacity;

        BoundedBlockingQueue<Object> queue;

        @Setup(Level.Iteration)
        public void setUp() {
            queue = new BoundedBlockingQueue<>(capacity);
        }
    }

    /**
     * The broker queue that the producer and the consumer of one {@code messageQueue} group share.
     * Thread-safety and lifetime as {@link ArrayQueueState}; a fresh queue per iteration also keeps
     * delivery tags and counters from growing across iterations.
     */
    @State(Scope.Group)
    public static class MessageQueueState {
        @Param("1024")
        int capacity;

        MessageQueue queue;

        @Setup(Level.Iteration)
        public void setUp() {
            // The system clock, as the broker uses: a delivery reads it once for its visibility deadline.
            // The 30 s default visibility timeout never expires within an iteration, and nothing calls
            // expireDeliveries(), so no message is redelivered.
            queue = new MessageQueue("bench", QueueConfig.withCapacity(capacity), Clock.systemUTC());
        }
    }

    /**
     * The batch the producer of a {@code messageQueueBatched} group publishes (the same small body
     * {@link #batch} times) and the ids of the last batch's accepted messages not yet counted. Confined
     * to the producer's thread ({@link Scope#Thread}).
     */
    @State(Scope.Thread)
    public static class ProducerBatch {
        /** Up to how many messages one {@link MessageQueue#tryPublish(List)} publishes. */
        @Param("32")
        int batch;

        List<byte[]> bodies;
        long[] accepted;
        int next;

        @Setup(Level.Iteration)
        public void setUp() {
            bodies = Collections.nCopies(batch, BODY);
            accepted = new long[0];
            next = 0;
        }
    }

    /**
     * What the consumer of a {@code messageQueueBatched} group has polled and not yet handed on, and the
     * tags it will acknowledge together. Confined to the consumer's thread ({@link Scope#Thread}).
     */
    @State(Scope.Thread)
    public static class ConsumerBatch {
        /** Up to how many deliveries one {@link MessageQueue#poll(String, int)} takes. */
        @Param("32")
        int batch;

        List<Delivery> polled;
        int next;
        long[] tags;

        @Setup(Level.Iteration)
        public void setUp() {
            polled = List.of();
            next = 0;
        }
    }

    /**
     * The control experiment of the chapter README: {@link ArrayBlockingQueue} carries the messages and
     * the consumer does {@link MessageQueue}'s per-message bookkeeping next to it, under a lock that only
     * the consumer takes. Shared by the two threads of a group; the producer touches only {@link #queue}
     * and {@link #nextId}, the consumer everything else.
     */
    @State(Scope.Group)
    public static class BookkeepingState {
        @Param("1024")
        int capacity;

        ArrayBlockingQueue<MessageQueue.Message> queue;
        final ReentrantLock lock = new ReentrantLock();
        final Clock clock = Clock.systemUTC();
        LinkedHashMap<Long, MessageQueue.InFlight> inFlight;
        long nextId;
        long nextTag;

        @Setup(Level.Iteration)
        public void setUp() {
            queue = new ArrayBlockingQueue<>(capacity);
            inFlight = new LinkedHashMap<>();
            nextId = 0;
            nextTag = 1;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // (b) the baseline: java.util.concurrent.ArrayBlockingQueue
    // ---------------------------------------------------------------------------------------------

    /** Puts one element, waiting for space in slices until it fits or the iteration ends. */
    @Benchmark
    @Group("arrayBlockingQueue")
    @GroupThreads(1)
    public boolean arrayPut(ArrayQueueState state, Control control) throws InterruptedException {
        while (!control.stopMeasurement) {
            if (state.queue.offer(ELEMENT, WAIT_SLICE_MILLIS, TimeUnit.MILLISECONDS)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Takes one element, waiting in slices until one arrives or the iteration ends.
     *
     * @return the element, so that JMH consumes it and the JIT cannot remove the take; {@code null} only
     *         after the measurement ended
     */
    @Benchmark
    @Group("arrayBlockingQueue")
    @GroupThreads(1)
    public Object arrayTake(ArrayQueueState state, Control control) throws InterruptedException {
        while (!control.stopMeasurement) {
            Object element = state.queue.poll(WAIT_SLICE_MILLIS, TimeUnit.MILLISECONDS);
            if (element != null) {
                return element;
            }
        }
        return null;
    }

    /** As {@link #arrayPut}, but with what {@link MessageQueue#tryPublish} makes: a copy and a message. */
    @Benchmark
    @Group("arrayBlockingQueueWithBookkeeping")
    @GroupThreads(1)
    public boolean bookkeepingPut(BookkeepingState state, Control control) throws InterruptedException {
        MessageQueue.Message message = new MessageQueue.Message(state.nextId++, BODY.clone(), 0);
        while (!control.stopMeasurement) {
            if (state.queue.offer(message, WAIT_SLICE_MILLIS, TimeUnit.MILLISECONDS)) {
                return true;
            }
        }
        return false;
    }

    /**
     * As {@link #arrayTake}, then what {@link MessageQueue#poll(String)} and {@link MessageQueue#ack} do
     * for the message it took: a delivery and an in-flight entry with a deadline, recorded, then looked up
     * and removed, each under the consumer's own (never contended) lock.
     */
    @Benchmark
    @Group("arrayBlockingQueueWithBookkeeping")
    @GroupThreads(1)
    public boolean bookkeepingTake(BookkeepingState state, Control control) throws InterruptedException {
        while (!control.stopMeasurement) {
            MessageQueue.Message head = state.queue.poll(WAIT_SLICE_MILLIS, TimeUnit.MILLISECONDS);
            if (head == null) {
                continue;
            }
            long tag;
            state.lock.lock();
            try {
                MessageQueue.Message delivered = new MessageQueue.Message(head.id(), head.body(), 1);
                Delivery delivery = new Delivery("bench", state.nextTag++, head.id(), head.body(), 1);
                long deadline = state.clock.millis() + 30_000;
                state.inFlight.put(delivery.tag(), new MessageQueue.InFlight(delivery, delivered, CONSUMER,
                    deadline, null));
                tag = delivery.tag();
            } finally {
                state.lock.unlock();
            }
            state.lock.lock();
            try {
                MessageQueue.InFlight held = state.inFlight.get(tag);
                return held != null && held.consumer().equals(CONSUMER) && state.inFlight.remove(tag) != null;
            } finally {
                state.lock.unlock();
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------
    // (a) exercise 5.1: BoundedBlockingQueue, the same loops as the baseline
    // ---------------------------------------------------------------------------------------------

    /** As {@link #arrayPut}, on the workbook's queue. */
    @Benchmark
    @Group("boundedBlockingQueue")
    @GroupThreads(1)
    public boolean boundedPut(BoundedQueueState state, Control control) throws InterruptedException {
        while (!control.stopMeasurement) {
            if (state.queue.offer(ELEMENT, WAIT_SLICE_MILLIS, TimeUnit.MILLISECONDS)) {
                return true;
            }
        }
        return false;
    }

    /** As {@link #arrayTake}, on the workbook's queue. */
    @Benchmark
    @Group("boundedBlockingQueue")
    @GroupThreads(1)
    public Object boundedTake(BoundedQueueState state, Control control) throws InterruptedException {
        while (!control.stopMeasurement) {
            Object element = state.queue.poll(WAIT_SLICE_MILLIS, TimeUnit.MILLISECONDS);
            if (element != null) {
                return element;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------
    // (c) exercises 5.2 and 5.3: the broker's MessageQueue, publish then poll and ack
    // ---------------------------------------------------------------------------------------------

    /**
     * Publishes one message, retrying while the queue is at capacity until it fits or the iteration
     * ends.
     *
     * @return the message id, or -1 only after the measurement ended
     */
    @Benchmark
    @Group("messageQueue")
    @GroupThreads(1)
    public long publish(MessageQueueState state, Control control) {
        while (!control.stopMeasurement) {
            OptionalLong id = state.queue.tryPublish(BODY);
            if (id.isPresent()) {
                return id.getAsLong();
            }
            // Tells the CPU this is a spin loop, so the consumer's hyper-thread sibling (if any) gets the
            // core's resources while the producer waits for space.
            Thread.onSpinWait();
        }
        return -1;
    }

    /**
     * Pulls one delivery and acknowledges it at once, as a pulling consumer that has processed the
     * message does; retries while the queue is empty until a message arrives or the iteration ends.
     * Acknowledging keeps the in-flight table at one entry, so the queue never reaches its in-flight
     * limit.
     *
     * @return whether the ack was accepted (always, unless the measurement ended first)
     */
    @Benchmark
    @Group("messageQueue")
    @GroupThreads(1)
    public boolean pollAndAck(MessageQueueState state, Control control) {
        while (!control.stopMeasurement) {
            Optional<Delivery> delivery = state.queue.poll(CONSUMER);
            if (delivery.isPresent()) {
                return state.queue.ack(CONSUMER, delivery.get().tag());
            }
            Thread.onSpinWait();
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------
    // (d) the same broker queue, consumed as real consumers do: a batch per lock acquisition
    // ---------------------------------------------------------------------------------------------

    /**
     * Hands one message to the queue per call, as {@link #publish} does, but publishes them up to
     * {@link ProducerBatch#batch} at a time with {@link MessageQueue#tryPublish(List)}, as Kafka's
     * producer sends a batch of records per request. A call that finds accepted messages not yet counted
     * counts one; otherwise it publishes the next batch (the queue accepts the prefix that fits).
     *
     * @return the id of the message counted, or -1 only after the measurement ended
     */
    @Benchmark
    @Group("messageQueueBatched")
    @GroupThreads(1)
    public long publishBatched(MessageQueueState state, ProducerBatch batch, Control control) {
        while (!control.stopMeasurement) {
            if (batch.next < batch.accepted.length) {
                return batch.accepted[batch.next++];
            }
            batch.accepted = state.queue.tryPublish(batch.bodies);
            batch.next = 0;
            if (batch.accepted.length == 0) {
                Thread.onSpinWait();
            }
        }
        return -1;
    }

    /**
     * Hands on one delivery per call, as {@link #pollAndAck} does, but takes them from the queue up to
     * {@link ConsumerBatch#batch} at a time with {@link MessageQueue#poll(String, int)}, and acknowledges
     * a batch with one {@link MessageQueue#ack(String, long[])} once its last delivery is handed on: a
     * prefetching consumer that settles what it has processed together. Every message is still
     * delivered, tracked in flight and acknowledged; only the lock acquisitions (and the cache-line
     * transfers between the two cores that come with them) are shared by a batch. One call is one
     * hand-off, so the score reads like the other groups'.
     *
     * @return the delivery handed on, or {@code null} only after the measurement ended
     */
    @Benchmark
    @Group("messageQueueBatched")
    @GroupThreads(1)
    public Delivery pollBatchedAndAck(MessageQueueState state, ConsumerBatch batch, Control control) {
        while (!control.stopMeasurement) {
            if (batch.next < batch.polled.size()) {
                Delivery delivery = batch.polled.get(batch.next);
                batch.tags[batch.next++] = delivery.tag();
                if (batch.next == batch.polled.size()) {
                    state.queue.ack(CONSUMER, batch.tags);
                }
                return delivery;
            }
            batch.polled = state.queue.poll(CONSUMER, batch.batch);
            batch.next = 0;
            batch.tags = new long[batch.polled.size()];
            if (batch.polled.isEmpty()) {
                Thread.onSpinWait();
            }
        }
        return null;
    }
}

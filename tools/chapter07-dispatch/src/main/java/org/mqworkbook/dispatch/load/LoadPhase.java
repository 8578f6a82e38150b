package org.mqworkbook.dispatch.load;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.mqworkbook.dispatch.client.ConsumedRecord;
import org.mqworkbook.dispatch.client.DispatchClient;
import org.mqworkbook.dispatch.client.GroupConsumer;
import org.mqworkbook.dispatch.protocol.Message;

/**
 * One phase of a load run against a started broker: create a topic, let a consumer group of
 * {@link LoadSettings#consumers()} members join it and settle, then let {@link LoadSettings#producers()}
 * connections produce {@link LoadSettings#messages()} keyed records as fast as their windows allow while
 * the group consumes them, until every message has been delivered (or the timeout).
 *
 * <pre>
 *  producer p: keys p, p+P, p+2P...   ids p, p+P, p+2P...   Semaphore(window) ─► produceAsync ─► ack: release
 *  consumer c: poll ─► ledger.delivered(...) for each record ─► commit ─► poll ...   (an empty poll: park)
 * </pre>
 *
 * <p>Each key belongs to one producer and a producer's connection is served in order, so each key's
 * records are appended in the order they were sent: what the ledger checks on the consumer side.
 */
final class LoadPhase {
    private static final String HOST = "127.0.0.1";
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);
    /** The broker's long poll: short, so that a member notices the end of a phase quickly. */
    private static final Duration POLL_WAIT = Duration.ofMillis(100);
    /** How long a member that owns no partition (more members than partitions) waits between heartbeats. */
    private static final long IDLE_MEMBER_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final int port;
    private final String topic;
    private final String group;
    private final int partitions;
    private final LoadSettings settings;

    private final DeliveryLedger ledger;
    private final Histogram ackLatency = new ConcurrentHistogram(3);
    private final List<Histogram> endToEnd = new ArrayList<>();
    private final List<Histogram> commitLatency = new ArrayList<>();
    private final LongAdder produceErrors = new LongAdder();
    private final LongAdder offsetCommits = new LongAdder();
    private final LongAdder polls = new LongAdder();
    private final AtomicLong lastAckNanos = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final CountDownLatch go = new CountDownLatch(1);
    private final AtomicIntegerArray memberGenerations;
    private volatile long startNanos;

    private LoadPhase(int port, String topic, String group, int partitions, LoadSettings settings) {
        this.port = port;
        this.topic = topic;
        this.group = group;
        this.partitions = partitions;
        this.settings = settings;
        this.ledger = new DeliveryLedger(settings.messages(), settings.keys());
        this.memberGenerations = new AtomicIntegerArray(settings.consumers());
    }

    /** Runs one phase on topic {@code topic} (created with {@code partitions}) and consumer group {@code group}. */
    static PhaseResult run(int port, String topic, String group, int partitions, LoadSettings settings)
        throws InterruptedException {
        return new LoadPhase(port, topic, group, partitions, settings).run();
    }

    private PhaseResult run() throws InterruptedException {
        List<Thread> consumers = new ArrayList<>();
        List<Thread> producers = new ArrayList<>();
        try (DispatchClient admin = DispatchClient.connect(HOST, port, CLIENT_TIMEOUT)) {
            admin.createTopic(topic, partitions);
            for (int c = 0; c < settings.consumers(); c++) {
                Histogram e2e = new Histogram(3);
                Histogram commits = new Histogram(3);
                endToEnd.add(e2e);
                commitLatency.add(commits);
                int member = c;
                consumers.add(start("load-consumer-" + c, () -> consume(member, e2e, commits)));
            }
            awaitSettledGroup(admin);
            for (int p = 0; p < settings.producers(); p++) {
                int producer = p;
                producers.add(start("load-producer-" + p, () -> produce(producer)));
            }
            startNanos = System.nanoTime();
            go.countDown();
            long deadline = startNanos + settings.timeout().toNanos();
            while (!ledger.isComplete() && failure.get() == null && System.nanoTime() < deadline) {
                ledger.awaitComplete(100, TimeUnit.MILLISECONDS);
            }
        } catch (IOException | RuntimeException e) {
            failure.compareAndSet(null, e);
        } finally {
            stop.set(true);
            go.countDown();
            for (Thread thread : producers) {
                thread.join();
            }
            for (Thread thread : consumers) {
                thread.join();
            }
        }
        return result();
    }

    /** Waits until every member joined and adopted the group's latest generation, so no rebalance is left. */
    private void awaitSettledGroup(DispatchClient admin) {
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && failure.get() == null) {
            Message.Group described = admin.describe(group);
            if (described.members().size() == settings.consumers() && allAdopted(described.generation())) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
        throw new IllegalStateException("the consumer group " + group + " did not settle within " + SETTLE_TIMEOUT);
    }

    private boolean allAdopted(int generation) {
        for (int c = 0; c < memberGenerations.length(); c++) {
            if (memberGenerations.get(c) != generation) {
                return false;
            }
        }
        return true;
    }

    private Thread start(String name, Body body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            }
        }, name);
        thread.start();
        return thread;
    }

    /** A thread's work; any exception is the phase's failure. */
    private interface Body {
        void run() throws Exception;
    }

    private void produce(int producer) throws Exception {
        int count = settings.producers();
        List<Integer> ownKeys = new ArrayList<>();
        for (int key = producer; key < settings.keys(); key += count) {
            ownKeys.add(key);
        }
        byte[][] keyBytes = new byte[ownKeys.size()][];
        for (int i = 0; i < keyBytes.length; i++) {
            keyBytes[i] = Payload.keyBytes(ownKeys.get(i));
        }
        long[] sequences = new long[ownKeys.size()];
        Semaphore window = new Semaphore(settings.window());
        try (DispatchClient client = DispatchClient.connect(HOST, port, CLIENT_TIMEOUT)) {
            go.await();
            int slot = 0;
            for (int id = producer; id < settings.messages() && !stop.get(); id += count) {
                window.acquire();
                long sent = System.nanoTime();
                int messageId = id;
                byte[] value = new Payload(sent, ownKeys.get(slot), sequences[slot]++, id).encode(settings.size());
                client.produceAsync(topic, keyBytes[slot], value, null).whenComplete((position, error) -> {
                    long now = System.nanoTime();
                    if (error == null) {
                        ackLatency.recordValue(now - sent);
                        ledger.acknowledged(messageId);
                        lastAckNanos.accumulateAndGet(now, Math::max);
                    } else {
                        produceErrors.increment();
                    }
                    window.release();
                });
                slot = slot + 1 == ownKeys.size() ? 0 : slot + 1;
            }
            if (!window.tryAcquire(settings.window(), settings.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("producer " + producer + " still had unanswered requests after "
                    + settings.timeout());
            }
        }
    }

    private void consume(int member, Histogram e2e, Histogram commits) throws IOException {
        try (DispatchClient client = DispatchClient.connect(HOST, port, CLIENT_TIMEOUT);
             GroupConsumer consumer = new GroupConsumer(client, group, "member-" + member, List.of(topic), "*",
                 settings.fetchBytes()).maxWait(POLL_WAIT)) {
            int uncommittedPolls = 0;
            while (!stop.get() && !ledger.isComplete()) {
                List<ConsumedRecord> records = consumer.poll();
                memberGenerations.set(member, consumer.generation());
                if (records.isEmpty()) {
                    if (consumer.partitions().isEmpty()) {
                        LockSupport.parkNanos(IDLE_MEMBER_PARK_NANOS); // owns nothing: its poll returns at once
                    }
                    continue; // otherwise the poll already waited in the broker for a record
                }
                polls.increment();
                long now = System.nanoTime();
                for (ConsumedRecord record : records) {
                    Payload payload = Payload.decode(record.record().value());
                    if (payload != null) {
                        e2e.recordValue(Math.max(0, now - payload.sentNanos()));
                    }
                    ledger.delivered(payload, now);
                }
                if (++uncommittedPolls < settings.commitEvery()) {
                    continue;
                }
                uncommittedPolls = 0;
                long before = System.nanoTime();
                consumer.commit(); // after processing: at least once
                commits.recordValue(System.nanoTime() - before);
                offsetCommits.add(consumer.partitions().size());
            }
        }
    }

    private PhaseResult result() {
        Histogram e2e = new Histogram(3);
        endToEnd.forEach(e2e::add);
        Histogram commits = new Histogram(3);
        commitLatency.forEach(commits::add);
        long start = startNanos;
        long lastAck = lastAckNanos.get();
        long completed = ledger.completedAtNanos();
        Throwable cause = failure.get();
        return new PhaseResult(settings.messages(), ledger.acknowledgedCount(), produceErrors.sum(),
            start == 0 || lastAck == 0 ? 0 : lastAck - start, start == 0 || completed == 0 ? 0 : completed - start,
            ledger.distinct(), ledger.lost(), ledger.duplicates(), ledger.orderViolations(), offsetCommits.sum(),
            polls.sum(), ackLatency, e2e, commits, cause == null ? null : cause.toString());
    }
}

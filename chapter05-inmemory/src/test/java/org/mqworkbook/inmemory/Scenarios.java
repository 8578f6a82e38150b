package org.mqworkbook.inmemory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.mqworkbook.testkit.ManualClock;
import org.mqworkbook.testkit.history.DeliveryHistory;

/**
 * The chapter's workload scenarios. Each records what happened in a {@link DeliveryHistory}; the
 * exercise tests run them against the learner's code and expect a clean history, the failure museum
 * runs them against known-bad queues and expects the history to show the damage.
 *
 * <p>Every scenario is bounded: in messages, and in time (a stuck thread is given up on and reported,
 * never waited for forever).
 */
public final class Scenarios {
    private Scenarios() {
    }

    /** A scenario's history plus any exception a worker thread died of, or "stuck" if one never finished. */
    public record Outcome(DeliveryHistory history, List<String> errors) {
    }

    /**
     * {@code producers} threads each put {@code perProducer} messages ("p2-17": producer 2, 17th
     * message, key "p2"); {@code consumers} threads take until every message is taken. Producers pause
     * for a seeded random handful of spins now and then, so that each seed interleaves differently.
     */
    public static Outcome producersAndConsumers(Buffer<String> buffer, int producers, int consumers, int perProducer,
                                         Random random) throws InterruptedException {
        DeliveryHistory history = new DeliveryHistory();
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        int total = producers * perProducer;
        AtomicInteger taken = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            long seed = random.nextLong();
            threads.add(new Thread(() -> {
                Random pauses = new Random(seed);
                try {
                    for (int n = 0; n < perProducer; n++) {
                        String id = "p" + producer + "-" + n;
                        history.sent("p" + producer, id);
                        buffer.put(id);
                        history.acknowledged(id);
                        if (pauses.nextInt(64) == 0) {
                            Thread.onSpinWait();
                        }
                    }
                } catch (InterruptedException e) {
                    errors.add("producer " + producer + " interrupted");
                } catch (RuntimeException e) {
                    errors.add("producer " + producer + " died: " + e);
                }
            }, "producer-" + p));
        }
        for (int c = 0; c < consumers; c++) {
            String consumer = "c" + c;
            threads.add(new Thread(() -> {
                try {
                    while (taken.get() < total) {
                        String id = buffer.poll(50, TimeUnit.MILLISECONDS);
                        if (id != null) {
                            taken.incrementAndGet();
                            history.consumed(consumer, id);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    errors.add("consumer " + consumer + " died: " + e);
                }
            }, "consumer-" + c));
        }
        runBounded(threads, Duration.ofSeconds(8), errors);
        return new Outcome(history, List.copyOf(errors));
    }

    /**
     * {@code messages} messages are published, then consumers chosen at random (seeded) poll one
     * message each turn and either process and ack it, crash (the broker is told the consumer is gone,
     * and a failure is recorded), or stall (never ack; the clock later passes the visibility timeout
     * and the queue must redeliver). Single-threaded, so a seed replays the exact same run.
     *
     * @return the history; the scenario also checks that at least one crash and one stall happened
     */
    public static Outcome crashingConsumers(AckingQueue queue, ManualClock clock, Duration visibilityTimeout,
                                     int messages, Random random) throws InterruptedException {
        DeliveryHistory history = new DeliveryHistory();
        List<String> errors = new ArrayList<>();
        for (int n = 0; n < messages; n++) {
            String id = "m" + n;
            history.sent(id);
            queue.publish(id.getBytes(StandardCharsets.UTF_8));
            history.acknowledged(id);
        }
        int crashes = 0;
        int stalls = 0;
        int generation = 0;
        int idleTurns = 0;
        for (int turn = 0; turn < messages * 20 && idleTurns < 3; turn++) {
            String consumer = "c" + random.nextInt(3) + "." + generation;
            Optional<Delivery> delivery = queue.poll(consumer);
            if (delivery.isEmpty()) {
                // nothing ready: let time pass so that stalled deliveries become visible again
                clock.advance(visibilityTimeout.plusMillis(1));
                idleTurns = queue.expireDeliveries() == 0 ? idleTurns + 1 : 0;
                continue;
            }
            idleTurns = 0;
            String id = new String(delivery.get().body(), StandardCharsets.UTF_8);
            int fate = random.nextInt(10);
            if (fate == 0) {
                crashes++;
                generation++; // a restarted consumer comes back under a new name
                history.failure(consumer + " crashed holding " + id);
                queue.consumerGone(consumer);
            } else if (fate == 1) {
                stalls++;
                history.failure(consumer + " stalled holding " + id);
            } else {
                history.consumed(consumer, id);
                if (!queue.ack(consumer, delivery.get().tag())) {
                    errors.add("ack of " + id + " (tag " + delivery.get().tag() + ") by " + consumer + " refused");
                }
            }
        }
        if (crashes == 0 || stalls == 0) {
            errors.add("the seed produced " + crashes + " crashes and " + stalls + " stalls; the scenario needs both");
        }
        return new Outcome(history, errors);
    }

    private static void runBounded(List<Thread> threads, Duration limit, List<String> errors)
        throws InterruptedException {
        threads.forEach(t -> t.setDaemon(true));
        threads.forEach(Thread::start);
        long deadline = System.nanoTime() + limit.toNanos();
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(t, left);
            }
            if (t.isAlive()) {
                errors.add(t.getName() + " was still running after " + limit + " (stuck or lost wake-up)");
                t.interrupt();
            }
        }
    }
}

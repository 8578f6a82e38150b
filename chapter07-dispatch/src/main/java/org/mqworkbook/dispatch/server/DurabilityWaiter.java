package org.mqworkbook.dispatch.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.topic.RecordPosition;
import org.mqworkbook.dispatch.topic.Topic;

/**
 * Acknowledges produced records once they are on disk, without holding a request thread per record: a
 * single thread takes every record waiting, asks each partition's log once for the highest offset
 * waiting there (one fsync, shared by every producer on that partition), then answers them all. The same
 * idea as chapter 6's group commit one level up — batching across connections and partitions — and the
 * way Kafka's request purgatory parks a produce until its condition holds instead of blocking a thread.
 *
 * <p>Thread safe. Memory is bounded by the callers: the server stops reading a connection that has too
 * many requests in flight, so the queue cannot grow without limit.
 */
final class DurabilityWaiter implements AutoCloseable {
    /** One record waiting: where it is, and what to do when it is durable (null) or cannot be (the error). */
    private record Waiting(Topic topic, RecordPosition position, Consumer<Exception> done) {
    }

    /** Put in the queue by close(): everything before it is still acknowledged. */
    private static final Waiting STOP = new Waiting(null, null, null);

    private final LinkedBlockingQueue<Waiting> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    DurabilityWaiter(String name) {
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Calls {@code done} with null once the record is on disk, or with the exception that prevented it. */
    void whenDurable(Topic topic, RecordPosition position, Consumer<Exception> done) {
        if (closed) {
            done.accept(new IllegalStateException("the broker is shutting down"));
            return;
        }
        queue.add(new Waiting(topic, position, done));
    }

    private void run() {
        List<Waiting> batch = new ArrayList<>();
        boolean stopping = false;
        while (!stopping) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                continue; // nobody interrupts this thread on purpose: close() sends STOP instead
            }
            queue.drainTo(batch);
            stopping = batch.removeIf(waiting -> waiting == STOP);
            // Per partition, the highest offset waiting: once it is durable, everything below it is.
            Map<TopicPartition, Waiting> highest = new HashMap<>();
            for (Waiting waiting : batch) {
                highest.merge(waiting.position().partition(), waiting,
                    (a, b) -> a.position().offset() >= b.position().offset() ? a : b);
            }
            Map<TopicPartition, Exception> failures = new HashMap<>();
            for (Waiting waiting : highest.values()) {
                try {
                    waiting.topic().awaitDurable(waiting.position());
                } catch (IOException | InterruptedException | RuntimeException e) {
                    failures.put(waiting.position().partition(), e);
                }
            }
            for (Waiting waiting : batch) {
                try {
                    waiting.done().accept(failures.get(waiting.position().partition()));
                } catch (RuntimeException e) {
                    System.err.println("acknowledging " + waiting.position() + " failed: " + e);
                }
            }
            batch.clear();
        }
    }

    /** Acknowledges what is already waiting (their fsyncs still happen), then stops the thread. */
    @Override
    public void close() {
        closed = true;
        queue.add(STOP);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stop waiting; the caller sees the interrupt
        }
    }
}

package org.mqworkbook.dispatch.broker;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.topic.PartitionOffset;
import org.mqworkbook.dispatch.topic.Topic;

/**
 * Acknowledges produced records once they are on disk, without holding a request thread per record: a
 * single thread takes every record waiting, asks each partition's log once for the highest offset
 * waiting there (one fsync, shared by every producer on that partition), then answers them all. The same
 * idea as chapter 6's group commit one level up — batching across connections and partitions — and the
 * way Kafka's request purgatory parks a produce until its condition holds instead of blocking a thread.
 * With sync threads the partitions' fsyncs of one batch run side by side; measured on the workbook's
 * 2-core machine that made batches smaller and did not help (chapter README, "Performance"), so the
 * server's default is one.
 *
 * <p>Thread safe. Memory is bounded by the callers: the server stops reading a connection that has too
 * many requests in flight, so the queue cannot grow without limit.
 */
final class DurabilityWaiter implements AutoCloseable {
    /** One record waiting: where it is, and what to do when it is durable (null) or cannot be (the error). */
    private record Waiting(Topic topic, PartitionOffset appended, Consumer<Exception> done) {
    }

    /** Put in the queue by close(): everything before it is still acknowledged. */
    private static final Waiting STOP = new Waiting(null, null, null);

    private final LinkedBlockingQueue<Waiting> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    /** Runs the fsyncs of several partitions at once; null to run them one after another. */
    private final ExecutorService syncPool;
    /** Set by close() under {@link #lock}; whenDurable adds under the same lock, so nothing lands after STOP. */
    private boolean closed;
    private final Object lock = new Object();

    /**
     * @param syncThreads how many partitions' fsyncs may run at once (1: one after another, on this
     *                    waiter's own thread)
     */
    DurabilityWaiter(String name, int syncThreads) {
        syncPool = syncThreads > 1
            ? Executors.newFixedThreadPool(syncThreads, new DefaultThreadFactory(name + "-sync", true)) : null;
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Calls {@code done} with null once the record is on disk, or with the exception that prevented it. */
    void whenDurable(Topic topic, PartitionOffset appended, Consumer<Exception> done) {
        synchronized (lock) {
            if (!closed) {
                queue.add(new Waiting(topic, appended, done));
                return;
            }
        }
        done.accept(new ShuttingDownException()); // outside the lock: the callback may do anything
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
                highest.merge(waiting.appended().partition(), waiting,
                    (a, b) -> a.appended().offset() >= b.appended().offset() ? a : b);
            }
            Map<TopicPartition, Exception> failures = syncAll(highest.values());
            for (Waiting waiting : batch) {
                try {
                    waiting.done().accept(failures.get(waiting.appended().partition()));
                } catch (RuntimeException e) {
                    System.err.println("acknowledging " + waiting.appended() + " failed: " + e);
                }
            }
            batch.clear();
        }
    }

    /**
     * Makes each waiting record durable — one fsync per partition — and returns the failures by partition.
     * With sync threads, the partitions' fsyncs run side by side: a disk (and ext4's journal) serves
     * several at once in little more than the time of one, where one after another they add up.
     */
    private Map<TopicPartition, Exception> syncAll(Collection<Waiting> waiting) {
        Map<TopicPartition, Exception> failures = new ConcurrentHashMap<>();
        if (syncPool == null || waiting.size() == 1) {
            for (Waiting record : waiting) {
                sync(record, failures);
            }
            return failures;
        }
        List<Callable<Void>> syncs = new ArrayList<>(waiting.size());
        for (Waiting record : waiting) {
            syncs.add(() -> {
                sync(record, failures);
                return null;
            });
        }
        try {
            syncPool.invokeAll(syncs); // each task records its own failure; nothing is thrown out of them
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            for (Waiting record : waiting) {
                failures.putIfAbsent(record.appended().partition(), e);
            }
        }
        return failures;
    }

    private static void sync(Waiting record, Map<TopicPartition, Exception> failures) {
        try {
            record.topic().awaitDurable(record.appended());
        } catch (IOException | InterruptedException | RuntimeException e) {
            failures.put(record.appended().partition(), e);
        }
    }

    /** Acknowledges what is already waiting (their fsyncs still happen), then stops the thread. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(STOP); // everything added before this is acknowledged; nothing can be added after it
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stop waiting; the caller sees the interrupt
        }
        // Only if the thread did not finish in time: whatever it left is answered, never forgotten.
        for (Waiting waiting; (waiting = queue.poll()) != null; ) {
            if (waiting != STOP) {
                waiting.done().accept(new ShuttingDownException());
            }
        }
        if (syncPool != null) {
            syncPool.shutdown();
        }
    }
}

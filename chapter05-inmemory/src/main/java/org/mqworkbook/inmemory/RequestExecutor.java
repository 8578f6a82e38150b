package org.mqworkbook.inmemory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.mqworkbook.marker.ExerciseNotDone;

/**
 * The hand-off from network threads to broker threads: a bounded request queue and a fixed pool of
 * worker threads that take requests from it and execute them (exercise 5.5, the book's 多线程模型).
 *
 * <pre>
 *  event-loop threads                     worker threads
 *  (decode frames, never block)           (execute requests, may take locks)
 *   ──► trySubmit ──► [ request queue (BoundedBlockingQueue, capacity N) ] ──► take ──► run
 *          │ full or shut down
 *          └──► false: the caller answers BUSY / SHUTTING_DOWN instead of waiting
 * </pre>
 *
 * <p>Kafka's broker has this shape: network threads put requests on a bounded request channel
 * ({@code queued.max.requests}), and request-handler threads ({@code num.io.threads}) execute them.
 *
 * <p>Methods of this class are thread safe. {@link #trySubmit} never blocks, so an event loop may call
 * it. {@link #shutdown} may block; call it from a thread that may wait.
 *
 * <p>Graceful shutdown loses nothing that was accepted: once {@link #trySubmit} has returned
 * {@code true}, the task runs, even if shutdown begins a moment later. To make that true, the check
 * "are we shutting down?" and the enqueue happen under one lock ({@link #stateLock}); shutdown flips
 * the flag under the same lock, then enqueues one stop signal per worker <em>behind</em> every
 * accepted task (the queue is FIFO), and waits for the workers to reach them.
 */
public final class RequestExecutor {
    /** What a worker takes to know it should stop: queued behind every accepted task. */
    private static final Runnable STOP = () -> { };

    private final String name;
    private final BoundedBlockingQueue<Runnable> requests;
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicLong failures = new AtomicLong();

    /** Guards {@link #shuttingDown} together with the enqueue in {@link #trySubmit}. */
    private final Object stateLock = new Object();
    /** Guarded by {@link #stateLock}. */
    private boolean shuttingDown;
    /** How many {@link #STOP} markers {@link #shutdown} has queued. Guarded by {@code this}. */
    private int stopsQueued;

    /**
     * Starts {@code workerCount} worker threads named {@code name-worker-0, 1, ...}.
     *
     * @param queueCapacity the most requests accepted and not yet taken by a worker
     */
    public RequestExecutor(String name, int workerCount, int queueCapacity) {
        if (workerCount < 1) {
            throw new IllegalArgumentException("workerCount must be at least 1, was " + workerCount);
        }
        this.name = name;
        this.requests = new BoundedBlockingQueue<>(queueCapacity);
        for (int i = 0; i < workerCount; i++) {
            Thread worker = new Thread(this::runWorker, name + "-worker-" + i);
            worker.setDaemon(true);
            workers.add(worker);
        }
        workers.forEach(Thread::start);
    }

    /**
     * Accepts {@code task} for execution by a worker if the request queue has space and shutdown has
     * not begun. Never blocks.
     *
     * @return {@code true} if accepted (it will run), {@code false} if refused (it will not)
     */
    public boolean trySubmit(Runnable task) {
        // BEGIN EXERCISE 5.5
        throw new ExerciseNotDone("5.5");
        // END EXERCISE 5.5
    }

    /**
     * A worker's loop: take the next task and run it, until it takes {@link #STOP}. A task that throws
     * must not kill the worker: count it in {@link #failures} and go on. If interrupted while waiting,
     * stop.
     */
    private void runWorker() {
        // BEGIN EXERCISE 5.5
        throw new ExerciseNotDone("5.5");
        // END EXERCISE 5.5
    }

    /**
     * Stops accepting tasks, lets the workers finish every task already accepted, and waits up to
     * {@code grace} for them to do so. Calling it again waits again. Only one thread at a time runs it
     * (it is {@code synchronized}), so {@link #stopsQueued} needs no other guard.
     *
     * @return {@code true} if every worker finished within {@code grace}
     * @throws InterruptedException if interrupted while waiting
     */
    public synchronized boolean shutdown(Duration grace) throws InterruptedException {
        // BEGIN EXERCISE 5.5
        throw new ExerciseNotDone("5.5");
        // END EXERCISE 5.5
    }

    /** Whether {@link #shutdown} has begun. */
    public boolean isShutdown() {
        synchronized (stateLock) {
            return shuttingDown;
        }
    }

    /** Requests accepted and not yet taken by a worker. */
    public int queued() {
        return requests.size();
    }

    /** How many tasks threw instead of completing. */
    public long failures() {
        return failures.get();
    }

    @Override
    public String toString() {
        return "RequestExecutor[" + name + ", workers=" + workers.size() + ", queued=" + queued() + "]";
    }
}

package org.mqworkbook.inmemory;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.mqworkbook.marker.ExerciseNotDone;

/**
 * A first-in first-out queue with a fixed capacity, built on one lock and two conditions: the
 * in-memory queue of the book's section 用内存队列实现生产与消费 (exercise 5.1).
 *
 * <p>Methods of this class are thread safe. Every field below the lock is guarded by it.
 *
 * <p>Back-pressure without busy-waiting: a producer that finds the queue full parks on
 * {@link #notFull} until a consumer takes an element; a consumer that finds it empty parks on
 * {@link #notEmpty} until a producer puts one. Parked threads use no CPU. Two conditions rather than
 * one means a put wakes only consumers and a take wakes only producers, so {@code signal()} (wake one)
 * is enough and no waiter is woken for nothing. A thread that wakes must re-check its condition in a
 * loop: wake-ups can be spurious, and another thread may have got there first.
 *
 * <p>{@code java.util.concurrent.ArrayBlockingQueue} is the production version of this class; the
 * chapter's benchmark compares the two.
 *
 * @param <E> the element type; {@code null} is not allowed (it would be ambiguous with "empty")
 */
public final class BoundedBlockingQueue<E> {
    private final int capacity;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when an element is removed: a producer waiting for space may proceed. */
    private final Condition notFull = lock.newCondition();
    /** Signalled when an element is added: a consumer waiting for an element may proceed. */
    private final Condition notEmpty = lock.newCondition();
    /** The elements, head first. Never holds more than {@link #capacity}. */
    private final ArrayDeque<E> elements;

    /**
     * @param capacity the most elements the queue holds; at least 1
     */
    public BoundedBlockingQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.elements = new ArrayDeque<>(capacity);
    }

    /**
     * Adds {@code element} at the tail, waiting as long as it takes for space.
     *
     * @throws InterruptedException if interrupted while waiting; the element was not added
     */
    public void put(E element) throws InterruptedException {
        Objects.requireNonNull(element, "element");
        // BEGIN EXERCISE 5.1
        throw new ExerciseNotDone("5.1");
        // END EXERCISE 5.1
    }

    /**
     * Adds {@code element} at the tail if there is space now. Never waits: this is the method an
     * event-loop thread may call.
     *
     * @return {@code true} if added, {@code false} if the queue was full
     */
    public boolean offer(E element) {
        Objects.requireNonNull(element, "element");
        // BEGIN EXERCISE 5.1
        throw new ExerciseNotDone("5.1");
        // END EXERCISE 5.1
    }

    /**
     * Adds {@code element} at the tail, waiting at most {@code timeout} for space.
     *
     * @return {@code true} if added, {@code false} if the timeout elapsed first
     * @throws InterruptedException if interrupted while waiting; the element was not added
     */
    public boolean offer(E element, long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(element, "element");
        // BEGIN EXERCISE 5.1
        throw new ExerciseNotDone("5.1");
        // END EXERCISE 5.1
    }

    /**
     * Removes and returns the head, waiting as long as it takes for an element.
     *
     * @throws InterruptedException if interrupted while waiting; nothing was removed
     */
    public E take() throws InterruptedException {
        // BEGIN EXERCISE 5.1
        throw new ExerciseNotDone("5.1");
        // END EXERCISE 5.1
    }

    /**
     * Removes and returns the head, waiting at most {@code timeout} for an element.
     *
     * @return the head, or {@code null} if the timeout elapsed while the queue stayed empty
     * @throws InterruptedException if interrupted while waiting; nothing was removed
     */
    public E poll(long timeout, TimeUnit unit) throws InterruptedException {
        // BEGIN EXERCISE 5.1
        throw new ExerciseNotDone("5.1");
        // END EXERCISE 5.1
    }

    /** The number of elements now; stale as soon as it returns if other threads are at work. */
    public int size() {
        lock.lock();
        try {
            return elements.size();
        } finally {
            lock.unlock();
        }
    }

    /** The most elements this queue holds. */
    public int capacity() {
        return capacity;
    }
}

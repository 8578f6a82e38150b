package org.mqworkbook.inmemory.museum;

import java.util.concurrent.TimeUnit;
import org.mqworkbook.inmemory.Buffer;

/**
 * Exhibit 1: a bounded queue with no lock. Each method reads the count, decides, then writes the slot
 * and the count — "check, then act" in several steps that other threads can interleave with.
 *
 * <p>What goes wrong: two producers read the same {@code tail}, both write the same slot, one message
 * is overwritten (lost) and the count is off by one; two consumers read the same {@code head} and both
 * take the same message (duplicated). Without a lock there is also no happens-before edge, so a
 * consumer may see the new count before the slot's contents (a {@code null} "message"). Waiting is a
 * spin loop that burns a CPU where a condition would park the thread.
 *
 * <p>Deliberately NOT thread-safe: that is the exhibit.
 */
public final class UnsynchronizedQueue<E> implements Buffer<E> {
    private final Object[] slots;
    private int head;
    private int tail;
    private int count;

    public UnsynchronizedQueue(int capacity) {
        this.slots = new Object[capacity];
    }

    @Override
    public void put(E element) throws InterruptedException {
        while (count == slots.length) {
            spin();
        }
        slots[tail] = element;
        tail = (tail + 1) % slots.length;
        count++;
    }

    @Override
    @SuppressWarnings("unchecked")
    public E poll(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (count == 0) {
            if (System.nanoTime() > deadline) {
                return null;
            }
            spin();
        }
        E element = (E) slots[head];
        slots[head] = null;
        head = (head + 1) % slots.length;
        count--;
        return element;
    }

    private static void spin() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        Thread.yield();
    }
}

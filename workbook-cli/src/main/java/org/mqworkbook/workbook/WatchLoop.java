package org.mqworkbook.workbook;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The heart of {@code ./workbook watch}, apart from any terminal or file system: it takes
 * {@link Trigger}s from a queue (a {@link SourceWatcher} and a {@link KeyboardInput} put them there;
 * a test puts them there itself) and runs the tests once per burst of them.
 *
 * <p>Debouncing: an editor's save is often several events (write, truncate, rename; or several files
 * saved at once), so after a save the loop waits until no new event has come for the debounce period,
 * and runs once. Enter runs at once. A save during a run queues up and causes exactly one more run
 * afterwards: the result on the screen is always for the code on disk. q stops, even in the middle of
 * a burst.
 *
 * <p>Not thread-safe: {@link #run} is called from one thread, which also runs the action; other threads
 * only put triggers into the (thread-safe) queue.
 */
final class WatchLoop {
    private final BlockingQueue<Trigger> triggers;
    private final Duration debounce;

    WatchLoop(BlockingQueue<Trigger> triggers, Duration debounce) {
        this.triggers = triggers;
        this.debounce = debounce;
    }

    /**
     * Runs {@code action} once per burst of triggers, passing the first trigger of the burst (the moment
     * the learner saved), until a {@link Trigger.Quit} arrives.
     */
    void run(Consumer<Trigger> action) throws InterruptedException {
        while (true) {
            Trigger first = triggers.take();
            if (first instanceof Trigger.Quit) {
                return;
            }
            if (first instanceof Trigger.Saved) {
                for (Trigger more = poll(debounce); more != null; more = poll(debounce)) {
                    if (more instanceof Trigger.Quit) {
                        return;
                    }
                }
            }
            for (Trigger queued = triggers.poll(); queued != null; queued = triggers.poll()) {
                if (queued instanceof Trigger.Quit) {
                    return;
                }
            }
            action.accept(first);
        }
    }

    private Trigger poll(Duration wait) throws InterruptedException {
        return triggers.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
    }
}

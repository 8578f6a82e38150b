package org.mqworkbook.workbook;

import java.nio.file.Path;

/**
 * What wakes the watch loop. Each carries the {@link System#nanoTime()} at which it happened, so that the
 * loop can say how long after a save the result came.
 */
sealed interface Trigger {
    long atNanos();

    /** A source file was written. */
    record Saved(Path file, long atNanos) implements Trigger {
    }

    /** The learner pressed Enter: run again now (where file events do not arrive, or to re-run a flaky test). */
    record Rerun(long atNanos) implements Trigger {
    }

    /** The learner typed q: stop watching. */
    record Quit(long atNanos) implements Trigger {
    }
}

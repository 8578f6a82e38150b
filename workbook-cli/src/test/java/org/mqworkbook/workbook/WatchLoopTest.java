package org.mqworkbook.workbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The watch loop without a terminal or a file system: triggers go into the queue by hand. The debounce
 * is zero, so "the burst is over" means "nothing more is queued": no test waits for time to pass.
 */
@Timeout(10)
class WatchLoopTest {
    private final BlockingQueue<Trigger> triggers = new LinkedBlockingQueue<>();
    private final WatchLoop loop = new WatchLoop(triggers, Duration.ZERO);
    private final List<Trigger> runs = new ArrayList<>();

    private static Trigger saved(String file) {
        return new Trigger.Saved(Path.of(file), System.nanoTime());
    }

    private static Trigger quit() {
        return new Trigger.Quit(System.nanoTime());
    }

    @Test
    void runsOnceForABurstOfSaves() throws InterruptedException {
        Trigger first = saved("A.java");
        triggers.addAll(List.of(first, saved("A.java"), saved("B.java")));

        loop.run(cause -> {
            runs.add(cause);
            triggers.add(quit());
        });

        assertThat(runs).containsExactly(first);
    }

    @Test
    void enterRunsAgain() throws InterruptedException {
        triggers.add(new Trigger.Rerun(System.nanoTime()));

        loop.run(cause -> {
            runs.add(cause);
            triggers.add(quit());
        });

        assertThat(runs).singleElement().isInstanceOf(Trigger.Rerun.class);
    }

    @Test
    void aSaveDuringARunCausesExactlyOneMoreRun() throws InterruptedException {
        triggers.add(saved("A.java"));

        loop.run(cause -> {
            runs.add(cause);
            if (runs.size() == 1) {
                triggers.addAll(List.of(saved("A.java"), saved("A.java"))); // saved twice while the tests ran
            } else {
                triggers.add(quit());
            }
        });

        assertThat(runs).hasSize(2);
    }

    @Test
    void quitStopsWithoutRunning() throws InterruptedException {
        triggers.add(quit());

        loop.run(runs::add);

        assertThat(runs).isEmpty();
    }

    @Test
    void quitInTheMiddleOfABurstWins() throws InterruptedException {
        triggers.addAll(List.of(saved("A.java"), quit(), saved("A.java")));

        loop.run(runs::add);

        assertThat(runs).isEmpty();
    }
}

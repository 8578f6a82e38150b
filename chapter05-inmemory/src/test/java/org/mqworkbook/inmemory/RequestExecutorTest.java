package org.mqworkbook.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mqworkbook.testkit.Exercise;

/**
 * Exercise 5.5: the hand-off from network threads to broker worker threads, and graceful shutdown.
 * README section "5.5 The threading model and graceful shutdown (多线程模型)".
 */
@Exercise("5.5")
@Tag("5.5")
@Timeout(20)
class RequestExecutorTest {
    private final CountDownLatch gate = new CountDownLatch(1);
    private RequestExecutor executor;

    @AfterEach
    void release() throws InterruptedException {
        gate.countDown();
        if (executor != null) {
            executor.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void runsSubmittedTasksOnWorkerThreads() {
        executor = new RequestExecutor("test", 2, 16);
        Set<String> threadNames = ConcurrentHashMap.newKeySet();
        AtomicInteger ran = new AtomicInteger();

        for (int i = 0; i < 10; i++) {
            assertThat(executor.trySubmit(() -> {
                threadNames.add(Thread.currentThread().getName());
                ran.incrementAndGet();
            })).isTrue();
        }

        await("every accepted task runs").atMost(Duration.ofSeconds(5)).until(() -> ran.get() == 10);
        assertThat(threadNames).allMatch(name -> name.startsWith("test-worker-"));
    }

    @Test
    void refusesWithoutBlockingWhenTheRequestQueueIsFull() {
        executor = new RequestExecutor("test", 1, 2);
        CountDownLatch running = new CountDownLatch(1);
        executor.trySubmit(() -> {
            running.countDown();
            awaitGate();
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> running.getCount() == 0);
        assertThat(executor.trySubmit(() -> { })).isTrue();
        assertThat(executor.trySubmit(() -> { })).isTrue();

        long start = System.nanoTime();
        boolean accepted = executor.trySubmit(() -> { });

        assertThat(accepted).as("the request queue (capacity 2) is full: refuse, do not wait").isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void aTaskThatThrowsDoesNotKillItsWorker() {
        executor = new RequestExecutor("test", 1, 8);
        AtomicInteger ran = new AtomicInteger();

        executor.trySubmit(() -> {
            throw new IllegalStateException("boom");
        });
        executor.trySubmit(ran::incrementAndGet);

        await("the worker survives and runs the next task").atMost(Duration.ofSeconds(5)).until(() -> ran.get() == 1);
        assertThat(executor.failures()).isEqualTo(1);
    }

    @Test
    void shutdownRunsEveryTaskThatWasAccepted() throws InterruptedException {
        executor = new RequestExecutor("test", 2, 1_000);
        List<Integer> done = new CopyOnWriteArrayList<>();
        executor.trySubmit(this::awaitGate);
        executor.trySubmit(this::awaitGate);
        int accepted = 0;
        for (int i = 0; i < 500; i++) {
            int n = i;
            if (executor.trySubmit(() -> done.add(n))) {
                accepted++;
            }
        }

        Thread opener = new Thread(gate::countDown);
        opener.start();
        boolean finished = executor.shutdown(Duration.ofSeconds(10));

        assertThat(finished).isTrue();
        assertThat(done).as("graceful shutdown loses nothing it accepted").hasSize(accepted).hasSize(500);
    }

    @Test
    void refusesNewTasksOnceShutdownHasBegun() throws InterruptedException {
        executor = new RequestExecutor("test", 1, 8);
        AtomicInteger ran = new AtomicInteger();

        assertThat(executor.shutdown(Duration.ofSeconds(5))).isTrue();

        assertThat(executor.isShutdown()).isTrue();
        assertThat(executor.trySubmit(ran::incrementAndGet)).isFalse();
        assertThat(ran).hasValue(0);
    }

    @Test
    void shutdownReportsATaskThatOutlivesTheGracePeriod() throws InterruptedException {
        executor = new RequestExecutor("test", 1, 8);
        CountDownLatch running = new CountDownLatch(1);
        executor.trySubmit(() -> {
            running.countDown();
            awaitGate();
        });
        assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(executor.shutdown(Duration.ofMillis(50))).as("the worker is still busy").isFalse();

        gate.countDown();
        assertThat(executor.shutdown(Duration.ofSeconds(5))).as("and finishes once released").isTrue();
    }

    @Test
    void tasksAcceptedWhileShutdownBeginsStillRun() throws Exception {
        executor = new RequestExecutor("test", 2, 10_000);
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger ran = new AtomicInteger();
        Thread submitter = new Thread(() -> {
            for (int i = 0; i < 5_000; i++) {
                if (executor.trySubmit(ran::incrementAndGet)) {
                    accepted.incrementAndGet();
                }
            }
        });
        submitter.start();

        executor.shutdown(Duration.ofSeconds(10));
        submitter.join(TimeUnit.SECONDS.toMillis(10));

        assertThat(ran.get()).as("every task accepted before or during shutdown ran").isEqualTo(accepted.get());
    }

    private void awaitGate() {
        try {
            gate.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

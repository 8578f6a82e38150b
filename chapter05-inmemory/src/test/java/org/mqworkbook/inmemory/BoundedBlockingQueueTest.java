package org.mqworkbook.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.Seeded;
import org.mqworkbook.testkit.history.Guarantee;
import org.mqworkbook.testkit.history.Ordering;

/**
 * Exercise 5.1: a bounded blocking queue on one lock and two conditions. README section
 * "5.1 A bounded blocking queue (用内存队列实现生产与消费)".
 */
@Exercise("5.1")
@Tag("5.1")
@Timeout(20)
@ExtendWith(Seeded.class)
class BoundedBlockingQueueTest {
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void takesElementsInTheOrderTheyWerePut() throws InterruptedException {
        BoundedBlockingQueue<String> queue = new BoundedBlockingQueue<>(3);
        queue.put("a");
        queue.put("b");
        queue.put("c");

        assertThat(List.of(queue.take(), queue.take(), queue.take()))
            .as("a queue is first-in first-out (README 5.1)")
            .containsExactly("a", "b", "c");
    }

    @Test
    void offerRefusesWhenFullWithoutWaiting() {
        BoundedBlockingQueue<Integer> queue = new BoundedBlockingQueue<>(2);

        assertThat(queue.offer(1)).isTrue();
        assertThat(queue.offer(2)).isTrue();
        assertThat(queue.offer(3)).as("offer on a full queue returns false at once").isFalse();
        assertThat(queue.size()).isEqualTo(2);
    }

    @Test
    void putBlocksWhileFullAndProceedsWhenAConsumerTakes() throws Exception {
        BoundedBlockingQueue<Integer> queue = new BoundedBlockingQueue<>(1);
        queue.put(1);
        Thread[] producer = new Thread[1];
        Future<?> blockedPut = threads.submit(() -> {
            producer[0] = Thread.currentThread();
            queue.put(2);
            return null;
        });

        await("the producer parks on the full queue (no busy-waiting)").atMost(Duration.ofSeconds(5))
            .until(() -> producer[0] != null && producer[0].getState() == Thread.State.WAITING);
        assertThat(blockedPut).as("put on a full queue must wait").isNotDone();

        assertThat(queue.take()).isEqualTo(1);
        blockedPut.get(5, TimeUnit.SECONDS);
        assertThat(queue.take()).as("the blocked put went through once there was space").isEqualTo(2);
    }

    @Test
    void takeBlocksWhileEmptyAndProceedsWhenAProducerPuts() throws Exception {
        BoundedBlockingQueue<String> queue = new BoundedBlockingQueue<>(4);
        Thread[] consumer = new Thread[1];
        Future<String> blockedTake = threads.submit(() -> {
            consumer[0] = Thread.currentThread();
            return queue.take();
        });

        await("the consumer parks on the empty queue (no busy-waiting)").atMost(Duration.ofSeconds(5))
            .until(() -> consumer[0] != null && consumer[0].getState() == Thread.State.WAITING);
        queue.put("hello");

        assertThat(blockedTake.get(5, TimeUnit.SECONDS)).isEqualTo("hello");
    }

    @Test
    void pollReturnsNullWhenTheTimeoutElapsesOnAnEmptyQueue() throws InterruptedException {
        BoundedBlockingQueue<String> queue = new BoundedBlockingQueue<>(1);

        assertThat(queue.poll(20, TimeUnit.MILLISECONDS)).as("poll with a timeout gives up with null").isNull();
        assertThat(queue.poll(0, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void timedOfferGivesUpWhenNoSpaceAppears() throws InterruptedException {
        BoundedBlockingQueue<String> queue = new BoundedBlockingQueue<>(1);
        queue.put("only");

        assertThat(queue.offer("more", 20, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(queue.size()).isEqualTo(1);
    }

    @Test
    void timedPollReturnsAnElementThatArrivesWhileWaiting() throws Exception {
        BoundedBlockingQueue<String> queue = new BoundedBlockingQueue<>(1);
        Future<String> waiting = threads.submit(() -> queue.poll(10, TimeUnit.SECONDS));

        queue.put("late");

        assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo("late");
    }

    @Test
    void interruptedPutLeavesTheQueueUnchanged() throws Exception {
        BoundedBlockingQueue<Integer> queue = new BoundedBlockingQueue<>(1);
        queue.put(1);
        CompletableFuture<Thread> started = new CompletableFuture<>();
        Future<?> blockedPut = threads.submit(() -> {
            started.complete(Thread.currentThread());
            queue.put(2);
            return null;
        });
        Thread producer = started.get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.getState() == Thread.State.WAITING);

        producer.interrupt();

        assertThatThrownBy(() -> blockedPut.get(5, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(InterruptedException.class);
        assertThat(queue.size()).as("an interrupted put adds nothing").isEqualTo(1);
    }

    @Test
    void wakesEveryBlockedProducerAsSpaceAppears() throws Exception {
        BoundedBlockingQueue<Integer> queue = new BoundedBlockingQueue<>(1);
        queue.put(0);
        List<Future<?>> producers = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            int value = i;
            producers.add(threads.submit(() -> {
                queue.put(value);
                return null;
            }));
        }

        List<Integer> taken = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            taken.add(queue.take());
        }

        for (Future<?> producer : producers) {
            producer.get(5, TimeUnit.SECONDS);
        }
        assertThat(taken).as("no producer is left waiting: each take must wake one (no lost wake-up)")
            .containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @Test
    void deliversEveryMessageExactlyOnceToManyConcurrentConsumers(Random random) throws InterruptedException {
        BoundedBlockingQueue<String> queue = new BoundedBlockingQueue<>(16);

        Scenarios.Outcome outcome = Scenarios.producersAndConsumers(Buffer.of(queue), 4, 4, 5_000, random);

        assertThat(outcome.errors()).as("threads of the scenario").isEmpty();
        outcome.history().check(Guarantee.EXACTLY_ONCE, Ordering.NONE).assertOk();
    }

    @Test
    void keepsEachProducersOrderForASingleConsumer(Random random) throws InterruptedException {
        BoundedBlockingQueue<String> queue = new BoundedBlockingQueue<>(8);

        Scenarios.Outcome outcome = Scenarios.producersAndConsumers(Buffer.of(queue), 3, 1, 3_000, random);

        assertThat(outcome.errors()).as("threads of the scenario").isEmpty();
        outcome.history().check(Guarantee.EXACTLY_ONCE, Ordering.PER_KEY).assertOk();
    }
}

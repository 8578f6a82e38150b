package org.mqworkbook.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mqworkbook.inmemory.CompetingConsumersTest.bytes;
import static org.mqworkbook.inmemory.CompetingConsumersTest.text;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;
import org.mqworkbook.testkit.Seeded;

/**
 * Exercise 5.4: long polling (pull that waits without holding a thread) and push consumers with a
 * prefetch limit. README section "5.4 Push and pull consumers (Push vs Pull, 多线程模型)".
 */
@Exercise("5.4")
@Tag("5.4")
@Timeout(10)
@ExtendWith(Seeded.class)
class PushAndLongPollTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final ManualClock clock = new ManualClock();
    private final MessageQueue queue = new MessageQueue("q", QueueConfig.DEFAULT, clock);

    /** Collects what a long poll was answered with; the answer comes exactly once. */
    private static final class Answers {
        final List<Optional<Delivery>> received = new CopyOnWriteArrayList<>();

        void accept(Optional<Delivery> answer) {
            received.add(answer);
        }
    }

    @Test
    void aLongPollIsAnsweredAtOnceWhenAMessageIsReady() throws InterruptedException {
        queue.publish(bytes("ready"));
        Answers answers = new Answers();

        queue.receive("c1", WAIT, answers::accept);

        assertThat(answers.received).hasSize(1);
        assertThat(text(answers.received.get(0).orElseThrow())).isEqualTo("ready");
    }

    @Test
    void aLongPollWaitsWithoutAThreadAndIsAnsweredByTheNextPublish() throws InterruptedException {
        Answers answers = new Answers();
        queue.receive("c1", WAIT, answers::accept);
        assertThat(answers.received).as("no message yet: the receiver is parked, not answered").isEmpty();
        assertThat(queue.stats().waiters()).isEqualTo(1);

        queue.publish(bytes("arrived"));

        assertThat(answers.received).hasSize(1);
        Delivery delivery = answers.received.get(0).orElseThrow();
        assertThat(text(delivery)).isEqualTo("arrived");
        assertThat(queue.stats().inFlight()).as("a long-polled delivery is in flight like a polled one").isEqualTo(1);
        assertThat(queue.ack("c1", delivery.tag())).isTrue();
    }

    @Test
    void aLongPollIsAnsweredEmptyOnceItsWaitHasPassed() {
        Answers answers = new Answers();
        queue.receive("c1", WAIT, answers::accept);

        clock.advance(WAIT.minusMillis(1));
        assertThat(queue.expireWaiters()).isZero();
        assertThat(answers.received).isEmpty();

        clock.advance(Duration.ofMillis(1));
        assertThat(queue.expireWaiters()).isEqualTo(1);
        assertThat(answers.received).containsExactly(Optional.empty());
        assertThat(queue.stats().waiters()).isZero();
    }

    @Test
    void aWaitTooLongForTheClockMeansForeverNotADeadlineInThePast() {
        Answers answers = new Answers();
        clock.advance(Duration.ofDays(365));

        queue.receive("c1", Duration.ofSeconds(Long.MAX_VALUE), answers::accept);
        clock.advance(Duration.ofDays(365 * 100));
        queue.expireWaiters();

        queue.receive("c2", Duration.ofMillis(Long.MAX_VALUE - 1), answers::accept);
        clock.advance(Duration.ofDays(365 * 100));
        queue.expireWaiters();

        assertThat(answers.received).as("the waits, or now plus the waits, overflow a long: the deadlines saturate")
            .isEmpty();
        assertThat(queue.stats().waiters()).isEqualTo(2);
    }

    @Test
    void aBatchPublishAnswersAParkedLongPoll() {
        Answers answers = new Answers();
        queue.receive("c1", WAIT, answers::accept);

        queue.tryPublish(List.of(bytes("first"), bytes("second")));

        assertThat(answers.received).as("the batch's first message goes to the parked receiver").hasSize(1);
        assertThat(text(answers.received.get(0).orElseThrow())).isEqualTo("first");
    }

    @Test
    void aBatchAckGivesThePushConsumerCreditForTheNextMessage() throws InterruptedException {
        List<Delivery> pushed = new CopyOnWriteArrayList<>();
        queue.subscribe("c1", 1, pushed::add);
        queue.publish(bytes("m0"));
        queue.publish(bytes("m1"));
        assertThat(pushed).as("prefetch 1").hasSize(1);

        assertThat(queue.ack("c1", new long[] {pushed.get(0).tag()})).isEqualTo(1);

        assertThat(pushed).extracting(CompetingConsumersTest::text).containsExactly("m0", "m1");
    }

    @Test
    void aZeroWaitIsAnsweredEmptyAtOnce() {
        Answers answers = new Answers();

        queue.receive("c1", Duration.ZERO, answers::accept);

        assertThat(answers.received).containsExactly(Optional.empty());
        assertThat(queue.stats().waiters()).isZero();
    }

    @Test
    void waitingReceiversAreServedOldestFirst() throws InterruptedException {
        List<String> order = new CopyOnWriteArrayList<>();
        queue.receive("first", WAIT, d -> order.add("first:" + text(d.orElseThrow())));
        queue.receive("second", WAIT, d -> order.add("second:" + text(d.orElseThrow())));

        queue.publish(bytes("m1"));
        queue.publish(bytes("m2"));

        assertThat(order).containsExactly("first:m1", "second:m2");
    }

    @Test
    void refusesMoreWaitersThanTheLimit() {
        MessageQueue limited = new MessageQueue("limited",
            new QueueConfig(10, Duration.ofSeconds(30), 10, 2, 1024), clock);
        limited.receive("a", WAIT, d -> { });
        limited.receive("b", WAIT, d -> { });

        assertThatThrownBy(() -> limited.receive("c", WAIT, d -> { }))
            .isInstanceOfSatisfying(BrokerException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED))
            .as("memory stays bounded whatever clients send");
    }

    @Test
    void aPushConsumerGetsAtMostPrefetchUnackedMessages() throws InterruptedException {
        List<Delivery> pushed = new CopyOnWriteArrayList<>();
        queue.subscribe("c1", 2, pushed::add);

        for (int i = 0; i < 5; i++) {
            queue.publish(bytes("m" + i));
        }

        assertThat(pushed).as("prefetch 2: two unacked at a time, the rest wait in the queue").hasSize(2);
        assertThat(queue.stats().ready()).isEqualTo(3);
    }

    @Test
    void anAckGivesThePushConsumerCreditForTheNextMessage() throws InterruptedException {
        List<Delivery> pushed = new CopyOnWriteArrayList<>();
        queue.subscribe("c1", 1, pushed::add);
        queue.publish(bytes("m0"));
        queue.publish(bytes("m1"));
        assertThat(pushed).hasSize(1);

        queue.ack("c1", pushed.get(0).tag());

        assertThat(pushed).hasSize(2);
        assertThat(text(pushed.get(1))).isEqualTo("m1");
    }

    @Test
    void subscribingPushesMessagesThatWereAlreadyWaiting() throws InterruptedException {
        queue.publish(bytes("early"));
        List<Delivery> pushed = new CopyOnWriteArrayList<>();

        queue.subscribe("c1", 10, pushed::add);

        assertThat(pushed).extracting(CompetingConsumersTest::text).containsExactly("early");
    }

    @Test
    void pushConsumersShareTheQueueRoundRobin() throws InterruptedException {
        List<String> seen = new CopyOnWriteArrayList<>();
        queue.subscribe("a", 10, d -> seen.add("a"));
        queue.subscribe("b", 10, d -> seen.add("b"));

        for (int i = 0; i < 4; i++) {
            queue.publish(bytes("m" + i));
        }

        assertThat(seen).containsExactly("a", "b", "a", "b");
    }

    @Test
    void aFullPushConsumerIsSkippedForOneWithCredit() throws InterruptedException {
        List<String> seen = new CopyOnWriteArrayList<>();
        queue.subscribe("slow", 1, d -> seen.add("slow"));
        queue.subscribe("fast", 10, d -> seen.add("fast"));

        for (int i = 0; i < 4; i++) {
            queue.publish(bytes("m" + i));
        }

        assertThat(seen).containsExactly("slow", "fast", "fast", "fast");
    }

    @Test
    void aCancelledSubscriptionGetsNothingMore() throws InterruptedException {
        List<Delivery> pushed = new CopyOnWriteArrayList<>();
        Subscription subscription = queue.subscribe("c1", 10, pushed::add);
        queue.publish(bytes("before"));

        subscription.cancel();
        queue.publish(bytes("after"));

        assertThat(pushed).extracting(CompetingConsumersTest::text).containsExactly("before");
        assertThat(queue.stats().ready()).isEqualTo(1);
    }

    @Test
    void aPushedMessageThatExpiresGoesToAnotherSubscriber() throws InterruptedException {
        List<Delivery> toA = new CopyOnWriteArrayList<>();
        List<Delivery> toB = new ArrayList<>();
        queue.subscribe("a", 1, toA::add);
        queue.publish(bytes("m"));
        assertThat(toA).hasSize(1);
        queue.subscribe("b", 1, toB::add);

        clock.advance(QueueConfig.DEFAULT.visibilityTimeout());
        queue.expireDeliveries();

        assertThat(toA.size() + toB.size()).as("redelivered to a subscriber with credit").isEqualTo(2);
        Delivery redelivered = toA.size() == 2 ? toA.get(1) : toB.get(0);
        assertThat(redelivered.deliveryCount()).isEqualTo(2);
    }

    @Test
    void aGoneConsumerLosesItsSubscriptionAndItsMessagesGoToAnother() throws InterruptedException {
        List<Delivery> toGone = new CopyOnWriteArrayList<>();
        List<Delivery> toOther = new CopyOnWriteArrayList<>();
        queue.subscribe("gone", 5, toGone::add);
        queue.publish(bytes("m0"));
        queue.publish(bytes("m1"));
        queue.subscribe("other", 5, toOther::add);

        queue.consumerGone("gone");
        queue.publish(bytes("m2"));

        assertThat(toGone).hasSize(2);
        assertThat(toOther).extracting(CompetingConsumersTest::text).containsExactly("m0", "m1", "m2");
    }

    /**
     * Long polls parking and publishers publishing at the same moment, many times over: a publisher
     * must never miss a receiver that parked just before its message arrived (a lost wake-up would leave
     * the receiver waiting for its whole wait, here for ever on the manual clock, next to a ready
     * message). Each receiver waits for its answer with a bounded {@code get}, so a lost one fails the
     * test with the message below instead of hanging it.
     */
    @Test
    @Timeout(30)
    void longPollsRacingWithPublishersAreNeverLeftWaitingNextToAReadyMessage(Random random) throws Exception {
        MessageQueue racing = new MessageQueue("race", QueueConfig.DEFAULT, clock);
        int consumers = 3;
        int total = 6_000;
        AtomicInteger received = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(consumers + 1);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int c = 0; c < consumers; c++) {
                String consumer = "c" + c;
                work.add(threads.submit(() -> {
                    while (true) {
                        CompletableFuture<Optional<Delivery>> answer = new CompletableFuture<>();
                        racing.receive(consumer, WAIT, answer::complete);
                        Delivery delivery;
                        try {
                            delivery = answer.get(5, TimeUnit.SECONDS).orElseThrow();
                        } catch (TimeoutException e) {
                            throw new AssertionError(consumer + " waited 5 s for an answer while the queue held "
                                + racing.stats() + ": a publish did not hand its message to a parked receiver");
                        }
                        racing.ack(consumer, delivery.tag());
                        if (text(delivery).equals("stop")) {
                            return null;
                        }
                        received.incrementAndGet();
                    }
                }));
            }
            long pauseSeed = random.nextLong();
            threads.submit(() -> {
                Random pauses = new Random(pauseSeed);
                for (int n = 0; n < total; n++) {
                    racing.publish(bytes("m" + n));
                    if (pauses.nextInt(4) == 0) {
                        Thread.yield(); // let the receivers empty the queue and park again
                    }
                }
                for (int c = 0; c < consumers; c++) {
                    racing.publish(bytes("stop"));
                }
                return null;
            }).get(20, TimeUnit.SECONDS);
            for (Future<?> f : work) {
                f.get(20, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(received.get()).isEqualTo(total);
        assertThat(racing.stats().ready()).isZero();
    }
}

package org.mqworkbook.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;
import org.mqworkbook.testkit.Seeded;
import org.mqworkbook.testkit.history.DeliveryHistory;
import org.mqworkbook.testkit.history.Guarantee;
import org.mqworkbook.testkit.history.Ordering;

/**
 * Exercise 5.2: named queues, publishing with back-pressure, and competing consumers. README section
 * "5.2 Named queues and competing consumers (用内存队列实现生产与消费, 多线程模型)".
 */
@Exercise("5.2")
@Tag("5.2")
@Timeout(20)
@ExtendWith(Seeded.class)
class CompetingConsumersTest {
    private final ManualClock clock = new ManualClock();
    private final Broker broker = new Broker(clock);
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void declaringTheSameQueueTwiceReturnsTheSameQueue() {
        MessageQueue first = broker.declareQueue("orders", QueueConfig.DEFAULT);
        MessageQueue second = broker.declareQueue("orders", QueueConfig.DEFAULT);

        assertThat(second).as("declare is idempotent").isSameAs(first);
        assertThat(broker.queue("orders")).isSameAs(first);
    }

    @Test
    void declaringAnExistingQueueWithAnotherConfigurationIsAConflict() {
        broker.declareQueue("orders", QueueConfig.withCapacity(10));

        assertThatThrownBy(() -> broker.declareQueue("orders", QueueConfig.withCapacity(20)))
            .isInstanceOfSatisfying(BrokerException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.QUEUE_CONFLICT))
            .hasMessageContaining("orders");
    }

    @Test
    void rejectsAnInvalidQueueName() {
        assertThatThrownBy(() -> broker.declareQueue("bad name!", QueueConfig.DEFAULT))
            .isInstanceOfSatisfying(BrokerException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
            .hasMessageContaining("bad name!");
        assertThat(broker.findQueue("bad name!")).isEmpty();
    }

    @Test
    void concurrentDeclaresOfOneNewQueueAllGetTheSameQueue() throws Exception {
        List<Future<MessageQueue>> declares = new ArrayList<>();
        Callable<MessageQueue> declare = () -> broker.declareQueue("race", QueueConfig.DEFAULT);
        for (int i = 0; i < 8; i++) {
            declares.add(threads.submit(declare));
        }

        MessageQueue winner = broker.queue("race");
        for (Future<MessageQueue> f : declares) {
            assertThat(f.get(5, TimeUnit.SECONDS)).as("check-then-act must not create two queues").isSameAs(winner);
        }
    }

    @Test
    void publishAssignsIncreasingIdsAndPollDeliversInOrder() throws InterruptedException {
        MessageQueue queue = broker.declareQueue("q", QueueConfig.DEFAULT);

        long a = queue.publish(bytes("a"));
        long b = queue.publish(bytes("b"));

        assertThat(b).as("ids increase and are never reused").isEqualTo(a + 1);
        Delivery first = queue.poll("c1").orElseThrow();
        Delivery second = queue.poll("c1").orElseThrow();
        assertThat(text(first)).isEqualTo("a");
        assertThat(first.messageId()).isEqualTo(a);
        assertThat(first.deliveryCount()).as("a first delivery counts 1").isEqualTo(1);
        assertThat(first.queue()).isEqualTo("q");
        assertThat(text(second)).isEqualTo("b");
        assertThat(second.tag()).as("each delivery gets its own tag").isNotEqualTo(first.tag());
        assertThat(queue.poll("c1")).as("nothing left").isEmpty();
    }

    @Test
    void aPolledMessageIsInFlightAndNotGivenToAnotherConsumer() throws InterruptedException {
        MessageQueue queue = broker.declareQueue("q", QueueConfig.DEFAULT);
        queue.publish(bytes("only"));

        assertThat(queue.poll("c1")).isPresent();

        assertThat(queue.poll("c2")).as("competing consumers: one message, one consumer").isEmpty();
        QueueStats stats = queue.stats();
        assertThat(stats.ready()).isZero();
        assertThat(stats.inFlight()).isEqualTo(1);
        assertThat(stats.published()).isEqualTo(1);
    }

    @Test
    void tryPublishRefusesWhenTheQueueIsFull() throws InterruptedException {
        MessageQueue queue = broker.declareQueue("small", QueueConfig.withCapacity(2));
        queue.publish(bytes("1"));

        assertThat(queue.tryPublish(bytes("2"))).isPresent();
        assertThat(queue.tryPublish(bytes("3"))).as("capacity 2 reached").isEmpty();
        assertThat(queue.stats().ready()).isEqualTo(2);
    }

    @Test
    void publishWaitsWhileFullAndProceedsWhenAConsumerTakesAMessage() throws Exception {
        MessageQueue queue = broker.declareQueue("small", QueueConfig.withCapacity(1));
        queue.publish(bytes("first"));
        Thread[] producer = new Thread[1];
        Future<Long> blocked = threads.submit(() -> {
            producer[0] = Thread.currentThread();
            return queue.publish(bytes("second"));
        });

        await("the producer parks while the queue is full").atMost(Duration.ofSeconds(5))
            .until(() -> producer[0] != null && producer[0].getState() == Thread.State.WAITING);
        assertThat(blocked).isNotDone();

        assertThat(queue.poll("c1")).isPresent();

        assertThat(blocked.get(5, TimeUnit.SECONDS)).as("space appeared: the publish went through").isEqualTo(1L);
    }

    @Test
    void theBodyIsCopiedAtPublish() throws InterruptedException {
        MessageQueue queue = broker.declareQueue("q", QueueConfig.DEFAULT);
        byte[] body = bytes("original");
        queue.publish(body);

        body[0] = 'X';

        assertThat(text(queue.poll("c1").orElseThrow())).isEqualTo("original");
    }

    @Test
    void pollStopsAtTheInFlightLimit() throws InterruptedException {
        MessageQueue queue = broker.declareQueue("q", QueueConfig.DEFAULT.maxInFlight(2));
        for (int i = 0; i < 3; i++) {
            queue.publish(bytes("m" + i));
        }

        assertThat(queue.poll("c1")).isPresent();
        assertThat(queue.poll("c1")).isPresent();

        assertThat(queue.poll("c1")).as("memory stays bounded: at most maxInFlight unacknowledged").isEmpty();
        assertThat(queue.stats().ready()).isEqualTo(1);
    }

    @Test
    void aBatchPollTakesUpToMaxHeadMessagesInOrderAndStopsAtTheInFlightLimit() throws InterruptedException {
        MessageQueue queue = broker.declareQueue("q", QueueConfig.DEFAULT.maxInFlight(4));
        for (int i = 0; i < 6; i++) {
            queue.publish(bytes("m" + i));
        }

        List<Delivery> first = queue.poll("c1", 3);
        assertThat(first).as("three asked, six ready: the three at the head, in order")
            .extracting(CompetingConsumersTest::text).containsExactly("m0", "m1", "m2");
        List<Delivery> second = queue.poll("c2", 10);
        assertThat(second).as("maxInFlight is 4 and 3 are in flight: one more, not ten")
            .extracting(CompetingConsumersTest::text).containsExactly("m3");
        assertThat(queue.poll("c2", 10)).as("at the in-flight limit").isEmpty();
        assertThat(queue.stats().inFlight()).isEqualTo(4);
        assertThat(queue.stats().ready()).isEqualTo(2);
        assertThat(first).extracting(Delivery::tag).as("each delivery has its own tag").doesNotHaveDuplicates();
        assertThatThrownBy(() -> queue.poll("c1", 0))
            .isInstanceOfSatisfying(BrokerException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }

    @Test
    void aBatchPublishAcceptsThePrefixThatFitsInOrder() throws InterruptedException {
        MessageQueue queue = broker.declareQueue("q", QueueConfig.withCapacity(3));
        queue.publish(bytes("first"));

        long[] ids = queue.tryPublish(List.of(bytes("b0"), bytes("b1"), bytes("b2"), bytes("b3")));

        assertThat(ids).as("capacity 3, one ready: the first two of the batch fit, with the next ids")
            .containsExactly(1, 2);
        assertThat(queue.tryPublish(List.of(bytes("b2")))).as("full: nothing accepted").isEmpty();
        assertThat(List.of(queue.poll("c1").orElseThrow(), queue.poll("c1").orElseThrow(),
            queue.poll("c1").orElseThrow())).extracting(CompetingConsumersTest::text)
            .containsExactly("first", "b0", "b1");
        byte[] tooLarge = new byte[QueueConfig.DEFAULT.maxMessageBytes() + 1];
        assertThatThrownBy(() -> queue.tryPublish(List.of(bytes("fits"), tooLarge)))
            .isInstanceOfSatisfying(BrokerException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        assertThat(queue.stats().published()).as("a batch with a bad body adds none of its bodies").isEqualTo(3);
    }

    @Test
    void aJournalThatRefusesPartWayEndsTheBatchThereAndKeepsWhatItAccepted() {
        int[] appends = new int[1];
        QueueJournal refusesTheThird = new QueueJournal() {
            @Override
            public Recovered recover() {
                return QueueJournal.IN_MEMORY.recover();
            }

            @Override
            public void append(long id, byte[] body) {
                if (++appends[0] >= 3) { // from the third on: the disk stays full
                    throw new BrokerException(ErrorCode.INTERNAL_ERROR, "the disk is full");
                }
            }

            @Override
            public void awaitDurable(long id) {
            }

            @Override
            public void settled(long id) {
            }
        };
        MessageQueue queue = new MessageQueue("q", QueueConfig.DEFAULT, new ManualClock(), refusesTheThird);

        long[] ids = queue.tryPublish(List.of(bytes("a"), bytes("b"), bytes("c"), bytes("d")));

        assertThat(ids).as("a and b were stored before the journal refused c: they are accepted and reported, "
            + "so that a retry sends only c and d").containsExactly(0, 1);
        assertThat(queue.stats().ready()).isEqualTo(2);
        assertThatThrownBy(() -> queue.tryPublish(List.of(bytes("c"))))
            .as("refused with nothing accepted: the caller hears why").isInstanceOf(BrokerException.class)
            .hasMessageContaining("disk is full");
    }

    @Test
    void everyMessageGoesToExactlyOneOfManyCompetingConsumers(Random random) throws Exception {
        MessageQueue queue = broker.declareQueue("work", QueueConfig.withCapacity(64).maxInFlight(100_000));
        DeliveryHistory history = new DeliveryHistory();
        int producers = 4;
        int perProducer = 2_500;
        int total = producers * perProducer;
        AtomicInteger consumed = new AtomicInteger();
        List<Future<?>> work = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            String key = "p" + p;
            work.add(threads.submit(() -> {
                for (int n = 0; n < perProducer; n++) {
                    String id = key + "-" + n;
                    history.sent(key, id);
                    queue.publish(bytes(id));
                    history.acknowledged(id);
                }
                return null;
            }));
        }
        for (int c = 0; c < 3; c++) {
            String consumer = "c" + c;
            long pauseSeed = random.nextLong();
            work.add(threads.submit(() -> {
                Random pauses = new Random(pauseSeed);
                while (consumed.get() < total) {
                    Optional<Delivery> delivery = queue.poll(consumer);
                    if (delivery.isPresent()) {
                        consumed.incrementAndGet();
                        history.consumed(consumer, text(delivery.get()));
                    } else if (pauses.nextBoolean()) {
                        Thread.onSpinWait();
                    } else {
                        Thread.yield();
                    }
                }
                return null;
            }));
        }

        for (Future<?> f : work) {
            f.get(15, TimeUnit.SECONDS);
        }
        history.check(Guarantee.EXACTLY_ONCE, Ordering.NONE).assertOk();
        assertThat(queue.stats().published()).isEqualTo(total);
    }

    @Test
    void anUnknownQueueIsReportedByName() {
        assertThatThrownBy(() -> broker.queue("nope"))
            .isInstanceOf(UnknownQueueException.class)
            .hasMessageContaining("'nope'");
        broker.declareQueue("exists", QueueConfig.DEFAULT);
        assertThat(broker.findQueue("exists")).isPresent();
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(Delivery delivery) {
        return new String(delivery.body(), StandardCharsets.UTF_8);
    }
}

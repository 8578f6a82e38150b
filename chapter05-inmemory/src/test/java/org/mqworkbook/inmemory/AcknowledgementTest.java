package org.mqworkbook.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mqworkbook.inmemory.CompetingConsumersTest.bytes;
import static org.mqworkbook.inmemory.CompetingConsumersTest.text;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;
import org.mqworkbook.testkit.Seeded;
import org.mqworkbook.testkit.history.Guarantee;
import org.mqworkbook.testkit.history.Ordering;

/**
 * Exercise 5.3: acknowledgements, visibility timeouts and redelivery. Time is a {@link ManualClock}:
 * the tests advance it and call {@code expireDeliveries()}, as the broker's timer would; nothing sleeps.
 * README section "5.3 Acknowledgements and redelivery (简单 ACK 机制)".
 */
@Exercise("5.3")
@Tag("5.3")
@Timeout(20)
@ExtendWith(Seeded.class)
class AcknowledgementTest {
    private static final Duration VISIBILITY = Duration.ofSeconds(30);

    private final ManualClock clock = new ManualClock();
    private final MessageQueue queue =
        new MessageQueue("q", QueueConfig.DEFAULT.visibilityTimeout(VISIBILITY), clock);

    @Test
    void anAcknowledgedMessageIsNeverDeliveredAgain() throws InterruptedException {
        queue.publish(bytes("done"));
        Delivery delivery = queue.poll("c1").orElseThrow();

        assertThat(queue.ack("c1", delivery.tag())).isTrue();
        clock.advance(VISIBILITY.multipliedBy(2));
        queue.expireDeliveries();

        assertThat(queue.poll("c2")).as("an acked message is gone for good").isEmpty();
        assertThat(queue.stats().inFlight()).isZero();
        assertThat(queue.stats().acknowledged()).isEqualTo(1);
    }

    @Test
    void redeliversAnUnackedMessageAfterTheVisibilityTimeout() throws InterruptedException {
        queue.publish(bytes("retry me"));
        Delivery first = queue.poll("c1").orElseThrow();

        clock.advance(VISIBILITY);
        assertThat(queue.expireDeliveries()).as("the deadline is now: the delivery expires").isEqualTo(1);

        Delivery again = queue.poll("c2").orElseThrow();
        assertThat(text(again)).isEqualTo("retry me");
        assertThat(again.messageId()).isEqualTo(first.messageId());
        assertThat(again.deliveryCount()).as("second delivery").isEqualTo(2);
        assertThat(again.redelivered()).isTrue();
        assertThat(again.tag()).as("a redelivery gets a new tag").isNotEqualTo(first.tag());
    }

    @Test
    void doesNotRedeliverBeforeTheVisibilityTimeout() throws InterruptedException {
        queue.publish(bytes("patience"));
        queue.poll("c1").orElseThrow();

        clock.advance(VISIBILITY.minusMillis(1));

        assertThat(queue.expireDeliveries()).isZero();
        assertThat(queue.poll("c2")).as("still invisible to other consumers").isEmpty();
    }

    @Test
    void aLateAckOfAnExpiredDeliveryIsRefused() throws InterruptedException {
        queue.publish(bytes("slow"));
        Delivery stale = queue.poll("c1").orElseThrow();
        clock.advance(VISIBILITY);
        queue.expireDeliveries();
        Delivery fresh = queue.poll("c2").orElseThrow();

        assertThat(queue.ack("c1", stale.tag())).as("the old tag no longer names a delivery").isFalse();
        assertThat(queue.ack("c2", fresh.tag())).isTrue();
    }

    @Test
    void onlyTheConsumerHoldingADeliveryMayAckIt() throws InterruptedException {
        queue.publish(bytes("mine"));
        Delivery delivery = queue.poll("c1").orElseThrow();

        assertThat(queue.ack("intruder", delivery.tag())).isFalse();
        assertThat(queue.ack("c1", delivery.tag())).isTrue();
        assertThat(queue.ack("c1", delivery.tag())).as("acking twice").isFalse();
    }

    @Test
    void aBatchAckSettlesEachTagTheConsumerHoldsAndRefusesTheOthers() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            queue.publish(bytes("m" + i));
        }
        Delivery a = queue.poll("c1").orElseThrow();
        Delivery b = queue.poll("c1").orElseThrow();
        Delivery c = queue.poll("c1").orElseThrow();
        Delivery theirs = queue.poll("c2").orElseThrow();

        int settled = queue.ack("c1", new long[] {a.tag(), c.tag(), theirs.tag(), 999_999L});

        assertThat(settled).as("c1 holds a and c; c2's delivery and an unknown tag are refused").isEqualTo(2);
        assertThat(queue.stats().acknowledged()).isEqualTo(2);
        assertThat(queue.stats().inFlight()).as("b (not in the batch) and c2's delivery").isEqualTo(2);
        assertThat(queue.ack("c1", new long[] {a.tag()})).as("a settled delivery is settled once").isZero();
        assertThat(queue.ack("c2", theirs.tag())).as("the refused tag is still c2's to ack").isTrue();
        clock.advance(VISIBILITY);
        assertThat(queue.expireDeliveries()).as("only b, never acked, comes back").isEqualTo(1);
        assertThat(text(queue.poll("c3").orElseThrow())).isEqualTo(text(b));
    }

    @Test
    void theDeliveriesOfABatchPollShareADeadlineAndALaterPollGetsItsOwn() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            queue.publish(bytes("m" + i));
        }
        List<Delivery> batch = queue.poll("c1", 2);
        clock.advance(Duration.ofSeconds(10));
        queue.poll("c1").orElseThrow();

        clock.advance(VISIBILITY.minusSeconds(10));
        assertThat(queue.expireDeliveries()).as("the batch was made at one instant: both expire now, and the "
            + "delivery made ten seconds later does not").isEqualTo(batch.size());
        clock.advance(Duration.ofSeconds(10));
        assertThat(queue.expireDeliveries()).isEqualTo(1);
    }

    @Test
    void rejectWithRequeuePutsTheMessageBackAtTheHead() throws InterruptedException {
        queue.publish(bytes("first"));
        queue.publish(bytes("second"));
        Delivery first = queue.poll("c1").orElseThrow();

        assertThat(queue.reject("c1", first.tag(), true)).isTrue();

        Delivery next = queue.poll("c2").orElseThrow();
        assertThat(text(next)).as("requeued at the head, before 'second'").isEqualTo("first");
        assertThat(next.deliveryCount()).isEqualTo(2);
        assertThat(queue.stats().redelivered()).isEqualTo(1);
    }

    @Test
    void rejectWithoutRequeueDropsTheMessage() throws InterruptedException {
        queue.publish(bytes("poison"));
        Delivery delivery = queue.poll("c1").orElseThrow();

        assertThat(queue.reject("c1", delivery.tag(), false)).isTrue();

        assertThat(queue.poll("c2")).isEmpty();
        assertThat(queue.stats().inFlight()).isZero();
    }

    @Test
    void aGoneConsumersDeliveriesReturnToTheHeadInTheirOriginalOrder() throws InterruptedException {
        for (String m : List.of("a", "b", "c", "d")) {
            queue.publish(bytes(m));
        }
        queue.poll("c1").orElseThrow(); // a
        queue.poll("c2").orElseThrow(); // b
        queue.poll("c1").orElseThrow(); // c

        assertThat(queue.consumerGone("c1")).isEqualTo(2);

        assertThat(List.of(text(queue.poll("c3").orElseThrow()), text(queue.poll("c3").orElseThrow()),
            text(queue.poll("c3").orElseThrow())))
            .as("c1's a and c come back first, in order, then d; c2 keeps b")
            .containsExactly("a", "c", "d");
        assertThat(queue.stats().inFlight()).isEqualTo(4);
    }

    @Test
    void expiredDeliveriesReturnInTheOrderTheyWereDelivered() throws InterruptedException {
        for (String m : List.of("a", "b", "c")) {
            queue.publish(bytes(m));
        }
        queue.poll("c1");
        clock.advance(Duration.ofSeconds(1));
        queue.poll("c1");
        clock.advance(VISIBILITY);

        assertThat(queue.expireDeliveries()).isEqualTo(2);

        assertThat(text(queue.poll("c2").orElseThrow())).isEqualTo("a");
        assertThat(text(queue.poll("c2").orElseThrow())).isEqualTo("b");
        assertThat(text(queue.poll("c2").orElseThrow())).isEqualTo("c");
    }

    @Test
    void countsEveryDeliveryOfAMessage() throws InterruptedException {
        queue.publish(bytes("unlucky"));
        for (int attempt = 1; attempt <= 4; attempt++) {
            Delivery delivery = queue.poll("c" + attempt).orElseThrow();
            assertThat(delivery.deliveryCount()).isEqualTo(attempt);
            queue.consumerGone("c" + attempt);
        }
    }

    @Test
    void requeueingMayTakeTheQueueOverCapacityButLosesNothing() throws InterruptedException {
        MessageQueue small = new MessageQueue("small", QueueConfig.withCapacity(1), clock);
        small.publish(bytes("x"));
        Delivery x = small.poll("c1").orElseThrow();
        small.publish(bytes("y"));

        small.consumerGone("c1");

        assertThat(small.stats().ready()).as("x was accepted before: requeue never drops it").isEqualTo(2);
        assertThat(text(small.poll("c2").orElseThrow())).isEqualTo("x");
        assertThat(x.messageId()).isZero();
    }

    @Test
    void noAcknowledgedMessageIsLostWhenConsumersCrashAndStall(Random random) throws InterruptedException {
        Scenarios.Outcome outcome = Scenarios.crashingConsumers(AckingQueue.of(queue), clock, VISIBILITY, 300, random);

        assertThat(outcome.errors()).isEmpty();
        outcome.history().check(Guarantee.AT_LEAST_ONCE, Ordering.NONE).assertOk();
        assertThat(queue.stats().ready() + queue.stats().inFlight()).as("everything was acked in the end").isZero();
    }
}

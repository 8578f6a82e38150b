package org.mqworkbook.testkit.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mqworkbook.testkit.history.Guarantee.AT_LEAST_ONCE;
import static org.mqworkbook.testkit.history.Guarantee.AT_MOST_ONCE;
import static org.mqworkbook.testkit.history.Guarantee.EXACTLY_ONCE;
import static org.mqworkbook.testkit.history.Ordering.NONE;
import static org.mqworkbook.testkit.history.Ordering.PER_KEY;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mqworkbook.testkit.history.HistoryReport.Duplicate;
import org.mqworkbook.testkit.history.HistoryReport.Reordering;

@Timeout(10)
class DeliveryHistoryTest {

    private final DeliveryHistory history = new DeliveryHistory();

    /** Records one message sent, acknowledged and consumed once: the happy path. */
    private void delivered(String key, String id) {
        history.sent(key, id);
        history.acknowledged(id);
        history.consumed("consumer-1", id);
    }

    @ParameterizedTest
    @EnumSource(Guarantee.class)
    void acceptsAHistoryInWhichEveryMessageWasConsumedOnceInOrder(Guarantee guarantee) {
        delivered("k1", "m1");
        delivered("k1", "m2");
        delivered(null, "m3");

        HistoryReport report = history.check(guarantee, PER_KEY);

        assertThat(report.isOk()).isTrue();
    }

    @Test
    void reportsAcknowledgedMessageThatWasNeverConsumedAsLost() {
        delivered("k1", "m1");
        history.sent("k1", "m2");
        history.acknowledged("m2");

        HistoryReport report = history.check(AT_LEAST_ONCE, NONE);

        assertThat(report.lost()).containsExactly("m2");
        assertThat(report.isOk()).isFalse();
    }

    @Test
    void reportsLossUnderExactlyOnce() {
        history.sent("m1");
        history.acknowledged("m1");

        HistoryReport report = history.check(EXACTLY_ONCE, NONE);

        assertThat(report.lost()).containsExactly("m1");
    }

    @Test
    void allowsLossUnderAtMostOnce() {
        history.sent("m1");
        history.acknowledged("m1");

        HistoryReport report = history.check(AT_MOST_ONCE, NONE);

        assertThat(report.lost()).isEmpty();
        assertThat(report.isOk()).isTrue();
    }

    @Test
    void doesNotReportAnUnacknowledgedMessageThatWasNeverConsumedAsLost() {
        history.sent("m1");

        HistoryReport report = history.check(EXACTLY_ONCE, NONE);

        assertThat(report.lost()).isEmpty();
        assertThat(report.isOk()).isTrue();
    }

    @Test
    void acceptsAnUnacknowledgedMessageThatWasConsumed() {
        history.sent("m1");
        history.consumed("consumer-1", "m1");

        HistoryReport report = history.check(EXACTLY_ONCE, NONE);

        assertThat(report.isOk()).isTrue();
    }

    @Test
    void reportsADuplicateWithoutAFailureInBetweenUnderAtLeastOnce() {
        delivered(null, "m1");
        history.consumed("consumer-1", "m1");

        HistoryReport report = history.check(AT_LEAST_ONCE, NONE);

        assertThat(report.duplicated()).extracting(Duplicate::id).containsExactly("m1");
    }

    @Test
    void allowsADuplicateAfterAFailureUnderAtLeastOnce() {
        delivered(null, "m1");
        history.failure("consumer-1 crashed before acknowledging");
        history.consumed("consumer-2", "m1");

        HistoryReport report = history.check(AT_LEAST_ONCE, NONE);

        assertThat(report.duplicated()).isEmpty();
        assertThat(report.isOk()).isTrue();
    }

    @Test
    void doesNotExplainADuplicateByAFailureBeforeTheFirstConsumption() {
        history.sent("m1");
        history.acknowledged("m1");
        history.failure("broker restarted");
        history.consumed("consumer-1", "m1");
        history.consumed("consumer-1", "m1");

        HistoryReport report = history.check(AT_LEAST_ONCE, NONE);

        assertThat(report.duplicated()).extracting(Duplicate::id).containsExactly("m1");
    }

    @Test
    void doesNotExplainADuplicateByAFailureAfterIt() {
        delivered(null, "m1");
        history.consumed("consumer-1", "m1");
        history.failure("broker restarted");

        HistoryReport report = history.check(AT_LEAST_ONCE, NONE);

        assertThat(report.duplicated()).extracting(Duplicate::id).containsExactly("m1");
    }

    @Test
    void reportsADuplicateAfterAFailureUnderExactlyOnce() {
        delivered(null, "m1");
        history.failure("consumer-1 crashed before acknowledging");
        history.consumed("consumer-2", "m1");

        HistoryReport report = history.check(EXACTLY_ONCE, NONE);

        assertThat(report.duplicated()).extracting(Duplicate::id).containsExactly("m1");
    }

    @Test
    void reportsADuplicateAfterAFailureUnderAtMostOnce() {
        delivered(null, "m1");
        history.failure("consumer-1 crashed");
        history.consumed("consumer-2", "m1");

        HistoryReport report = history.check(AT_MOST_ONCE, NONE);

        assertThat(report.duplicated()).extracting(Duplicate::id).containsExactly("m1");
    }

    @Test
    void namesEveryConsumptionOfADuplicatedMessage() {
        delivered(null, "m1");
        history.consumed("consumer-2", "m1");
        history.consumed("consumer-1", "m1");

        HistoryReport report = history.check(EXACTLY_ONCE, NONE);

        assertThat(report.duplicated()).singleElement().satisfies(duplicate -> {
            assertThat(duplicate.consumers()).containsExactly("consumer-1", "consumer-2", "consumer-1");
            assertThat(duplicate.consumptions()).isEqualTo(3);
        });
    }

    @Test
    void reportsMessagesOfOneKeyConsumedOutOfSendOrder() {
        history.sent("k1", "m1");
        history.sent("k1", "m2");
        history.consumed("consumer-1", "m2");
        history.consumed("consumer-1", "m1");

        HistoryReport report = history.check(AT_LEAST_ONCE, PER_KEY);

        assertThat(report.reordered()).containsExactly(new Reordering("k1", "m1", "m2"));
    }

    @Test
    void allowsMessagesOfDifferentKeysToOvertakeEachOther() {
        history.sent("k1", "m1");
        history.sent("k2", "m2");
        history.consumed("consumer-1", "m2");
        history.consumed("consumer-1", "m1");

        HistoryReport report = history.check(AT_LEAST_ONCE, PER_KEY);

        assertThat(report.reordered()).isEmpty();
    }

    @Test
    void allowsMessagesWithoutAKeyToOvertakeEachOther() {
        history.sent("m1");
        history.sent("m2");
        history.consumed("consumer-1", "m2");
        history.consumed("consumer-1", "m1");

        HistoryReport report = history.check(AT_LEAST_ONCE, PER_KEY);

        assertThat(report.reordered()).isEmpty();
    }

    @Test
    void comparesOnlyConsumedMessagesWhenCheckingOrder() {
        history.sent("k1", "m1");
        history.sent("k1", "m2");
        history.sent("k1", "m3");
        history.consumed("consumer-1", "m1");
        history.consumed("consumer-1", "m3");

        HistoryReport report = history.check(AT_MOST_ONCE, PER_KEY);

        assertThat(report.reordered()).isEmpty();
    }

    @Test
    void judgesOrderByTheFirstConsumptionOfEachMessage() {
        history.sent("k1", "m1");
        history.sent("k1", "m2");
        history.consumed("consumer-1", "m1");
        history.consumed("consumer-1", "m2");
        history.failure("consumer-1 crashed before committing");
        history.consumed("consumer-2", "m1");
        history.consumed("consumer-2", "m2");

        HistoryReport report = history.check(AT_LEAST_ONCE, PER_KEY);

        assertThat(report.isOk()).isTrue();
    }

    @Test
    void keepsTheFirstSendPositionOfAMessageTheProducerRetried() {
        history.sent("k1", "m1");
        history.sent("k1", "m2");
        history.sent("k1", "m1");
        history.consumed("consumer-1", "m1");
        history.consumed("consumer-1", "m2");

        HistoryReport report = history.check(AT_LEAST_ONCE, PER_KEY);

        assertThat(report.reordered()).isEmpty();
    }

    @Test
    void reportsEachMessageConsumedBehindALaterOneOfItsKey() {
        history.sent("k1", "m1");
        history.sent("k1", "m2");
        history.sent("k1", "m3");
        history.consumed("consumer-1", "m3");
        history.consumed("consumer-1", "m1");
        history.consumed("consumer-1", "m2");

        HistoryReport report = history.check(AT_LEAST_ONCE, PER_KEY);

        assertThat(report.reordered()).containsExactly(
            new Reordering("k1", "m1", "m3"), new Reordering("k1", "m2", "m3"));
    }

    @Test
    void ignoresOrderWhenNoOrderingIsPromised() {
        history.sent("k1", "m1");
        history.sent("k1", "m2");
        history.consumed("consumer-1", "m2");
        history.consumed("consumer-1", "m1");

        HistoryReport report = history.check(AT_LEAST_ONCE, NONE);

        assertThat(report.reordered()).isEmpty();
        assertThat(report.isOk()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Guarantee.class)
    void reportsAMessageConsumedButNeverSentAsPhantom(Guarantee guarantee) {
        delivered(null, "m1");
        history.consumed("consumer-1", "m9");

        HistoryReport report = history.check(guarantee, NONE);

        assertThat(report.phantom()).containsExactly("m9");
        assertThat(report.isOk()).isFalse();
    }

    @Test
    void acceptsAConsumptionRecordedBeforeItsSend() {
        history.consumed("consumer-1", "m1");
        history.sent("m1");

        HistoryReport report = history.check(EXACTLY_ONCE, NONE);

        assertThat(report.phantom()).isEmpty();
    }

    @Test
    void countsEveryKindOfEvent() {
        delivered("k1", "m1");
        history.sent("k1", "m2");
        history.sent("k1", "m2");
        history.failure("producer timed out");
        history.consumed("consumer-1", "m2");

        HistoryReport report = history.check(AT_LEAST_ONCE, PER_KEY);

        assertThat(report.sent()).isEqualTo(3);
        assertThat(report.acknowledged()).isEqualTo(1);
        assertThat(report.consumed()).isEqualTo(2);
        assertThat(report.failures()).containsExactly("producer timed out");
    }

    @Test
    void keepsEveryEventRecordedConcurrentlyBySeveralThreads() throws Exception {
        int threads = 8;
        int messagesPerThread = 20_000;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String key = "key-" + t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < messagesPerThread; i++) {
                        String id = key + "/m-" + i;
                        history.sent(key, id);
                        history.acknowledged(id);
                        history.consumed("consumer-" + key, id);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }

        HistoryReport report = history.check(EXACTLY_ONCE, PER_KEY);

        int total = threads * messagesPerThread;
        assertThat(report.sent()).isEqualTo(total);
        assertThat(report.acknowledged()).isEqualTo(total);
        assertThat(report.consumed()).isEqualTo(total);
        assertThat(report.isOk()).isTrue();
    }

    @Test
    void checksAHistoryOfAMillionEvents() {
        int messages = 250_000;
        for (int i = 0; i < messages; i++) {
            String id = "m-" + i;
            history.sent("key-" + (i % 100), id);
            history.acknowledged(id);
        }
        for (int i = 0; i < messages; i++) {
            history.consumed("consumer-" + (i % 4), "m-" + i);
        }
        history.consumed("consumer-0", "m-7");

        HistoryReport report = history.check(EXACTLY_ONCE, PER_KEY);

        assertThat(report.sent() + report.acknowledged() + report.consumed()).isEqualTo(3 * messages + 1);
        assertThat(report.duplicated()).extracting(Duplicate::id).containsExactly("m-7");
    }
}

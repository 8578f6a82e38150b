package org.mqworkbook.testkit.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mqworkbook.testkit.history.Guarantee.AT_LEAST_ONCE;
import static org.mqworkbook.testkit.history.Guarantee.AT_MOST_ONCE;
import static org.mqworkbook.testkit.history.Ordering.NONE;
import static org.mqworkbook.testkit.history.Ordering.PER_KEY;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class HistoryReportTest {

    private final DeliveryHistory history = new DeliveryHistory();

    @Test
    void passesAssertOkWhenNothingIsViolated() {
        history.sent("k1", "m1");
        history.acknowledged("m1");
        history.consumed("consumer-1", "m1");

        HistoryReport report = history.check(AT_LEAST_ONCE, PER_KEY);

        assertThatCode(report::assertOk).doesNotThrowAnyException();
    }

    @Test
    void failsAssertOkWithTheCheckedGuaranteeAndOrderingFirst() {
        history.sent("k1", "m1");
        history.acknowledged("m1");

        HistoryReport report = history.check(AT_LEAST_ONCE, PER_KEY);

        assertThatThrownBy(report::assertOk)
            .isInstanceOf(AssertionError.class)
            .hasMessageStartingWith("Delivery history violates AT_LEAST_ONCE with PER_KEY order:\n")
            .hasMessageContaining("lost (acknowledged, never consumed): 1\n  m1");
    }

    @Test
    void summarisesTheTotalsAndEveryCategory() {
        history.sent("k1", "m1");
        history.sent("k1", "m2");
        history.acknowledged("m1");
        history.acknowledged("m2");
        history.consumed("consumer-1", "m2");
        history.consumed("consumer-1", "m2");
        history.consumed("consumer-1", "m3");
        history.failure("broker restarted");

        HistoryReport report = history.check(AT_LEAST_ONCE, PER_KEY);

        assertThat(report).hasToString(String.join("\n",
            "events: sent 2, acknowledged 2, consumed 3, failures 1",
            "lost (acknowledged, never consumed): 1",
            "  m1",
            "duplicated (consumed again with no failure since the first consumption): 1",
            "  m2 consumed 2 times, by consumer-1, consumer-1",
            "reordered (consumed out of send order within a key): 0",
            "phantom (consumed, never sent): 1",
            "  m3",
            "failures recorded: 1",
            "  broker restarted"));
    }

    @Test
    void describesAReorderingByWhatWasSentFirst() {
        history.sent("k1", "m1");
        history.sent("k1", "m2");
        history.consumed("consumer-1", "m2");
        history.consumed("consumer-1", "m1");

        HistoryReport report = history.check(AT_LEAST_ONCE, PER_KEY);

        assertThat(report.toString()).contains("\n  key k1: m1 was sent before m2 but consumed after it\n");
    }

    @Test
    void saysWhichCategoriesWereNotChecked() {
        HistoryReport report = history.check(AT_MOST_ONCE, NONE);

        assertThat(report.toString())
            .contains("lost: not checked, AT_MOST_ONCE allows loss")
            .contains("reordered: not checked, NONE order");
    }

    @Test
    void showsAtMostTenExamplesOfACategory() {
        for (int i = 0; i < 25; i++) {
            String id = String.format("m-%02d", i);
            history.sent(id);
            history.acknowledged(id);
        }

        HistoryReport report = history.check(AT_LEAST_ONCE, NONE);

        assertThat(report.lost()).hasSize(25);
        assertThat(report.toString())
            .contains("lost (acknowledged, never consumed): 25\n")
            .contains("  m-09\n  ... and 15 more\n")
            .doesNotContain("m-10");
    }
}

package org.mqworkbook.dispatch.group.museum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mqworkbook.testkit.Seeded;
import org.mqworkbook.testkit.history.DeliveryHistory;
import org.mqworkbook.testkit.history.Guarantee;
import org.mqworkbook.testkit.history.HistoryReport;
import org.mqworkbook.testkit.history.Ordering;

/**
 * The consumer group failure museum: {@link CommitBeforeProcessingConsumer}, crashed between its commit
 * and its processing, then replaced by a new owner, is caught losing messages by the history checker
 * that the learner's group passes. README section "Failure museum".
 */
@Timeout(10)
@ExtendWith(Seeded.class)
class GroupMuseumTest {
    @Test
    void theHistoryCheckerCatchesAConsumerThatCommitsBeforeProcessing(Random random) {
        DeliveryHistory history = new DeliveryHistory();
        List<String> partition = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            history.sent("k", "m" + i);
            partition.add("m" + i);
            history.acknowledged("m" + i);
        }
        CommitBeforeProcessingConsumer.OffsetStore offsets = new CommitBeforeProcessingConsumer.OffsetStore();
        for (int owner = 0; ; owner++) {
            String name = "c" + owner;
            CommitBeforeProcessingConsumer consumer =
                new CommitBeforeProcessingConsumer(partition, offsets, id -> history.consumed(name, id));
            boolean crashes = owner < 3; // the first three owners die in their first poll, after committing
            try {
                while (consumer.pollOnce(1 + random.nextInt(10), () -> {
                    if (crashes) {
                        throw new CommitBeforeProcessingConsumer.Crash();
                    }
                })) {
                    // keep polling
                }
                break; // the partition is exhausted
            } catch (CommitBeforeProcessingConsumer.Crash crash) {
                history.failure(name + " crashed between commit and processing");
            }
        }

        HistoryReport report = history.check(Guarantee.AT_LEAST_ONCE, Ordering.PER_KEY);

        assertThat(report.isOk()).as("committing before processing is at most once: %s", report).isFalse();
        assertThat(report.lost()).as("the batch committed by each crashed owner is never processed by anyone")
            .isNotEmpty();
        assertThat(report.duplicated()).as("and it is wrong in only one way: it never processes twice").isEmpty();
    }
}

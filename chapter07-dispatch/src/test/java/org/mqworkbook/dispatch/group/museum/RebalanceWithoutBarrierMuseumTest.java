package org.mqworkbook.dispatch.group.museum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mqworkbook.dispatch.group.GroupSchedule;
import org.mqworkbook.testkit.ManualClock;

/**
 * The rebalance without a barrier ({@link NoBarrierCoordinator}) against the same seeded schedules that
 * exercise 7.2's coordinator passes: the ownership history catches two members processing one partition
 * at once. It shows that the property test can fail, and how. Given code, no exercise: it passes on the
 * untouched skeleton too. README section "7.2 Consumer groups" and "Failure museum".
 */
@Timeout(30)
class RebalanceWithoutBarrierMuseumTest {
    @Test
    void theOwnershipHistoryCatchesTwoMembersOnOnePartitionInEverySchedule() {
        for (long seed = 1; seed <= 10; seed++) {
            ManualClock clock = new ManualClock();
            GroupSchedule schedule = new GroupSchedule(new Random(seed),
                new NoBarrierCoordinator(GroupSchedule.SESSION, clock), clock);

            Throwable verdict = catchThrowable(schedule::runAndCheck);

            assertThat(verdict).as("schedule %d: without the barrier a newcomer starts on a partition while its old "
                + "owner, who has not heard of the rebalance yet, still processes it", seed)
                .isInstanceOf(AssertionError.class).hasMessageContaining("ownership violation")
                .hasMessageContaining("while");
        }
    }
}

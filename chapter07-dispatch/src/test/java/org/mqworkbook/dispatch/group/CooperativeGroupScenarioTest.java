package org.mqworkbook.dispatch.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mqworkbook.dispatch.partition.CooperativeStickyAssignor;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.Seeded;

/**
 * Exercise 7.8 end to end: the seeded schedules of {@link GroupSchedule} with the cooperative protocol.
 * Members keep their partitions — and keep processing them — while they rejoin; a partition that moves
 * is given up by its holder after the first round and reaches its new owner in the second. The same
 * histories judge it: no partition held by two members at once, nothing lost, each key in order,
 * duplicates only after failures. README section "7.8 Cooperative rebalancing".
 */
@Exercise("7.8")
@Tag("7.8")
@Timeout(30)
@ExtendWith(Seeded.class)
class CooperativeGroupScenarioTest {
    /** Over all the schedules: how often a member gave some partitions up and kept the others. */
    private static final AtomicInteger PARTIAL_HAND_OVERS = new AtomicInteger();
    /** How many schedules ran to the end and passed. */
    private static final AtomicInteger PASSED = new AtomicInteger();

    @RepeatedTest(20)
    void partitionsMoveInTwoRoundsWithoutEverHavingTwoHolders(Random random) {
        PARTIAL_HAND_OVERS.addAndGet(new GroupSchedule(random, new CooperativeStickyAssignor()).runAndCheck());
        PASSED.incrementAndGet();
    }

    /**
     * Twenty schedules that passed without ever exercising the second round would prove nothing about it.
     * (When the schedules themselves fail, they have said what is wrong: nothing to add.)
     */
    @AfterAll
    static void theCooperativeProtocolRan() {
        if (PASSED.get() < 10) {
            return;
        }
        assertThat(PARTIAL_HAND_OVERS.get())
            .as("over the schedules, members gave up some partitions and kept others: the second round ran")
            .isPositive();
    }
}

package org.mqworkbook.dispatch.group;

import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mqworkbook.dispatch.partition.RangeAssignor;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.Seeded;

/**
 * Exercise 7.2 end to end, as a property over seeded schedules ({@link GroupSchedule}): members join,
 * leave, crash, pause and dawdle before rejoining while the clock moves, and with the eager protocol's
 * barrier no partition is ever held by two members at once, nothing is lost, each key stays in order, and
 * duplicates follow only failures. A coordinator that hands out partitions without waiting for every
 * member to rejoin fails every schedule: see the museum's {@code RebalanceWithoutBarrierMuseumTest}. README section "7.2 Consumer groups".
 */
@Exercise("7.2")
@Tag("7.2")
@Timeout(30)
@ExtendWith(Seeded.class)
class ConsumerGroupScenarioTest {
    @RepeatedTest(20)
    void noPartitionIsProcessedByTwoMembersAtOnceAndNothingIsLost(Random random) {
        new GroupSchedule(random, new RangeAssignor()).runAndCheck();
    }
}

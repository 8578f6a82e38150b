package org.mqworkbook.ha.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mqworkbook.ha.quorum.RaftStorage;
import org.mqworkbook.testkit.ManualClock;

/**
 * The given half of the controller and the broker's {@link BrokerLifecycle}: the refusals of a controller that
 * is not active, following the active one, and the lease that stops a cut-off broker from leading. No
 * exercise: these pass on the skeleton. (Registration and heartbeats need a working quorum, 8.5's, and are
 * tested with 8.6's exercise in {@code PartitionElectionTest}.)
 */
@Timeout(10)
class BrokerSessionTest {
    @Test
    void aControllerThatIsNotActiveRefersTheBrokerOn() {
        List<ControllerMessage> answers = new ArrayList<>();
        QuorumController follower = new QuorumController("c2", Set.of("c1", "c2", "c3"), new RaftStorage(),
            new ManualClock(), new Random(1), (to, message) -> { }, (to, message) -> answers.add(message),
            QuorumController.SESSION_TIMEOUT, false);
        follower.receive("b1", new ControllerMessage.Register());
        assertThat(answers).singleElement().isInstanceOfSatisfying(ControllerMessage.Refused.class, refused -> {
            assertThat(refused.error()).isEqualTo(ControllerMessage.Error.NOT_CONTROLLER);
            assertThat(refused.activeController()).as("c2 has heard from no leader yet").isNull();
        });
    }

    @Test
    void aBrokerStopsLeadingWhenItsLeaseRunsOutAndFollowsTheActiveController() {
        ManualClock clock = new ManualClock();
        List<String> sentTo = new ArrayList<>();
        List<ControllerMessage> sent = new ArrayList<>();
        BrokerLifecycle broker = new BrokerLifecycle("b1", List.of("c1", "c2", "c3"), clock, (to, message) -> {
            sentTo.add(to);
            sent.add(message);
        }, QuorumController.SESSION_TIMEOUT);

        broker.tick();
        String first = sentTo.get(0);
        assertThat(sent).singleElement().isInstanceOf(ControllerMessage.Register.class);
        broker.receive(first, new ControllerMessage.Refused(sent.get(0), ControllerMessage.Error.NOT_CONTROLLER,
            "not me", "c3"));
        broker.tick();
        assertThat(sentTo).as("refused with a hint, it asks c3").containsExactly(first, "c3");
        broker.receive("c3", new ControllerMessage.Registered(7));
        broker.tick();
        assertThat(sent.get(2)).isEqualTo(new ControllerMessage.Heartbeat(7));
        assertThat(broker.mayLead()).as("registered, but not yet unfenced").isFalse();

        clock.advance(Duration.ofMillis(30));
        broker.receive("c3", new ControllerMessage.HeartbeatAnswer(7, false, 9, List.of()));
        assertThat(broker.mayLead()).isTrue();

        clock.advance(QuorumController.SESSION_TIMEOUT.minusMillis(31));
        assertThat(broker.mayLead()).as("the lease runs from when the answered heartbeat was sent").isTrue();
        clock.advance(Duration.ofMillis(1));
        assertThat(broker.mayLead()).as("a session timeout after it sent that heartbeat, the controller may fence "
            + "it at any moment: it stops leading first").isFalse();
    }
}

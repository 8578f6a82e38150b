package org.mqworkbook.ha.controller;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.mqworkbook.ha.quorum.RaftStorage;
import org.mqworkbook.testkit.ManualClock;

/**
 * One {@link QuorumController} in a unit test: a quorum of one controller, c1, so that whatever it writes is
 * committed at once and its answers go at once; a manual clock; a list of what it sends to brokers; and helpers
 * that register brokers and move time. Its sessions last {@link QuorumController#SESSION_TIMEOUT}.
 */
final class ControllerFixture {
    /** What the controller sent to a broker. */
    record Sent(String to, ControllerMessage message) {
    }

    final ManualClock clock = new ManualClock();
    final List<Sent> sent = new ArrayList<>();
    final QuorumController controller;

    ControllerFixture() {
        this(false);
    }

    ControllerFixture(boolean uncleanLeaderElection) {
        controller = new QuorumController("c1", Set.of("c1"), new RaftStorage(), clock, new Random(8_6L),
            (to, message) -> {
                throw new AssertionError("a quorum of one sends no Raft message, yet c1 sent " + message);
            }, (to, message) -> sent.add(new Sent(to, message)), QuorumController.SESSION_TIMEOUT,
            uncleanLeaderElection);
        clock.advance(Duration.ofSeconds(1)); // past any election timeout: c1 elects itself
        controller.tick();
        if (!controller.isActive()) {
            throw new AssertionError("c1, a quorum of one, did not become the active controller: " + controller);
        }
    }

    /** Registers {@code broker} and heartbeats once, which unfences it; returns its broker epoch. */
    long join(String broker) {
        controller.receive(broker, new ControllerMessage.Register());
        long epoch = last(broker, ControllerMessage.Registered.class).brokerEpoch();
        controller.receive(broker, new ControllerMessage.Heartbeat(epoch));
        return epoch;
    }

    /** Heartbeats for each of {@code brokers} in its registered incarnation. */
    void heartbeat(String... brokers) {
        for (String broker : brokers) {
            controller.receive(broker, new ControllerMessage.Heartbeat(metadata().broker(broker).brokerEpoch()));
        }
    }

    /**
     * Lets a whole session timeout pass, in steps shorter than one, with {@code alive} heartbeating at each step,
     * and ticks: the sessions of every other broker lapse.
     */
    void lapseAllBut(String... alive) {
        long step = QuorumController.SESSION_TIMEOUT.toMillis() / 4;
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMillis(step));
            heartbeat(alive);
            controller.tick();
        }
    }

    /** The committed metadata. */
    ClusterMetadata metadata() {
        return controller.committed();
    }

    PartitionState partition(String name) {
        return metadata().partition(name);
    }

    /** Sends {@code request} from {@code broker} and returns the answer, which must be of type {@code type}. */
    <M extends ControllerMessage> M ask(String broker, ControllerMessage request, Class<M> type) {
        int before = sent.size();
        controller.receive(broker, request);
        if (sent.size() == before) {
            throw new AssertionError("c1 did not answer " + request + " from " + broker);
        }
        return last(broker, type);
    }

    /** The last message sent to {@code broker}, which must be of type {@code type}. */
    <M extends ControllerMessage> M last(String broker, Class<M> type) {
        for (int i = sent.size() - 1; i >= 0; i--) {
            if (sent.get(i).to().equals(broker)) {
                ControllerMessage message = sent.get(i).message();
                if (!type.isInstance(message)) {
                    throw new AssertionError("c1's last answer to " + broker + " is " + message + ", not a "
                        + type.getSimpleName());
                }
                return type.cast(message);
            }
        }
        throw new AssertionError("c1 sent nothing to " + broker);
    }

    /** An AlterPartition from the current leader of {@code partition}, as of the committed state, for {@code isr}. */
    ControllerMessage.AlterPartition alterFromLeader(String partition, String... isr) {
        PartitionState state = partition(partition);
        return new ControllerMessage.AlterPartition(metadata().broker(state.leader()).brokerEpoch(), partition,
            state.leaderEpoch(), state.partitionEpoch(), List.of(isr));
    }
}

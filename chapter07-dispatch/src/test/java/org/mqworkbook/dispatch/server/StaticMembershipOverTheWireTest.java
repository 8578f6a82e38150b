package org.mqworkbook.dispatch.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.dispatch.broker.TopicBroker;
import org.mqworkbook.dispatch.client.DispatchClient;
import org.mqworkbook.dispatch.client.Joined;
import org.mqworkbook.dispatch.group.Assignment;
import org.mqworkbook.dispatch.group.HeartbeatResult;
import org.mqworkbook.dispatch.partition.RangeAssignor;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;

/**
 * Exercise 7.7 over the network: a static member's join (Join version 1, with its instance id) from a
 * restarted process on a new connection takes its partitions back without a rebalance, and the old
 * incarnation's heartbeat is answered {@code FENCED}. README section "7.7 Static membership".
 */
@Exercise("7.7")
@Tag("7.7")
@Timeout(30)
class StaticMembershipOverTheWireTest {
    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock();
    private final List<DispatchClient> clients = new ArrayList<>();
    private TopicBroker broker;
    private DispatchServer server;

    @BeforeEach
    void start() throws IOException {
        broker = TopicBroker.open(dir, TopicBroker.BrokerConfig.defaults(RangeAssignor::new), clock);
        server = new DispatchServer(broker, "127.0.0.1", 0, 2, 64).start();
    }

    @AfterEach
    void stop() throws IOException {
        clients.forEach(DispatchClient::close);
        server.close();
        broker.close();
    }

    /** The join's answer, waited for a few seconds, not a barrier's five minutes: the test says what it waited for. */
    private static Assignment within(CompletableFuture<Joined> join, String what) {
        try {
            return join.get(5, TimeUnit.SECONDS).assignment();
        } catch (TimeoutException e) {
            throw new AssertionError(what + ": no answer within 5 s", e);
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError(what + ": " + e, e);
        }
    }

    private DispatchClient client() throws IOException {
        DispatchClient client = DispatchClient.connect("127.0.0.1", server.port(), Duration.ofSeconds(10));
        clients.add(client);
        return client;
    }

    @Test
    void aStaticMemberRestartedOnANewConnectionGetsItsPartitionsBackAndFencesItsOldSelf() throws IOException {
        DispatchClient firstRun = client();
        DispatchClient other = client();
        firstRun.createTopic("payments", 4);
        Assignment a1 = firstRun.join("billing", "a-run1", "host-a", List.of("payments"));
        CompletableFuture<Assignment> joining =
            CompletableFuture.supplyAsync(() -> other.join("billing", "b-run1", "host-b", List.of("payments")));
        await("a-run1 told to rejoin").atMost(Duration.ofSeconds(10))
            .until(() -> firstRun.heartbeat("billing", "a-run1", a1.generation()) == HeartbeatResult.REBALANCE_NEEDED);
        Assignment a1Now = firstRun.join("billing", "a-run1", "host-a", List.of("payments"));
        Assignment b1 = joining.join();

        DispatchClient secondRun = client(); // host-a restarts: a new process, a new connection, a new member id
        Assignment a2 = within(secondRun.joinAsync("billing", "a-run2", "host-a", List.of("payments")),
            "the restarted instance's join: in a stable group it must be answered at once, without a rebalance");

        assertThat(a2).as("the restarted instance gets the same partitions in the same generation")
            .isEqualTo(a1Now);
        assertThat(other.heartbeat("billing", "b-run1", b1.generation())).as("and the others never rebalanced")
            .isEqualTo(HeartbeatResult.OK);
        assertThat(firstRun.heartbeat("billing", "a-run1", a1Now.generation())).as("the old incarnation is fenced")
            .isEqualTo(HeartbeatResult.FENCED);
    }

}

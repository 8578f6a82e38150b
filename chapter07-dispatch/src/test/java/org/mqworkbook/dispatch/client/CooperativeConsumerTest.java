package org.mqworkbook.dispatch.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.dispatch.broker.TopicBroker;
import org.mqworkbook.dispatch.partition.CooperativeStickyAssignor;
import org.mqworkbook.dispatch.partition.PartitionAssignor;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.server.DispatchServer;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;

/**
 * Exercise 7.8 over the network, through the given {@link GroupConsumer}: in a cooperative group a member
 * that rejoins goes on reading the partitions it keeps while its join waits, gives up only the ones that
 * move — committing them first — and the newcomer gets them in the second round. README section "7.8
 * Cooperative rebalancing".
 */
@Exercise("7.8")
@Tag("7.8")
@Timeout(30)
class CooperativeConsumerTest {
    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 4;

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private DispatchServer start(Supplier<PartitionAssignor> assignor) throws IOException {
        TopicBroker broker = TopicBroker.open(dir, TopicBroker.BrokerConfig.defaults(assignor), clock);
        open.add(broker);
        DispatchServer server = new DispatchServer(broker, "127.0.0.1", 0, 2, 64).start();
        open.add(server);
        return server;
    }

    private DispatchClient client(DispatchServer server) throws IOException {
        DispatchClient client = DispatchClient.connect("127.0.0.1", server.port(), Duration.ofSeconds(10));
        open.add(client);
        return client;
    }

    private int produced;
    /** Every record value either member processed, with repeats. */
    private final List<String> processed = new ArrayList<>();

    private void produce(DispatchClient client, int count) {
        for (int i = 0; i < count; i++) {
            client.produce(TOPIC, null, ("r" + produced++).getBytes(UTF_8), null); // null key: round robin
        }
    }

    /** Records a's polls returned while its cooperative rejoin was waiting at the barrier. */
    private final List<ConsumedRecord> readWhileRejoining = new ArrayList<>();

    private List<ConsumedRecord> pollAndCommit(GroupConsumer consumer) {
        List<ConsumedRecord> records = consumer.poll();
        for (ConsumedRecord record : records) {
            processed.add(new String(record.record().value(), UTF_8));
        }
        consumer.commit();
        return records;
    }

    /**
     * a reads the whole topic, then b joins; runs until both are stable. Returns the partitions a held at
     * each of its polls during the rebalance.
     */
    private List<Set<TopicPartition>> aSeesBJoin(DispatchServer server) throws Exception {
        DispatchClient producer = client(server);
        producer.createTopic(TOPIC, PARTITIONS);
        GroupConsumer a = new GroupConsumer(client(server), "billing", "a", List.of(TOPIC), "*", 1 << 16)
            .maxWait(Duration.ofMillis(50));
        open.add(a);
        pollAndCommit(a);
        assertThat(a.partitions()).as("a alone reads everything").hasSize(PARTITIONS);

        GroupConsumer b = new GroupConsumer(client(server), "billing", "b", List.of(TOPIC), "*", 1 << 16)
            .maxWait(Duration.ofMillis(50));
        open.add(b);
        CompletableFuture<Void> bJoined = CompletableFuture.runAsync(b::poll); // its first join waits for a
        List<Set<TopicPartition>> held = new ArrayList<>();
        // b's first poll runs on another thread until its join is answered; only then does this thread touch b.
        for (int i = 0; i < 400 && !(bJoined.isDone() && b.partitions().size() == PARTITIONS / 2
            && a.partitions().size() == PARTITIONS / 2); i++) {
            produce(producer, 4);
            boolean waiting = a.rejoining();
            List<ConsumedRecord> records = pollAndCommit(a);
            if (waiting) {
                readWhileRejoining.addAll(records);
            }
            held.add(new HashSet<>(a.partitions()));
            if (bJoined.isDone()) {
                pollAndCommit(b);
            }
        }
        bJoined.join();
        for (int i = 0; i < 20; i++) { // nothing more is produced: both read to the end
            pollAndCommit(a);
            pollAndCommit(b);
        }
        assertThat(b.partitions()).as("in the end b has half the topic: the partitions a gave up reached it in the "
            + "second round").hasSize(PARTITIONS / 2);
        assertThat(a.partitions()).as("and a the other half").hasSize(PARTITIONS / 2)
            .doesNotContainAnyElementsOf(b.partitions());
        return held;
    }

    @Test
    void aCooperativeMemberKeepsReadingThePartitionsThatStayWhileTheGroupRebalances() throws Exception {
        List<Set<TopicPartition>> held = aSeesBJoin(start(CooperativeStickyAssignor::new));

        assertThat(held).as("some polls happened while a's partitions were changing hands").isNotEmpty();
        assertThat(readWhileRejoining).as("while a's rejoin waited at the barrier, its polls went on returning "
            + "records (a member that rejoined eagerly would have stopped)").isNotEmpty()
            .anySatisfy(record -> assertThat(record.partition()).isIn(held.get(held.size() - 1)));

        Set<TopicPartition> kept = held.get(held.size() - 1);
        assertThat(held).as("at every poll through both rounds, a held the partitions it keeps: they never "
            + "stopped").allSatisfy(partitions -> assertThat(partitions).containsAll(kept));
    }

    @Test
    void theHandOverLosesAndRepeatsNothing() throws Exception {
        aSeesBJoin(start(CooperativeStickyAssignor::new));

        assertThat(new HashSet<>(processed)).as("every record was processed").hasSize(produced);
        assertThat(processed).as("and only once: a committed what it gave up, read while it waited or not, "
            + "before b started there").hasSize(produced);
    }
}

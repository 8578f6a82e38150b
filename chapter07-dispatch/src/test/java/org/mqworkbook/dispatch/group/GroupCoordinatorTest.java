package org.mqworkbook.dispatch.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.mqworkbook.dispatch.group.Groups.answered;
import static org.mqworkbook.dispatch.group.Groups.orders;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.dispatch.partition.PartitionAssignor;
import org.mqworkbook.dispatch.partition.RangeAssignor;
import org.mqworkbook.dispatch.partition.StickyAssignor;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;

/**
 * Exercise 7.2, consumer groups: membership, the join barrier of a rebalance, generations, session and
 * rebalance timeouts, and offset commits fenced by generation. README section "7.2 Consumer groups".
 */
@Exercise("7.2")
@Tag("7.2")
@Timeout(10)
class GroupCoordinatorTest {
    private static final Duration SESSION = Duration.ofSeconds(10);
    private static final Duration REBALANCE = Duration.ofSeconds(4);
    private static final Set<String> ORDERS = Set.of("orders");
    private static final TopicPartition P0 = new TopicPartition("orders", 0);

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock();

    private GroupCoordinator group(PartitionAssignor assignor, int partitions) {
        return new GroupCoordinator("billing", assignor, Map.of("orders", partitions), SESSION, clock);
    }

    /**
     * What {@code commit} threw, asserting first — with {@code why} as the failure's explanation — that it
     * threw at all: {@code assertThatThrownBy(...).as(...)} would fail before its description applies.
     */
    private static AbstractThrowableAssert<?, ? extends Throwable> refused(ThrowingCallable commit, String why) {
        Throwable thrown = catchThrowable(commit);
        assertThat(thrown).as(why + " (the commit was accepted)").isNotNull();
        return assertThat(thrown).as(why).isInstanceOf(IllegalGenerationException.class);
    }

    /**
     * The listed members rejoin in order, the last one completing the rebalance; returns the current
     * generation afterwards.
     */
    private static int rejoin(GroupCoordinator group, String... members) {
        List<CompletableFuture<JoinResult>> joins = new ArrayList<>();
        for (String member : members) {
            joins.add(group.join(member, ORDERS));
        }
        for (int i = 0; i < joins.size(); i++) {
            answered(joins.get(i), members[i] + "'s join: every member has rejoined, the rebalance is complete");
        }
        return group.generation();
    }

    @Test
    void aLoneMemberJoinsGenerationOneAndGetsEveryPartition() {
        GroupCoordinator group = group(new RangeAssignor(), 3);

        JoinResult joined = answered(group.join("a", ORDERS),
            "a is the only member: no one else must rejoin, so its join is answered at once");

        assertThat(joined.generation()).as("the first rebalance starts generation 1").isEqualTo(1);
        assertThat(joined.partitions()).as("alone in the group, a reads every partition")
            .containsExactlyElementsOf(orders(0, 1, 2));
        assertThat(group.assignmentOf("a")).as("the coordinator remembers what it handed out")
            .isEqualTo(new Assignment(1, orders(0, 1, 2)));
        assertThat(group.rebalancing()).as("the rebalance is over").isFalse();
    }

    @Test
    void aNewMemberWaitsAtTheBarrierUntilTheOwnerHasRejoined() {
        GroupCoordinator group = group(new RangeAssignor(), 3);
        int first = answered(group.join("a", ORDERS), "a alone").generation();

        CompletableFuture<JoinResult> b = group.join("b", ORDERS);

        assertThat(b).as("b must wait: a still owns all three partitions and may be processing them. Answering "
            + "b now would let two members work on one partition at the same time").isNotDone();
        assertThat(group.rebalancing()).as("b's join started a rebalance").isTrue();
        assertThat(group.generation()).as("no new generation until the rebalance completes").isEqualTo(first);
        assertThat(group.heartbeat("a", first)).as("a's heartbeat tells it to commit and rejoin")
            .isEqualTo(HeartbeatResult.REBALANCE_NEEDED);
        group.commit("a", first, P0, 5); // a hands over: it may still commit until it rejoins

        JoinResult aJoined = answered(group.join("a", ORDERS), "a was the last member missing");

        JoinResult bJoined = answered(b, "a's rejoin lets b through as well");
        assertThat(aJoined.generation()).as("both answers carry the new generation").isEqualTo(first + 1);
        assertThat(bJoined.generation()).isEqualTo(first + 1);
        assertThat(aJoined.partitions()).as("the range assignor gives a the first range").isEqualTo(orders(0, 1));
        assertThat(bJoined.partitions()).as("and b the last").isEqualTo(orders(2));
        assertThat(group.committed(P0)).as("a's hand-over commit counted").hasValue(5);
        assertThat(group.rebalancing()).isFalse();
    }

    @Test
    void aMemberThatHasRejoinedHasGivenUpItsPartitionsAndCannotCommitThem() {
        GroupCoordinator group = group(new RangeAssignor(), 3);
        group.join("a", ORDERS);
        int second = rejoin(group, "b", "a"); // a owns orders-0 and orders-1, b owns orders-2
        group.join("c", ORDERS);

        group.join("a", ORDERS); // a rejoins; b has not yet

        assertThat(group.assignmentOf("a").partitions()).as("waiting at the barrier, a reads nothing").isEmpty();
        refused(() -> group.commit("a", second, P0, 3), "once a has rejoined it has let go of orders-0: a commit "
            + "now could rewind the offset that the partition's next owner starts from")
            .hasMessageContaining("rejoined");
        assertThat(group.committed(P0)).isEmpty();
        group.commit("b", second, new TopicPartition("orders", 2), 4); // b has not rejoined: still its own
        assertThat(group.committed(new TopicPartition("orders", 2))).as("b may still hand over by committing")
            .hasValue(4);
    }

    @Test
    void aLeavingMemberStartsARebalanceThatTheOthersCompleteByRejoining() {
        GroupCoordinator group = group(new RangeAssignor(), 3);
        group.join("a", ORDERS);
        int second = rejoin(group, "b", "a");

        group.leave("b");

        assertThat(group.assignmentOf("b").partitions()).as("b owns nothing once it has left").isEmpty();
        assertThat(group.heartbeat("a", second)).as("a must rejoin to take over b's partition")
            .isEqualTo(HeartbeatResult.REBALANCE_NEEDED);
        JoinResult joined = answered(group.join("a", ORDERS), "a is the only member left");
        assertThat(joined.generation()).as("the leave's rebalance is generation 3").isEqualTo(3);
        assertThat(joined.partitions()).as("a takes back b's partition").isEqualTo(orders(0, 1, 2));
    }

    @Test
    void aLeaveCanBeWhatCompletesARebalance() {
        GroupCoordinator group = group(new RangeAssignor(), 2);
        group.join("a", ORDERS);
        rejoin(group, "b", "a");
        CompletableFuture<JoinResult> c = group.join("c", ORDERS);
        group.join("a", ORDERS);

        group.leave("b"); // b was the last member the barrier waited for

        JoinResult joined = answered(c, "with b gone, every member left has rejoined");
        assertThat(joined.partitions()).as("a and c share the two partitions").hasSize(1);
    }

    @Test
    void aMemberThatLeavesWhileItsJoinWaitsGetsARefusal() {
        GroupCoordinator group = group(new RangeAssignor(), 2);
        group.join("a", ORDERS);
        CompletableFuture<JoinResult> b = group.join("b", ORDERS);

        group.leave("b");

        assertThat(b).as("a join that will never be answered with an assignment must not hang")
            .isCompletedExceptionally();
        assertThatThrownBy(b::join).hasCauseInstanceOf(IllegalGenerationException.class);
        assertThat(group.rebalancing()).as("b was the one who wanted the rebalance, but a rebalance that was "
            + "started still completes; a has not rejoined yet").isTrue();
        assertThat(answered(group.join("a", ORDERS), "a alone").partitions()).hasSize(2);
    }

    @Test
    void theLastMemberLeavingEndsTheRebalance() {
        GroupCoordinator group = group(new RangeAssignor(), 2);
        group.join("a", ORDERS);
        group.join("b", ORDERS); // a rebalance, waiting for a
        group.leave("b");
        assertThat(group.rebalancing()).as("a has not rejoined yet: the rebalance is still in progress").isTrue();

        group.leave("a");

        assertThat(group.rebalancing()).as("no member is left to wait for").isFalse();
        assertThat(group.members()).isEmpty();
        int before = group.generation();
        assertThat(answered(group.join("c", ORDERS), "c alone").generation()).isEqualTo(before + 1);
    }

    @Test
    void aRepeatedJoinInAStableGroupIsAnsweredAtOnceWithoutARebalance() {
        GroupCoordinator group = group(new RangeAssignor(), 3);
        group.join("a", ORDERS);
        int second = rejoin(group, "b", "a");

        JoinResult again = answered(group.join("b", ORDERS),
            "b joins again with the same topics (its first answer was lost): nothing changed, so nothing waits");

        assertThat(again).isEqualTo(new JoinResult(second, orders(2)));
        assertThat(group.rebalancing()).as("and no rebalance was started").isFalse();
        assertThat(group.heartbeat("a", second)).isEqualTo(HeartbeatResult.OK);
    }

    @Test
    void aHeartbeatSaysWhetherToGoOnOrToRejoin() {
        GroupCoordinator group = group(new RangeAssignor(), 3);
        int first = answered(group.join("a", ORDERS), "a alone").generation();

        assertThat(group.heartbeat("a", first)).as("a stable group, the current generation")
            .isEqualTo(HeartbeatResult.OK);
        assertThat(group.heartbeat("a", first - 1)).as("an old generation: rejoin")
            .isEqualTo(HeartbeatResult.REBALANCE_NEEDED);
        group.join("b", ORDERS);
        assertThat(group.heartbeat("a", first)).as("a rebalance is in progress: rejoin")
            .isEqualTo(HeartbeatResult.REBALANCE_NEEDED);
        assertThat(group.heartbeat("stranger", first)).as("a member the group does not know")
            .isEqualTo(HeartbeatResult.UNKNOWN_MEMBER);
    }

    @Test
    void aMemberThatDoesNotRejoinWithinTheRebalanceTimeoutIsRemoved() {
        GroupCoordinator group = new GroupCoordinator("billing", new RangeAssignor(), Map.of("orders", 3), SESSION,
            REBALANCE, clock);
        group.join("a", ORDERS);
        int second = rejoin(group, "b", "a");
        CompletableFuture<JoinResult> c = group.join("c", ORDERS);
        group.join("a", ORDERS);

        clock.advance(REBALANCE);
        assertThat(group.heartbeat("b", second)).as("b is alive, only slow to rejoin")
            .isEqualTo(HeartbeatResult.REBALANCE_NEEDED);
        assertThat(group.expireMembers()).as("at exactly the rebalance timeout b still has time").isZero();
        clock.advance(Duration.ofMillis(1));
        assertThat(group.expireMembers()).as("b has heartbeated (its session is fine) but not rejoined within the "
            + REBALANCE + " rebalance timeout: the rebalance goes on without it").isEqualTo(1);

        assertThat(answered(c, "the rebalance completed without b").generation()).isEqualTo(second + 1);
        assertThat(group.heartbeat("b", second)).as("b is no longer a member")
            .isEqualTo(HeartbeatResult.UNKNOWN_MEMBER);
        assertThat(group.members()).containsExactly("a", "c");
    }

    @Test
    void aMemberWaitingAtTheBarrierIsNotExpiredButASilentOwnerIs() {
        GroupCoordinator group = new GroupCoordinator("billing", new RangeAssignor(), Map.of("orders", 3), SESSION,
            SESSION.multipliedBy(3), clock);
        group.join("a", ORDERS);
        CompletableFuture<JoinResult> b = group.join("b", ORDERS);

        clock.advance(SESSION.plusSeconds(1)); // neither a nor b has spoken since

        assertThat(group.expireMembers()).as("a's session has expired; b is waiting for the coordinator, not "
            + "silent").isEqualTo(1);
        assertThat(answered(b, "a is gone, so b is the whole group").partitions()).isEqualTo(orders(0, 1, 2));
        clock.advance(SESSION.minusSeconds(1));
        assertThat(group.expireMembers()).as("b's session restarted from the answer").isZero();
    }

    @Test
    void aMemberWhoseSessionTimesOutIsRemovedAndTheOthersRejoinForItsPartitions() {
        GroupCoordinator group = group(new RangeAssignor(), 3);
        group.join("a", ORDERS);
        int generation = rejoin(group, "b", "a");

        clock.advance(SESSION.minusSeconds(1));
        group.heartbeat("a", generation); // a is alive; b has gone quiet
        clock.advance(Duration.ofSeconds(2));

        assertThat(group.expireMembers()).as("b has not been heard from for 11s, past its 10s session")
            .isEqualTo(1);
        assertThat(group.heartbeat("b", generation)).as("b is no longer a member; it must join again")
            .isEqualTo(HeartbeatResult.UNKNOWN_MEMBER);
        assertThat(group.heartbeat("a", generation)).as("a must rejoin to inherit b's partition")
            .isEqualTo(HeartbeatResult.REBALANCE_NEEDED);
        assertThat(answered(group.join("a", ORDERS), "a is the only member"))
            .isEqualTo(new JoinResult(generation + 1, orders(0, 1, 2)));
    }

    @Test
    void severalSessionsExpiringTogetherMakeOneRebalance() {
        GroupCoordinator group = group(new RangeAssignor(), 3);
        group.join("a", ORDERS);
        group.join("b", ORDERS);
        int generation = rejoin(group, "c", "a", "b");
        clock.advance(SESSION.plusSeconds(1));
        group.heartbeat("a", generation);

        assertThat(group.expireMembers()).isEqualTo(2);

        assertThat(answered(group.join("a", ORDERS), "a alone").generation())
            .as("one generation for both expiries, not one each").isEqualTo(generation + 1);
    }

    @Test
    void aSessionDoesNotExpireWhileTheMemberHeartbeats() {
        GroupCoordinator group = group(new RangeAssignor(), 3);
        int generation = answered(group.join("a", ORDERS), "a alone").generation();

        for (int i = 0; i < 5; i++) {
            clock.advance(SESSION.minusSeconds(1));
            assertThat(group.heartbeat("a", generation)).as("heartbeat %d", i).isEqualTo(HeartbeatResult.OK);
            assertThat(group.expireMembers()).as("each heartbeat pushes the deadline on").isZero();
        }
        assertThat(group.generation()).as("no expiry, no rebalance").isEqualTo(generation);
    }

    @Test
    void joinAnswersAreSentOutsideTheCoordinatorsLock() throws Exception {
        GroupCoordinator group = group(new RangeAssignor(), 2);
        group.join("a", ORDERS);
        CompletableFuture<JoinResult> b = group.join("b", ORDERS);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            // What a server does with an answer: hand it to another thread, which asks the group something.
            CompletableFuture<Integer> seenFromElsewhere = b.thenApply(joined -> {
                try {
                    return other.submit(group::generation).get(2, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    throw new AssertionError("the other thread could not take the coordinator's lock: the join "
                        + "answer was completed while the lock was held, so the answer's dependents ran under it");
                } catch (InterruptedException | ExecutionException e) {
                    throw new AssertionError(e);
                }
            });

            group.join("a", ORDERS); // completes the rebalance, and b's answer

            assertThat(seenFromElsewhere.get(5, TimeUnit.SECONDS)).isEqualTo(group.generation());
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void aSessionEndsOnlyAfterItsDeadlineHasPassed() {
        GroupCoordinator group = group(new RangeAssignor(), 3);
        int generation = answered(group.join("a", ORDERS), "a alone").generation();
        group.heartbeat("a", generation);

        clock.advance(SESSION);
        assertThat(group.expireMembers()).as("at exactly its session timeout a is still in time").isZero();
        clock.advance(Duration.ofMillis(1));
        assertThat(group.expireMembers()).as("a millisecond later it is not").isEqualTo(1);
    }

    @Test
    void theRebalanceTimeoutRunsFromTheStartOfTheRebalanceWhoeverJoinsLater() {
        GroupCoordinator group = new GroupCoordinator("billing", new RangeAssignor(), Map.of("orders", 3), SESSION,
            REBALANCE, clock);
        group.join("a", ORDERS);
        int second = rejoin(group, "b", "a");
        CompletableFuture<JoinResult> c = group.join("c", ORDERS); // the rebalance starts now
        group.join("a", ORDERS);

        clock.advance(REBALANCE.minusSeconds(1));
        group.join("d", ORDERS); // a late joiner: if it restarted the clock, b could hold the group up for ever
        group.leave("d");
        group.join("e", ORDERS);
        group.heartbeat("b", second);
        clock.advance(Duration.ofSeconds(1).plusMillis(1));

        assertThat(group.expireMembers()).as("b has not rejoined " + REBALANCE + " after the rebalance started")
            .isEqualTo(1);
        assertThat(answered(c, "the rebalance completed without b").generation()).isEqualTo(second + 1);
    }

    @Test
    void aSecondJoinWhileWaitingGetsTheSameAnswer() {
        GroupCoordinator group = group(new RangeAssignor(), 2);
        group.join("a", ORDERS);
        CompletableFuture<JoinResult> first = group.join("b", ORDERS);

        CompletableFuture<JoinResult> again = group.join("b", ORDERS); // its request was retried, say

        group.join("a", ORDERS);
        assertThat(answered(first, "the first join is answered too, not left hanging"))
            .isEqualTo(answered(again, "the repeated join"));
    }

    @Test
    void aJoinWithOtherTopicsInAStableGroupRebalances() {
        GroupCoordinator group = new GroupCoordinator("billing", new RangeAssignor(), Map.of("orders", 2,
            "payments", 2), SESSION, clock);
        group.join("a", ORDERS);
        int second = rejoin(group, "b", "a");

        CompletableFuture<JoinResult> changed = group.join("b", Set.of("orders", "payments"));

        assertThat(changed).as("b now wants payments too: not the same join again, a rebalance").isNotDone();
        assertThat(group.heartbeat("a", second)).isEqualTo(HeartbeatResult.REBALANCE_NEEDED);
        group.join("a", ORDERS);
        assertThat(answered(changed, "a rejoined").partitions()).contains(new TopicPartition("payments", 0));
    }

    @Test
    void aMemberExpiredInTheMiddleOfARebalanceCannotCommitWithTheStillCurrentGeneration() {
        GroupCoordinator group = group(new RangeAssignor(), 2);
        group.join("a", ORDERS);
        int generation = rejoin(group, "b", "a");
        group.join("c", ORDERS); // a rebalance: the generation stays until it completes
        group.join("a", ORDERS);
        clock.advance(SESSION.plusSeconds(1));
        group.expireMembers(); // b was silent: removed (and the rebalance completes without it)

        refused(() -> group.commit("b", generation, new TopicPartition("orders", 1), 5),
            "b is not a member any more, whatever generation it names").hasMessageContaining("b is not a member");
    }

    @Test
    void aLeavesRefusalIsAlsoCompletedOutsideTheLock() throws Exception {
        GroupCoordinator group = group(new RangeAssignor(), 2);
        group.join("a", ORDERS);
        CompletableFuture<JoinResult> b = group.join("b", ORDERS);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<Integer> seenFromElsewhere = b.handle((joined, refusal) -> {
                try {
                    return other.submit(group::generation).get(2, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    throw new AssertionError("the other thread could not take the coordinator's lock: the refusal "
                        + "was completed while the lock was held");
                } catch (InterruptedException | ExecutionException e) {
                    throw new AssertionError(e);
                }
            });

            group.leave("b");

            assertThat(seenFromElsewhere.get(5, TimeUnit.SECONDS)).isEqualTo(group.generation());
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void aJoinTheAssignorRefusesIsRefusedAtOnceAndTheGroupGoesOn() {
        PartitionAssignor noAudit = (members, partitionsPerTopic) -> {
            if (members.values().stream().anyMatch(s -> s.topics().contains("audit"))) {
                throw new IllegalArgumentException("this assignor does not serve topic audit");
            }
            return new RangeAssignor().assign(members, partitionsPerTopic);
        };
        GroupCoordinator group = new GroupCoordinator("billing", noAudit, Map.of("orders", 4, "audit", 1), SESSION,
            clock);
        int generation = answered(group.join("a", ORDERS), "a alone").generation();

        assertThatThrownBy(() -> group.join("b", Set.of("orders", "audit")))
            .as("refused at the join, naming why; found at the end of the barrier instead, every waiting join "
                + "would hang").isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("b").hasMessageContaining("audit");
        assertThat(group.rebalancing()).as("the refused join changed nothing").isFalse();
        assertThat(group.heartbeat("a", generation)).isEqualTo(HeartbeatResult.OK);
        assertThat(group.members()).containsExactly("a");
    }

    @Test
    void aZombieCommitFromAnOldGenerationIsRefusedAndDoesNotRewindTheGroup() {
        GroupCoordinator group = group(new RangeAssignor(), 1);
        int zombieGeneration = answered(group.join("a", ORDERS), "a alone").generation();
        group.commit("a", zombieGeneration, P0, 10);
        // a pauses (a long GC), its session expires, and b takes over partition 0 and gets further.
        clock.advance(SESSION.plusSeconds(1));
        group.expireMembers();
        int generation = answered(group.join("b", ORDERS), "b alone").generation();
        group.commit("b", generation, P0, 50);

        refused(() -> group.commit("a", zombieGeneration, P0, 20), "a wakes up and commits what it had processed: "
            + "without generation fencing a zombie would rewind the group from 50 to 20, and 30 messages would be "
            + "processed again")
            .hasMessageContaining("a").hasMessageContaining("generation " + zombieGeneration)
            .hasMessageContaining("generation is " + generation).hasMessageContaining("orders-0");
        assertThat(group.committed(P0)).as("the refused commit changed nothing").isEqualTo(OptionalLong.of(50));
    }

    @Test
    void aCommitForAPartitionTheMemberDoesNotOwnIsRefused() {
        GroupCoordinator group = group(new RangeAssignor(), 2);
        group.join("a", ORDERS);
        int generation = rejoin(group, "b", "a");

        refused(() -> group.commit("b", generation, P0, 7),
            "the right generation is not enough: partition 0 belongs to a, and b must not move its offset")
            .hasMessageContaining("orders-0");
        assertThat(group.committed(P0)).as("nothing was committed for partition 0").isEmpty();
    }

    @Test
    void commitAllCommitsEveryPartitionInOneCallAndStopsAtTheFirstRefusal() throws IOException {
        GroupCoordinator before = GroupCoordinator.open("billing", new RangeAssignor(), Map.of("orders", 4),
            SESSION, clock, dir);
        int generation = answered(before.join("a", ORDERS), "a alone").generation();
        int current = rejoin(before, "b", "a"); // a now owns orders-0 and orders-1 in the next generation
        Map<TopicPartition, Long> mine = new LinkedHashMap<>();
        mine.put(P0, 10L);
        mine.put(new TopicPartition("orders", 1), 11L);

        before.commitAll("a", current, mine);
        GroupCoordinator after = GroupCoordinator.open("billing", new RangeAssignor(), Map.of("orders", 4),
            SESSION, clock, dir);
        assertThat(after.committed(P0)).as("both partitions were checkpointed by the one call").hasValue(10);
        assertThat(after.committed(new TopicPartition("orders", 1))).hasValue(11);

        Map<TopicPartition, Long> tooMuch = new LinkedHashMap<>();
        tooMuch.put(P0, 20L);
        tooMuch.put(new TopicPartition("orders", 2), 22L); // b's
        refused(() -> before.commitAll("a", current, tooMuch),
            "each partition is fenced as commit() fences it: orders-2 belongs to b").hasMessageContaining("orders-2");
        assertThat(before.committed(P0)).as("the partition before the refused one stays committed").hasValue(20);
        assertThat(before.committed(new TopicPartition("orders", 2))).isEmpty();
        refused(() -> before.commitAll("a", generation, Map.of(P0, 30L)),
            "an old generation is refused for every partition");
        assertThat(before.committed(P0)).hasValue(20);
    }

    @Test
    void committedOffsetsSurviveReopeningTheCoordinatorFromItsCheckpoint() throws IOException {
        GroupCoordinator before = GroupCoordinator.open("billing", new RangeAssignor(), Map.of("orders", 2),
            SESSION, clock, dir);
        int generation = answered(before.join("a", ORDERS), "a alone").generation();
        before.commit("a", generation, P0, 41);
        before.commit("a", generation, new TopicPartition("orders", 1), 7);
        before.commit("a", generation, P0, 42);

        GroupCoordinator after = GroupCoordinator.open("billing", new RangeAssignor(), Map.of("orders", 2),
            SESSION, clock, dir);

        assertThat(after.committed(P0)).as("the last commit wins, and it was on disk before commit returned")
            .isEqualTo(OptionalLong.of(42));
        assertThat(after.committed(new TopicPartition("orders", 1))).isEqualTo(OptionalLong.of(7));
        assertThat(after.generation()).as("membership is not durable: after a restart members join again")
            .isZero();
    }

    @Test
    void withTheStickyAssignorAJoinMovesOnlyThePartitionsTheNewMemberNeeds() {
        GroupCoordinator group = group(new StickyAssignor(), 12);
        group.join("a", ORDERS);
        rejoin(group, "b", "a");
        rejoin(group, "c", "a", "b");
        Map<String, List<TopicPartition>> before = Map.of("a", group.assignmentOf("a").partitions(),
            "b", group.assignmentOf("b").partitions(), "c", group.assignmentOf("c").partitions());

        CompletableFuture<JoinResult> d = group.join("d", ORDERS);
        rejoin(group, "a", "b", "c");
        List<TopicPartition> gained = answered(d, "d's join, once the others rejoined").partitions();

        assertThat(gained).as("d gets its fair share, 12 / 4").hasSize(3);
        for (String member : List.of("a", "b", "c")) {
            assertThat(before.get(member)).as("%s keeps all it still owns and loses one: the minimum move", member)
                .containsAll(group.assignmentOf(member).partitions())
                .hasSize(group.assignmentOf(member).partitions().size() + 1);
        }
    }
}

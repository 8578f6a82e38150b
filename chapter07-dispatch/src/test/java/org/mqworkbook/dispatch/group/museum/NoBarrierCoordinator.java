package org.mqworkbook.dispatch.group.museum;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.mqworkbook.dispatch.group.GroupSchedule;
import org.mqworkbook.dispatch.group.HeartbeatResult;
import org.mqworkbook.dispatch.group.IllegalGenerationException;
import org.mqworkbook.dispatch.group.JoinResult;
import org.mqworkbook.dispatch.partition.TopicPartition;

/**
 * A failure-museum exhibit: the coordinator this chapter had before the join barrier, and the one a
 * learner writes first. Every change of membership reassigns at once and starts a new generation;
 * a join is answered at once; a member learns of the change at its next heartbeat. Commits are fenced by
 * generation and ownership, as they should be — so no committed offset ever moves backwards, and the
 * damage is the one fencing cannot see: between the reassignment and the old owner's next heartbeat, the
 * old owner and the new one both process the same partition.
 *
 * <p>Partitions are dealt round robin over the members in id order (no assignor of exercise 7.3, so
 * that the exhibit runs on the untouched skeleton too). Test-thread only; not thread safe.
 */
final class NoBarrierCoordinator implements GroupSchedule.Coordinator {
    private final Duration session;
    private final Clock clock;
    private final Map<String, Instant> deadlines = new TreeMap<>();
    private final Map<String, List<TopicPartition>> owned = new TreeMap<>();
    private final Map<TopicPartition, Long> committed = new TreeMap<>();
    private int generation;

    NoBarrierCoordinator(Duration session, Clock clock) {
        this.session = session;
        this.clock = clock;
    }

    @Override
    public CompletableFuture<JoinResult> join(String memberId, Set<String> topics) {
        deadlines.put(memberId, clock.instant().plus(session));
        if (!owned.containsKey(memberId)) {
            owned.put(memberId, List.of());
            reassign();
        }
        return CompletableFuture.completedFuture(new JoinResult(generation, owned.get(memberId)));
    }

    @Override
    public void leave(String memberId) {
        if (owned.remove(memberId) != null) {
            deadlines.remove(memberId);
            reassign();
        }
    }

    @Override
    public HeartbeatResult heartbeat(String memberId, int memberGeneration) {
        if (!owned.containsKey(memberId)) {
            return HeartbeatResult.UNKNOWN_MEMBER;
        }
        deadlines.put(memberId, clock.instant().plus(session));
        return memberGeneration == generation ? HeartbeatResult.OK : HeartbeatResult.REBALANCE_NEEDED;
    }

    @Override
    public int expireMembers() {
        Instant now = clock.instant();
        List<String> expired = new ArrayList<>();
        deadlines.forEach((member, deadline) -> {
            if (deadline.isBefore(now)) {
                expired.add(member);
            }
        });
        expired.forEach(member -> {
            deadlines.remove(member);
            owned.remove(member);
        });
        if (!expired.isEmpty()) {
            reassign();
        }
        return expired.size();
    }

    @Override
    public void commit(String memberId, int memberGeneration, TopicPartition partition, long offset) {
        List<TopicPartition> mine = owned.get(memberId);
        if (mine == null || memberGeneration != generation || !mine.contains(partition)) {
            throw new IllegalGenerationException("refused: " + memberId + " in generation " + memberGeneration);
        }
        committed.put(partition, offset);
    }

    @Override
    public OptionalLong committed(TopicPartition partition) {
        Long offset = committed.get(partition);
        return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
    }

    @Override
    public List<String> members() {
        return List.copyOf(owned.keySet());
    }

    @Override
    public boolean rebalancing() {
        return false; // it never waits for anyone: that is the exhibit
    }

    private void reassign() {
        generation++;
        List<String> ids = new ArrayList<>(owned.keySet());
        Map<String, List<TopicPartition>> next = new TreeMap<>();
        ids.forEach(id -> next.put(id, new ArrayList<>()));
        for (int p = 0; p < GroupSchedule.PARTITIONS && !ids.isEmpty(); p++) {
            next.get(ids.get(p % ids.size())).add(new TopicPartition(GroupSchedule.TOPIC, p));
        }
        next.forEach((id, partitions) -> owned.put(id, List.copyOf(partitions)));
    }
}

package org.mqworkbook.dispatch.group.museum;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.mqworkbook.dispatch.partition.TopicPartition;

/**
 * A consumer group's committed offsets kept without generation fencing: every commit is recorded,
 * whoever sends it, whatever generation it carries, and whether or not its sender still owns the
 * partition. The last writer wins. This class is not thread safe; one test thread drives it.
 *
 * <p>The mistake is easy to make because the store looks complete: a commit names its member and its
 * generation, the fencing token is right there in the signature, and the store never looks at it.
 * Nothing goes wrong until a member pauses for longer than its session timeout (a long GC pause, a
 * slow disk, a suspended laptop). The coordinator expels it and hands its partition to another member,
 * but the paused member does not know that. When it wakes up it commits the offset it had reached
 * before the pause, after the new owner has committed a larger one, and the group's position goes
 * backwards. Whoever reads the partition next starts from the older offset and processes everything
 * between the two offsets again, although no process crashed and no message was redelivered by the
 * broker.
 *
 * <p>The fix is the commit of exercise 7.2's {@code GroupCoordinator}: refuse, with an
 * {@code IllegalGenerationException}, a commit whose generation is not the current one or whose member
 * does not own the partition in it. The paused member then learns that it was expelled and rejoins.
 */
final class UnfencedOffsetStore {
    /** Partition → the next offset the group reads from it. */
    private final Map<TopicPartition, Long> committed = new HashMap<>();

    /**
     * Records that the group has processed {@code partition} up to, not including, {@code offset}. Same
     * parameters as the real coordinator's commit.
     *
     * @param memberId   who commits: ignored, which is the mistake
     * @param generation the generation the member believes it is in: ignored, which is the mistake
     */
    void commit(String memberId, int generation, TopicPartition partition, long offset) {
        // The mistake: no check that memberId is in the current generation and owns the partition in
        // it. A zombie's stale commit overwrites its successor's newer one.
        committed.put(partition, offset);
    }

    /** The next offset the group reads from {@code partition}, or empty if nothing was committed for it. */
    OptionalLong committed(TopicPartition partition) {
        Long offset = committed.get(partition);
        return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
    }
}

package org.mqworkbook.ha.replication;

import java.util.List;
import org.mqworkbook.storage.Record;

/**
 * What the replicas of one partition say to each other. A follower pulls: it sends {@link Fetch} from its log
 * end offset, and the leader answers with the records from there ({@link FetchAnswer}) or refuses
 * ({@link Refused}). Kafka's replica fetchers send {@code Fetch} requests too, with the same fields for a
 * partition: the fetch offset, the leader epoch the follower believes in, and a byte limit.
 */
public sealed interface ReplicaMessage {
    /**
     * A follower asks for records from {@code fetchOffset}, its log end offset: it has every record below it.
     *
     * @param leaderEpoch the epoch of the leader the follower believes it is fetching from
     * @param fetchOffset the follower's log end offset
     * @param maxBytes    about how many bytes of records it wants
     */
    record Fetch(int leaderEpoch, long fetchOffset, int maxBytes) implements ReplicaMessage {
    }

    /**
     * The leader's answer: the records from {@code fetchOffset} on, and how far the partition is committed.
     *
     * @param leaderEpoch   the leader's epoch
     * @param fetchOffset   the fetch offset this answers, so that a late or repeated answer can be recognised
     * @param records       the records from {@code fetchOffset} on, possibly none
     * @param highWatermark the leader's high watermark: every replica has every record below it
     * @param logEndOffset  the leader's log end offset
     */
    record FetchAnswer(int leaderEpoch, long fetchOffset, List<Record> records, long highWatermark,
                       long logEndOffset) implements ReplicaMessage {
        /** Copies the list. */
        public FetchAnswer {
            records = List.copyOf(records);
        }

        @Override
        public String toString() {
            return "FetchAnswer[epoch " + leaderEpoch + ", from " + fetchOffset + ", " + records.size()
                + " records, high watermark " + highWatermark + ", log end " + logEndOffset + "]";
        }
    }

    /**
     * The leader refuses a fetch, saying why: the follower believes in another epoch (Kafka's
     * {@code FENCED_LEADER_EPOCH} or {@code UNKNOWN_LEADER_EPOCH}), this replica is not the leader
     * ({@code NOT_LEADER_OR_FOLLOWER}), the sender is not a replica of the partition, or the offset is out of range.
     *
     * @param leaderEpoch the epoch of the replica that refuses
     * @param reason      what was wrong, for a person
     */
    record Refused(int leaderEpoch, String reason) implements ReplicaMessage {
    }
}

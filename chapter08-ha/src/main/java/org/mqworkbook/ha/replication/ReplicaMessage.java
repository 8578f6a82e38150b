package org.mqworkbook.ha.replication;

import java.util.List;
import java.util.Objects;
import org.mqworkbook.ha.epoch.EpochEndOffset;
import org.mqworkbook.storage.Record;

/**
 * What the replicas of one partition say to each other. A follower pulls: it sends {@link Fetch} from its log
 * end offset, and the leader answers with the records from there ({@link FetchAnswer}) or refuses
 * ({@link Refused}). Kafka's replica fetchers send {@code Fetch} requests too, with the same fields for a
 * partition: the fetch offset, the leader epoch the follower believes in, and a byte limit. Before its first
 * fetch from a new leader, a follower asks where its latest epoch ends ({@link EpochQuery}, answered by
 * {@link EpochAnswer}): Kafka's {@code OffsetsForLeaderEpoch}.
 */
public sealed interface ReplicaMessage {
    /**
     * A follower asks for records from {@code fetchOffset}, its log end offset: it has every record below it.
     *
     * @param leaderEpoch the epoch of the leader the follower believes it is fetching from
     * @param fetchOffset the follower's log end offset
     * @param maxBytes    about how many bytes of records it wants
     * @param brokerEpoch the incarnation of the follower's broker, larger after every restart (Kafka's
     *                    {@code ReplicaEpoch}, KIP-903): a fetch sent before a restart is told from one sent after
     */
    record Fetch(int leaderEpoch, long fetchOffset, int maxBytes, long brokerEpoch) implements ReplicaMessage {
        /** A fetch from broker epoch 0: a broker that never restarts, or a test. */
        public Fetch(int leaderEpoch, long fetchOffset, int maxBytes) {
            this(leaderEpoch, fetchOffset, maxBytes, 0);
        }
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
     * Why a leader refused a request: the error codes a follower acts on. The names are Kafka's where Kafka has
     * the same case; {@link #UNKNOWN_REPLICA} and {@link #STALE_BROKER_EPOCH} are ours.
     */
    enum Error {
        /** The receiver does not lead the partition (it is a follower, or has no role): ask the controller. */
        NOT_LEADER_OR_FOLLOWER,
        /** The request's leader epoch is older than the leader's: the sender missed a leader change. */
        FENCED_LEADER_EPOCH,
        /** The request's leader epoch is newer than the leader's: the leader has not heard of it yet; retry. */
        UNKNOWN_LEADER_EPOCH,
        /** The sender is not a replica of the partition (Kafka refuses a fetch from a broker outside it too). */
        UNKNOWN_REPLICA,
        /** The fetch offset is below the leader's log start or beyond its end. */
        OFFSET_OUT_OF_RANGE,
        /** The fetch comes from an incarnation of the follower's broker that has restarted since (KIP-903). */
        STALE_BROKER_EPOCH
    }

    /**
     * The leader refuses a request, saying why: {@code error} for the follower's code to act on, {@code reason}
     * for a person.
     *
     * @param leaderEpoch the epoch of the replica that refuses
     * @param error       what was wrong
     * @param reason      what was wrong, with the numbers that show it
     */
    record Refused(int leaderEpoch, Error error, String reason) implements ReplicaMessage {
        /** Checks the fields. */
        public Refused {
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String toString() {
            return "Refused[" + error + " in epoch " + leaderEpoch + ": " + reason + "]";
        }
    }

    /**
     * A follower that has just started following asks the leader where {@code epoch} — its own latest epoch —
     * ends in the leader's log: Kafka's {@code OffsetsForLeaderEpoch} request for one partition (KIP-101).
     *
     * @param leaderEpoch the epoch of the leader the follower believes it is asking (Kafka's
     *                    {@code current_leader_epoch}, which fences a stale leader or follower)
     * @param epoch       the epoch asked about (Kafka's {@code leader_epoch})
     */
    record EpochQuery(int leaderEpoch, int epoch) implements ReplicaMessage {
    }

    /**
     * The leader's answer to an {@link EpochQuery}: the largest epoch it knows at or below the one asked
     * about, and where that epoch ends in its log ({@code LeaderEpochCache.endOffsetFor}).
     *
     * @param leaderEpoch the leader's epoch
     * @param epochAsked  the epoch the query asked about, so that a late or repeated answer can be recognised
     * @param end         the answer, possibly {@link EpochEndOffset#UNDEFINED}
     */
    record EpochAnswer(int leaderEpoch, int epochAsked, EpochEndOffset end) implements ReplicaMessage {
    }
}

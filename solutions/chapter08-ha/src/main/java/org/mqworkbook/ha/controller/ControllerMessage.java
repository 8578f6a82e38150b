package org.mqworkbook.ha.controller;

import java.util.List;
import java.util.Objects;

/**
 * What brokers and the active controller say to each other: KRaft's {@code BrokerRegistration}, {@code
 * BrokerHeartbeat} and {@code AlterPartition} requests, and their answers. The sender of a request is the
 * network's {@code from}. A controller that is not the active one refuses every request with {@link
 * Error#NOT_CONTROLLER}, naming the active one if it knows it.
 *
 * <p>A KRaft broker learns the metadata by replicating the metadata log itself, as a Raft observer; here the
 * heartbeat's answer carries the committed state of the partitions the broker hosts, which is shorter and
 * gives the broker the same facts: only committed metadata, which no later controller can take back.
 */
public sealed interface ControllerMessage {
    /** A broker asks to be registered in a new incarnation: at start, and after a restart. */
    record Register() implements ControllerMessage {
    }

    /** The answer to {@link Register}, once the registration is committed. */
    record Registered(long brokerEpoch) implements ControllerMessage {
    }

    /** A registered broker keeps its session: it must send one within every session timeout. */
    record Heartbeat(long brokerEpoch) implements ControllerMessage {
    }

    /**
     * The answer to a {@link Heartbeat}.
     *
     * @param brokerEpoch the incarnation the heartbeat was from
     * @param fenced      whether the committed metadata has this incarnation fenced (a new one, until the
     *                    controller's unfence record for it is committed)
     * @param metadata    the index of the last metadata entry applied in what follows
     * @param partitions  the committed state of every partition of which the broker holds a replica
     */
    record HeartbeatAnswer(long brokerEpoch, boolean fenced, long metadata, List<PartitionState> partitions)
        implements ControllerMessage {
        /** Copies the list. */
        public HeartbeatAnswer {
            partitions = List.copyOf(partitions);
        }
    }

    /**
     * A partition's leader asks to change its ISR (Kafka's {@code AlterPartition}, KIP-497): to drop a follower
     * that fell behind, or to add one that caught up. It names the epochs of the state it saw.
     *
     * @param brokerEpoch    the leader's incarnation
     * @param partition      the partition
     * @param leaderEpoch    the leader epoch in which the sender leads
     * @param partitionEpoch the partition epoch of the state the sender changes
     * @param isr            the ISR it asks for
     */
    record AlterPartition(long brokerEpoch, String partition, int leaderEpoch, int partitionEpoch, List<String> isr)
        implements ControllerMessage {
        /** Copies the list. */
        public AlterPartition {
            Objects.requireNonNull(partition, "partition");
            isr = List.copyOf(isr);
        }
    }

    /** The answer to an {@link AlterPartition} that was accepted: the partition's state, once committed. */
    record AlterPartitionAnswer(PartitionState state) implements ControllerMessage {
    }

    /**
     * Why the controller refused a request. The names are Kafka's: each is an error code of the same request in
     * Kafka's protocol.
     */
    enum Error {
        /** This controller is not the active one: send to {@link Refused#activeController()}, if known. */
        NOT_CONTROLLER,
        /** The request names an incarnation of the broker that is not the registered one: register again. */
        STALE_BROKER_EPOCH,
        /** There is no such partition. */
        UNKNOWN_TOPIC_OR_PARTITION,
        /** The sender does not lead the partition. */
        NOT_LEADER_OR_FOLLOWER,
        /** The sender's leader epoch is not the partition's: it was deposed, and must not change the ISR. */
        FENCED_LEADER_EPOCH,
        /** The sender's partition epoch is not the partition's: it changes a state that has changed since. */
        INVALID_UPDATE_VERSION,
        /** The ISR asked for holds a broker that is not a replica, or is fenced, or lacks the leader. */
        INELIGIBLE_REPLICA
    }

    /**
     * The controller refuses {@code request}.
     *
     * @param request          the request refused, so that the sender can match the answer to it
     * @param error            what was wrong, for the sender's code
     * @param reason           what was wrong, with the values that show it, for a person
     * @param activeController the active controller as far as this one knows, or null; set with {@link
     *                         Error#NOT_CONTROLLER}
     */
    record Refused(ControllerMessage request, Error error, String reason, String activeController)
        implements ControllerMessage {
        /** Checks the fields. */
        public Refused {
            Objects.requireNonNull(request, "request");
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String toString() {
            return "Refused[" + error + ": " + reason + "]";
        }
    }
}

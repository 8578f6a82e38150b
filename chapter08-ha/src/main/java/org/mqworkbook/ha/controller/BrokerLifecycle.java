package org.mqworkbook.ha.controller;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A broker's side of the controller (Kafka's {@code BrokerLifecycleManager}): it registers, heartbeats, follows
 * the active controller as it moves, and keeps the committed metadata of the broker's partitions, which the
 * broker acts on. Given code.
 *
 * <p>Its one safety duty is the <em>lease</em>. The controller fences a broker whose last heartbeat is older
 * than the session timeout, and may then elect another leader for its partitions. So a broker must stop acting
 * as a leader before that can happen: {@link #mayLead()} turns false once the session timeout has passed since
 * it <em>sent</em> the last heartbeat that was answered. The controller received that heartbeat after it was
 * sent, and counts its session from then, so the broker's lease ends first (on one clock; a real broker must
 * leave room for clock drift too). A broker cut off from the controllers stops leading on its own.
 *
 * <p>Thread-safety: not thread safe. One thread drives it, with the broker's other state machines.
 */
public final class BrokerLifecycle {
    /** How often a registered broker heartbeats: Kafka's {@code broker.heartbeat.interval.ms} is 2 s. */
    public static final Duration HEARTBEAT_INTERVAL = Duration.ofMillis(100);
    /** How long it waits for an answer before it asks the next controller. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofMillis(200);

    /** Where the broker's requests to controllers go. */
    public interface Outbox {
        /** Sends {@code message} to controller {@code controller}, or loses it: the network decides. */
        void send(String controller, ControllerMessage message);
    }

    private final String broker;
    private final List<String> controllers;
    private final Clock clock;
    private final Outbox outbox;
    private final Duration sessionTimeout;

    /** Which controller it asks, as an index in {@link #controllers}. */
    private int target;
    /** Its incarnation, or 0 until it is registered. */
    private long brokerEpoch;
    /** The request it waits for an answer to (a registration or a heartbeat), or null. */
    private ControllerMessage inFlight;
    private long inFlightSentMillis;
    private long nextHeartbeatMillis;
    /** When the last answered heartbeat was sent; the lease runs from there. */
    private long leaseStartMillis = Long.MIN_VALUE;
    private boolean fenced = true;
    private long metadataIndex;
    private List<PartitionState> partitions = List.of();

    /**
     * The lifecycle of broker {@code broker}, which knows the controllers {@code controllers} (Kafka's {@code
     * controller.quorum.bootstrap.servers}) and registers at its first tick.
     */
    public BrokerLifecycle(String broker, List<String> controllers, Clock clock, Outbox outbox,
                           Duration sessionTimeout) {
        this.broker = Objects.requireNonNull(broker, "broker");
        this.controllers = List.copyOf(controllers);
        if (this.controllers.isEmpty()) {
            throw new IllegalArgumentException("a broker needs at least one controller to register with");
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.outbox = Objects.requireNonNull(outbox, "outbox");
        this.sessionTimeout = Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        this.target = Math.floorMod(broker.hashCode(), this.controllers.size());
    }

    /** Registers, heartbeats, and gives up on a request that has waited too long. */
    public void tick() {
        long now = clock.millis();
        if (inFlight != null && now - inFlightSentMillis >= REQUEST_TIMEOUT.toMillis()) {
            inFlight = null; // lost, or the controller is down: ask the next one
            target = (target + 1) % controllers.size();
        }
        if (inFlight != null) {
            return;
        }
        if (brokerEpoch == 0) {
            send(new ControllerMessage.Register(), now);
        } else if (now >= nextHeartbeatMillis) {
            send(new ControllerMessage.Heartbeat(brokerEpoch), now);
            nextHeartbeatMillis = now + HEARTBEAT_INTERVAL.toMillis();
        }
    }

    /** Handles an answer from controller {@code from}. */
    public void receive(String from, ControllerMessage message) {
        if (message instanceof ControllerMessage.Registered registered) {
            if (inFlight instanceof ControllerMessage.Register) {
                inFlight = null;
                brokerEpoch = registered.brokerEpoch();
                fenced = true;
                nextHeartbeatMillis = clock.millis(); // heartbeat at once: the first one unfences
            }
        } else if (message instanceof ControllerMessage.HeartbeatAnswer answer) {
            if (inFlight instanceof ControllerMessage.Heartbeat sent && sent.brokerEpoch() == answer.brokerEpoch()
                && answer.brokerEpoch() == brokerEpoch) {
                inFlight = null;
                leaseStartMillis = inFlightSentMillis;
                fenced = answer.fenced();
                if (answer.metadata() >= metadataIndex) { // never go back to older metadata
                    metadataIndex = answer.metadata();
                    partitions = answer.partitions();
                }
            }
        } else if (message instanceof ControllerMessage.Refused refused && refused.request().equals(inFlight)) {
            inFlight = null;
            if (refused.error() == ControllerMessage.Error.NOT_CONTROLLER) {
                int hint = refused.activeController() == null ? -1 : controllers.indexOf(refused.activeController());
                target = hint >= 0 ? hint : (target + 1) % controllers.size();
            } else if (refused.error() == ControllerMessage.Error.STALE_BROKER_EPOCH) {
                brokerEpoch = 0; // the controller knows a later incarnation, or none: register again
                fenced = true;
            }
        }
    }

    /** Sends {@code request}, such as an {@link ControllerMessage.AlterPartition}, to the controller it asks. */
    public void sendToController(ControllerMessage request) {
        outbox.send(controllers.get(target), request);
    }

    private void send(ControllerMessage request, long now) {
        inFlight = request;
        inFlightSentMillis = now;
        outbox.send(controllers.get(target), request);
    }

    /**
     * Whether this broker may act as a leader now: registered, unfenced in the committed metadata, and within
     * its lease.
     */
    public boolean mayLead() {
        return brokerEpoch != 0 && !fenced && clock.millis() < leaseStartMillis + sessionTimeout.toMillis();
    }

    /** Its incarnation, or 0 before it is registered. */
    public long brokerEpoch() {
        return brokerEpoch;
    }

    /** The committed state of its partitions, as of the newest heartbeat answer. */
    public List<PartitionState> partitions() {
        return partitions;
    }

    /** This broker's state of {@code partition}, or null if it has none. */
    public PartitionState partition(String partition) {
        for (PartitionState state : partitions) {
            if (state.partition().equals(partition)) {
                return state;
            }
        }
        return null;
    }

    /** The index of the metadata its partitions are as of. */
    public long metadataIndex() {
        return metadataIndex;
    }

    @Override
    public String toString() {
        return broker + (brokerEpoch == 0 ? " unregistered" : "@" + brokerEpoch) + (mayLead() ? "" : " (may not lead)")
            + ", metadata at " + metadataIndex;
    }
}

package org.mqworkbook.testkit.sim;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A network of named nodes inside a {@link Simulation}: {@link #send} hands a message to the simulation as an
 * event that delivers it to the receiver's handler later, or never, as the {@link NetworkFaults} and the
 * test's partitions and crashes decide. Every decision draws on the simulation's one {@code Random}, so a seed
 * replays the network exactly.
 *
 * <p>What it models, and what a real network does too: loss, delay, reordering (two messages with different
 * delays), duplication, a partition that cuts the links between two sides (messages already in flight across
 * it are lost when they arrive), and a crashed node, which receives nothing; a message sent to a node before
 * it crashed is not delivered to it after its restart (its connections were reset). What it does not: partial
 * partitions that cut one direction only, bandwidth, and corruption (the protocol's checksums are chapter 5's
 * and 6's business).
 *
 * <p>Thread-safety: none, as the simulation; everything runs on the simulation's thread.
 *
 * @param <M> the messages the nodes exchange
 */
public final class SimNetwork<M> {
    private final Simulation simulation;
    private NetworkFaults faults;
    /** Node → its handler, while it is up. */
    private final Map<String, Consumer<Delivery<M>>> handlers = new HashMap<>();
    /** Node → how many times it has been started: a message is for one incarnation of its receiver. */
    private final Map<String, Integer> incarnations = new HashMap<>();
    /** One side of the current partition (empty: no partition). */
    private Set<String> side = Set.of();
    private long sent;
    private long delivered;
    private long dropped;
    private long duplicated;

    /**
     * A message as its receiver gets it.
     *
     * @param from    the sender's name
     * @param to      the receiver's name
     * @param message the message
     * @param <M>     the messages' type
     */
    public record Delivery<M>(String from, String to, M message) {
    }

    /** A network in {@code simulation}, with {@code faults}. */
    public SimNetwork(Simulation simulation, NetworkFaults faults) {
        this.simulation = Objects.requireNonNull(simulation, "simulation");
        this.faults = Objects.requireNonNull(faults, "faults");
    }

    /** Changes the faults from now on (messages in flight keep the fate already drawn for them). */
    public void faults(NetworkFaults newFaults) {
        this.faults = Objects.requireNonNull(newFaults, "faults");
    }

    /** Starts node {@code name} (again, after a {@link #crash}): from now on it receives with {@code handler}. */
    public void start(String name, Consumer<Delivery<M>> handler) {
        if (handlers.containsKey(name)) {
            throw new IllegalStateException("node " + name + " is already up");
        }
        handlers.put(name, Objects.requireNonNull(handler, "handler"));
        incarnations.merge(name, 1, Integer::sum);
        simulation.note("start " + name + " (incarnation " + incarnations.get(name) + ")");
    }

    /** Stops node {@code name} at once: it receives nothing more, and what is in flight to it is lost. */
    public void crash(String name) {
        if (handlers.remove(name) == null) {
            throw new IllegalStateException("node " + name + " is not up");
        }
        simulation.note("crash " + name);
    }

    /** Whether node {@code name} is up. */
    public boolean isUp(String name) {
        return handlers.containsKey(name);
    }

    /**
     * Cuts every link between {@code oneSide} and every other node (replacing any earlier partition). Messages
     * sent across the cut are lost, and so are those in flight across it when they arrive.
     */
    public void partition(Set<String> oneSide) {
        side = Set.copyOf(oneSide);
        simulation.note("partition " + new TreeSet<>(side) + " from the rest");
    }

    /** Removes the partition. */
    public void heal() {
        side = Set.of();
        simulation.note("heal the partition");
    }

    /** Whether {@code a} and {@code b} can reach each other now (both up, not across the partition). */
    public boolean connected(String a, String b) {
        return isUp(a) && isUp(b) && side.contains(a) == side.contains(b);
    }

    /**
     * Sends {@code message} from {@code from} to {@code to}: lost, or delivered once or twice after the drawn
     * delays, if at delivery time the receiver is the same incarnation and still reachable. A sender that is
     * down sends nothing.
     */
    public void send(String from, String to, M message) {
        sent++;
        if (!isUp(from) || !connected(from, to) || simulation.random().nextDouble() < faults.dropRate()) {
            dropped++;
            return;
        }
        deliverLater(from, to, message);
        if (simulation.random().nextDouble() < faults.duplicateRate()) {
            duplicated++;
            deliverLater(from, to, message);
        }
    }

    private void deliverLater(String from, String to, M message) {
        int incarnation = incarnations.getOrDefault(to, 0);
        long spread = faults.maxDelay().toMillis() - faults.minDelay().toMillis();
        long delay = faults.minDelay().toMillis() + (spread == 0 ? 0 : simulation.random().nextLong(spread + 1));
        simulation.schedule(Duration.ofMillis(delay), from + " → " + to + ": " + message, () -> {
            Consumer<Delivery<M>> handler = handlers.get(to);
            if (handler == null || incarnations.get(to) != incarnation || !connected(from, to)) {
                dropped++;
                return;
            }
            delivered++;
            handler.accept(new Delivery<>(from, to, message));
        });
    }

    /** Messages sent so far. */
    public long sent() {
        return sent;
    }

    /** Messages delivered so far (a duplicate counts twice). */
    public long delivered() {
        return delivered;
    }

    /** Messages lost so far: by the faults, a partition, or a crashed receiver. */
    public long dropped() {
        return dropped;
    }

    /** Messages that were sent once and will arrive twice. */
    public long duplicated() {
        return duplicated;
    }

    @Override
    public String toString() {
        return "SimNetwork[" + sent + " sent, " + delivered + " delivered, " + dropped + " dropped, " + duplicated
            + " duplicated]";
    }
}

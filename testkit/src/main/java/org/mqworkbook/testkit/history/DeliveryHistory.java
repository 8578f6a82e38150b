package org.mqworkbook.testkit.history;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.mqworkbook.testkit.history.HistoryReport.Duplicate;
import org.mqworkbook.testkit.history.HistoryReport.Reordering;

/**
 * A log of what happened to messages during a test (sent, acknowledged by the broker, consumed by
 * the application, and the failures the test injected), in one global order, and the checker that
 * holds that log against a {@link Guarantee} and an {@link Ordering}. Methods of this class are thread
 * safe: producer, consumer and test threads record concurrently; each recording holds the history's
 * lock for a few array writes, and the order in which recordings take that lock is the global
 * sequence that "before" and "after" refer to.
 *
 * <p>A test records from wherever each thing happens and checks at the end:
 *
 * <pre>{@code
 * DeliveryHistory history = new DeliveryHistory();
 * // producer thread
 * history.sent("account-7", "m-41");
 * broker.publish("account-7", "m-41").join();
 * history.acknowledged("m-41");
 * // consumer thread, where the application's effect happens
 * history.consumed("consumer-1", message.id());
 * // test thread, once the consumer's connection is closed and before the others take over
 * history.failure("consumer-1 disconnected");
 * ...
 * history.check(Guarantee.AT_LEAST_ONCE, Ordering.PER_KEY).assertOk();
 * }</pre>
 *
 * <p>Where to record, so that the global order tells the truth:
 *
 * <ul>
 *   <li>{@link #sent} before handing the message to the broker, so that its consumption cannot be
 *       recorded first;
 *   <li>{@link #acknowledged} when the broker's confirmation arrives (later chapters: once the broker
 *       says the message is durable);
 *   <li>{@link #consumed} where the application's effect happens, in the consumer's thread: the effect
 *       is what the guarantees count, not the bytes on the wire;
 *   <li>{@link #failure} after the failure has taken effect and before recovery can start: after the
 *       broker has stopped or the consumer's connection is closed, before the broker restarts or
 *       another consumer takes over. Recorded later, it makes a legitimate redelivery look like a
 *       duplicate without a cause.
 * </ul>
 *
 * <p>The history describes one application's view. A chapter with several consumer groups, each of
 * which must see every message, keeps one history per group and records sends and acknowledgements in
 * all of them; partitions need nothing extra, since the ordering key is what picks a partition.
 *
 * <p>Memory: tests record up to about a million events, so an event is not an object. It is one byte
 * and two ints in parallel arrays, and ids, keys and consumer names are each numbered on first sight
 * and stored once: a million events cost about 9 MB plus one map entry per distinct id, where a
 * million event records with their boxed sequence numbers would cost several times that.
 */
public final class DeliveryHistory {

    private static final byte SENT = 0;
    private static final byte ACKNOWLEDGED = 1;
    private static final byte CONSUMED = 2;
    private static final byte FAILURE = 3;

    /** The detail of a send without an ordering key, and of events that have no detail. */
    private static final int NONE = -1;
    private static final int INITIAL_CAPACITY = 1024;
    /** The largest array the JVM reliably allocates. */
    private static final int MAX_EVENTS = Integer.MAX_VALUE - 8;

    /*
     * A private lock, not `synchronized` methods, so that no caller can hold it by locking the history.
     * Everything below is guarded by it. Event i is (kinds[i], subjects[i], details[i]); its index is
     * its sequence number.
     */
    private final Object lock = new Object();
    /** SENT, ACKNOWLEDGED, CONSUMED or FAILURE. */
    private byte[] kinds = new byte[INITIAL_CAPACITY];
    /** The id's number, or for a FAILURE the index of its description in failures. */
    private int[] subjects = new int[INITIAL_CAPACITY];
    /** For SENT the key's number (NONE without a key), for CONSUMED the consumer's number, else NONE. */
    private int[] details = new int[INITIAL_CAPACITY];
    private int size;
    private final Names ids = new Names();
    private final Names keys = new Names();
    private final Names consumers = new Names();
    private final List<String> failures = new ArrayList<>();

    /** An empty history. */
    public DeliveryHistory() {
    }

    /**
     * Records that a producer is about to send message {@code id} with ordering key {@code key}.
     * Sending the same id again, as a producer's retry does, records another attempt; the message
     * keeps the key and the position in the send order of its first attempt.
     *
     * @param key the ordering key, or {@code null} for a message without one (it takes part in no
     *     ordering check)
     * @param id the message's id, unique per message
     */
    public void sent(String key, String id) {
        Objects.requireNonNull(id, "id");
        synchronized (lock) {
            append(SENT, ids.numberOf(id), key == null ? NONE : keys.numberOf(key));
        }
    }

    /** Records that a producer is about to send message {@code id}, which has no ordering key. */
    public void sent(String id) {
        sent(null, id);
    }

    /**
     * Records that the broker confirmed it accepted message {@code id}: from now on the broker owes it
     * to the application, and a message that is never consumed is lost.
     */
    public void acknowledged(String id) {
        Objects.requireNonNull(id, "id");
        synchronized (lock) {
            append(ACKNOWLEDGED, ids.numberOf(id), NONE);
        }
    }

    /**
     * Records that the application, in {@code consumer}, processed message {@code id}. This is the
     * effect the guarantees count.
     *
     * @param consumer who processed it, for example {@code "group-a/consumer-2"}; shown for duplicates
     * @param id the message's id
     */
    public void consumed(String consumer, String id) {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(id, "id");
        synchronized (lock) {
            append(CONSUMED, ids.numberOf(id), consumers.numberOf(consumer));
        }
    }

    /**
     * Records that the test injected a failure: a crash, a disconnect, a timeout that expired. Under
     * {@link Guarantee#AT_LEAST_ONCE} it explains the duplicate consumption of any message that was
     * first consumed before it.
     *
     * @param description what failed, for the report, for example {@code "broker restarted"}
     */
    public void failure(String description) {
        Objects.requireNonNull(description, "description");
        synchronized (lock) {
            failures.add(description);
            append(FAILURE, failures.size() - 1, NONE);
        }
    }

    /**
     * Holds everything recorded so far against {@code guarantee} and {@code ordering}. Call it when the
     * test's threads have stopped recording; called earlier, it checks the events recorded so far, and
     * recording threads wait until it is done.
     *
     * @return every violation found, with the totals; see {@link HistoryReport} for the categories
     */
    public HistoryReport check(Guarantee guarantee, Ordering ordering) {
        Objects.requireNonNull(guarantee, "guarantee");
        Objects.requireNonNull(ordering, "ordering");
        synchronized (lock) {
            return checkLocked(guarantee, ordering);
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "DeliveryHistory[" + size + " events, " + ids.size() + " ids, " + failures.size()
                + " failures]";
        }
    }

    private void append(byte kind, int subject, int detail) {
        assert Thread.holdsLock(lock) : "events are appended under the history's lock";
        if (size == kinds.length) {
            // Growing under the lock stalls the recorders, but only about twenty times for a million
            // events; allocating outside and re-checking would complicate every append for that.
            grow();
        }
        kinds[size] = kind;
        subjects[size] = subject;
        details[size] = detail;
        size++;
    }

    private void grow() {
        if (size == MAX_EVENTS) {
            throw new IllegalStateException("A DeliveryHistory holds at most " + MAX_EVENTS + " events");
        }
        int capacity = (int) Math.min(MAX_EVENTS, 2L * kinds.length);
        kinds = Arrays.copyOf(kinds, capacity);
        subjects = Arrays.copyOf(subjects, capacity);
        details = Arrays.copyOf(details, capacity);
    }

    /*
     * Three passes over the events, with per-id and per-key state in arrays indexed by number.
     *
     * 1. Sends and acknowledgements, in full before any consumption is looked at: which ids were
     *    sent and acknowledged, each id's key, and its rank among the first sends of that key.
     * 2. Everything in sequence order: count failures; at an id's first consumption remember how many
     *    failures came before it and compare its rank with the highest rank of its key consumed so
     *    far; at a later consumption, it is an allowed duplicate only if failures grew in between.
     * 3. Per id, in order of first sight: lost, phantom, duplicated.
     */
    private HistoryReport checkLocked(Guarantee guarantee, Ordering ordering) {
        assert Thread.holdsLock(lock) : "the history is checked under its lock";
        int idCount = ids.size();
        boolean[] wasSent = new boolean[idCount];
        boolean[] wasAcknowledged = new boolean[idCount];
        int[] keyOf = new int[idCount];
        int[] rankInKey = new int[idCount];
        int[] firstSendsOfKey = new int[keys.size()];
        int sentCount = 0;
        int acknowledgedCount = 0;
        for (int i = 0; i < size; i++) {
            int id = subjects[i];
            if (kinds[i] == SENT) {
                sentCount++;
                if (!wasSent[id]) {
                    wasSent[id] = true;
                    keyOf[id] = details[i];
                    rankInKey[id] = details[i] == NONE ? NONE : firstSendsOfKey[details[i]]++;
                }
            } else if (kinds[i] == ACKNOWLEDGED) {
                acknowledgedCount++;
                wasAcknowledged[id] = true;
            }
        }

        int[] consumptions = new int[idCount];
        int[] failuresBeforeFirstConsumption = new int[idCount];
        boolean[] forbiddenDuplicate = new boolean[idCount];
        int[] highestRankConsumed = new int[keys.size()];
        int[] idOfHighestRankConsumed = new int[keys.size()];
        Arrays.fill(highestRankConsumed, NONE);
        List<Reordering> reordered = new ArrayList<>();
        int failuresSoFar = 0;
        int consumedCount = 0;
        for (int i = 0; i < size; i++) {
            if (kinds[i] == FAILURE) {
                failuresSoFar++;
                continue;
            }
            if (kinds[i] != CONSUMED) {
                continue;
            }
            consumedCount++;
            int id = subjects[i];
            if (consumptions[id]++ > 0) {
                boolean explained = guarantee.allowsDuplicateAfterFailure()
                    && failuresSoFar > failuresBeforeFirstConsumption[id];
                forbiddenDuplicate[id] |= !explained;
                continue;
            }
            failuresBeforeFirstConsumption[id] = failuresSoFar;
            int key = wasSent[id] ? keyOf[id] : NONE;
            if (ordering == Ordering.PER_KEY && key != NONE) {
                // Ranks within a key are distinct, so the id is either behind the highest or the new one.
                if (rankInKey[id] < highestRankConsumed[key]) {
                    reordered.add(new Reordering(
                        keys.name(key), ids.name(id), ids.name(idOfHighestRankConsumed[key])));
                } else {
                    highestRankConsumed[key] = rankInKey[id];
                    idOfHighestRankConsumed[key] = id;
                }
            }
        }

        List<String> lost = new ArrayList<>();
        List<String> phantom = new ArrayList<>();
        for (int id = 0; id < idCount; id++) {
            if (guarantee.forbidsLoss() && wasAcknowledged[id] && consumptions[id] == 0) {
                lost.add(ids.name(id));
            }
            if (consumptions[id] > 0 && !wasSent[id]) {
                phantom.add(ids.name(id));
            }
        }
        return new HistoryReport(guarantee, ordering, lost, duplicates(forbiddenDuplicate), reordered,
            phantom, sentCount, acknowledgedCount, consumedCount, failures);
    }

    /** The duplicates flagged in {@code forbidden}, in order of first sight, with who consumed them. */
    private List<Duplicate> duplicates(boolean[] forbidden) {
        assert Thread.holdsLock(lock) : "the history is checked under its lock";
        // A further pass, only when something was flagged: a clean history, the usual case, skips it.
        Map<Integer, List<String>> consumersOf = new HashMap<>();
        for (int id = 0; id < forbidden.length; id++) {
            if (forbidden[id]) {
                consumersOf.put(id, new ArrayList<>());
            }
        }
        if (consumersOf.isEmpty()) {
            return List.of();
        }
        for (int i = 0; i < size; i++) {
            if (kinds[i] == CONSUMED && forbidden[subjects[i]]) {
                consumersOf.get(subjects[i]).add(consumers.name(details[i]));
            }
        }
        List<Duplicate> duplicated = new ArrayList<>();
        for (int id = 0; id < forbidden.length; id++) {
            if (forbidden[id]) {
                duplicated.add(new Duplicate(ids.name(id), consumersOf.get(id)));
            }
        }
        return duplicated;
    }

    /**
     * Numbers strings 0, 1, 2, ... in order of first sight, so that an event stores an int rather than
     * a reference, and each distinct string is kept once. Not thread safe: guarded by the history's
     * lock.
     */
    private static final class Names {
        private final Map<String, Integer> numbers = new HashMap<>();
        private final List<String> names = new ArrayList<>();

        int numberOf(String name) {
            Integer number = numbers.get(name);
            if (number == null) {
                number = names.size();
                names.add(name);
                numbers.put(name, number);
            }
            return number;
        }

        String name(int number) {
            return names.get(number);
        }

        int size() {
            return names.size();
        }
    }
}

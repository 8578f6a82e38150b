package org.mqworkbook.ha.replication;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mqworkbook.ha.epoch.LeaderEpochCache;
import org.mqworkbook.marker.ExerciseNotDone;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.Header;
import org.mqworkbook.storage.Log;
import org.mqworkbook.storage.LogConfig;
import org.mqworkbook.storage.Record;

/**
 * One replica of one partition, as a state machine (exercise 8.2, the book's 主从复制): a chapter 6 log, its
 * {@link LeaderEpochCache}, and its role — the leader, which appends and answers fetches, or a follower, which
 * pulls the leader's records into its own log. It has no thread, socket or timer of its own: whoever runs it
 * (the deterministic simulation, or a broker) hands it messages ({@link #receive}), lets it act on time passing
 * ({@link #tick}), and delivers what it sends through its {@link Outbox}.
 *
 * <pre>
 *  follower F                                leader L (epoch 3), followers F and G
 *  log end 5 ── Fetch(epoch 3, from 5) ────► F has everything below 5: L remembers F's end = 5
 *                                            high watermark = min(L's end, F's end, G's end)
 *            ◄── FetchAnswer(5.., hw) ─────  the records from 5 on, and the high watermark
 *  append them, copy their epochs, hw = min(leader's hw, own end), fetch again from the new end
 * </pre>
 *
 * <p>Why pull (Kafka) rather than push (RocketMQ's master pushes to its slave): the follower sets the pace, so
 * a slow follower cannot make the leader buffer for it, and the fetch offset is the acknowledgement — a
 * follower that asks from offset 5 has every record below 5, which is all the leader needs to move its high
 * watermark. The high watermark is the end of what every replica has: records below it survive the loss of
 * any replica, and only they are given to consumers ({@link #readCommitted}). In this exercise every replica
 * counts; exercise 8.3 counts only the in-sync ones, so that a dead follower cannot stop the partition.
 *
 * <p>Each record carries the epoch of the leader that wrote it, in a header ({@link #EPOCH_HEADER}), as Kafka's
 * record batches carry their {@code partitionLeaderEpoch}: a follower copies the epochs into its own cache.
 *
 * <p>Thread-safety: not thread safe. One thread drives a replica (the simulation's, or the broker's partition
 * thread), and its outbox must not call back into it.
 */
public final class Replica implements Closeable {
    /** The header that carries the epoch of the leader that wrote a record: 4 bytes, big-endian. */
    public static final String EPOCH_HEADER = "leader-epoch";
    /** About how many bytes a follower asks for per fetch. */
    public static final int FETCH_BYTES = 64 * 1024;
    /** How long a follower waits for an answer before it asks again (the request or the answer was lost). */
    public static final Duration FETCH_TIMEOUT = Duration.ofMillis(100);

    /** Where a replica's messages go: the network, or a test's list. */
    public interface Outbox {
        /** Sends {@code message} to replica {@code to}, or loses it: the network decides. */
        void send(String to, ReplicaMessage message);
    }

    /** How many replicas must have a record before its producer hears "stored": Kafka's {@code acks}. */
    public enum Acks {
        /** {@code acks=0}: nobody; the producer does not wait. */
        NONE,
        /** {@code acks=1}: the leader has it. Lost if the leader fails before a follower copies it. */
        LEADER,
        /** {@code acks=all}: every in-sync replica has it (the high watermark has passed it). */
        ALL
    }

    /**
     * An {@code acks=all} append refused because fewer replicas are in sync than {@code min.insync.replicas}:
     * Kafka's {@code NOT_ENOUGH_REPLICAS}. Nothing was appended.
     */
    public static final class NotEnoughReplicasException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        NotEnoughReplicasException(String message) {
            super(message);
        }
    }

    /** What a replica is now. */
    public enum Role {
        /** Neither, until the controller says (a replica just opened, or one that was removed). */
        NONE,
        /** Appends, and answers fetches. */
        LEADER,
        /** Fetches from the leader. */
        FOLLOWER
    }

    private final String id;
    private final Log log;
    private final LeaderEpochCache epochs;
    private final Outbox outbox;
    private final Clock clock;

    private Role role = Role.NONE;
    private int leaderEpoch = -1;
    private String leader;
    /** The offset below which every replica has every record. Never moves backwards while this replica leads. */
    private long highWatermark;
    /** Leader: each follower → its log end offset, as its last fetch said. Sorted, so that output is stable. */
    private final Map<String, Long> followerEnds = new TreeMap<>();
    /** Follower: when the fetch in flight was sent, or -1 if none is. */
    private long fetchSentMillis = -1;
    /** Leader: the in-sync replicas (exercise 8.3), or null when every replica counts (exercise 8.2). */
    private InSyncReplicas isr;
    /** Leader: Kafka's {@code min.insync.replicas}, for {@code acks=all}. */
    private int minInsync = 1;

    private Replica(String id, Log log, LeaderEpochCache epochs, Outbox outbox, Clock clock) {
        this.id = id;
        this.log = log;
        this.epochs = epochs;
        this.outbox = outbox;
        this.clock = clock;
    }

    /**
     * Opens replica {@code id}'s partition in {@code dir}: its log and its epoch cache, recovered as chapter 6
     * recovers a log. It starts with no role.
     */
    public static Replica open(String id, Path dir, LogConfig config, FileOpener opener, Clock clock, Outbox outbox)
        throws IOException {
        Files.createDirectories(dir);
        Log log = Log.open(dir.resolve("log"), config, opener, clock);
        try {
            return new Replica(id, log, LeaderEpochCache.open(dir, opener), Objects.requireNonNull(outbox, "outbox"),
                clock);
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /**
     * Leads the partition in {@code epoch}, with these followers (not including itself), every one of which
     * counts toward the high watermark, alive or not (exercise 8.2). Given code.
     */
    public void becomeLeader(int epoch, Set<String> followers) {
        becomeLeader(epoch, followers, null, 1);
    }

    /**
     * Leads the partition in {@code epoch} with an in-sync replica set (exercise 8.3): only in-sync replicas
     * count toward the high watermark, a follower that has not caught up for {@code maxLag} leaves the set, and
     * an {@code acks=all} append needs {@code minInsync} in-sync replicas. Given code.
     */
    public void becomeLeader(int epoch, Set<String> followers, Duration maxLag, int minInsync) {
        if (minInsync < 1 || minInsync > followers.size() + 1) {
            throw new IllegalArgumentException("min.insync.replicas must be between 1 and the " + (followers.size() + 1)
                + " replicas, not " + minInsync);
        }
        requireNewerEpoch(epoch);
        this.isr = maxLag == null ? null : new InSyncReplicas(id, followers, maxLag, clock.millis());
        this.minInsync = minInsync;
        role = Role.LEADER;
        leaderEpoch = epoch;
        leader = id;
        followerEnds.clear();
        for (String follower : followers) {
            if (!follower.equals(id)) {
                followerEnds.put(follower, 0L); // until its first fetch says more
            }
        }
        fetchSentMillis = -1;
    }

    /** Follows {@code newLeader} in {@code epoch}. Given code; the first fetch goes out at the next tick. */
    public void becomeFollower(int epoch, String newLeader) {
        requireNewerEpoch(epoch);
        role = Role.FOLLOWER;
        leaderEpoch = epoch;
        leader = Objects.requireNonNull(newLeader, "leader");
        followerEnds.clear();
        isr = null;
        fetchSentMillis = -1;
    }

    private void requireNewerEpoch(int epoch) {
        if (epoch < leaderEpoch) {
            throw new IllegalArgumentException("replica " + id + " is in epoch " + leaderEpoch + " already, not "
                + epoch + ": epochs never go back");
        }
    }

    /**
     * Appends a record as the leader, tagged with the leader's epoch, and records the epoch's first offset in
     * the cache. Given code. The record is committed once the high watermark passes it.
     *
     * @return its offset
     * @throws IllegalStateException if this replica is not the leader
     */
    public long append(byte[] key, byte[] value) throws IOException {
        return append(key, value, Acks.LEADER);
    }

    /**
     * Appends as {@link #append(byte[], byte[])} does, refusing first an {@link Acks#ALL} append when fewer
     * replicas are in sync than {@code min.insync.replicas}. Given code. Whether the producer may be told
     * "stored" yet is {@link #acknowledged}.
     *
     * @throws NotEnoughReplicasException if {@code acks} is {@link Acks#ALL} and the ISR is too small
     */
    public long append(byte[] key, byte[] value, Acks acks) throws IOException {
        if (role != Role.LEADER) {
            throw new IllegalStateException("replica " + id + " is not the leader (it is " + role + " in epoch "
                + leaderEpoch + ")");
        }
        if (acks == Acks.ALL && isr != null && isr.members().size() < minInsync) {
            throw new NotEnoughReplicasException("only " + isr.members() + " are in sync, fewer than "
                + "min.insync.replicas = " + minInsync + ": an acks=all write is refused");
        }
        long offset = log.append(key, value, List.of(epochHeader(leaderEpoch)));
        epochs.assign(leaderEpoch, offset);
        advanceHighWatermark(); // a leader alone in the ISR commits what it has
        return offset;
    }

    /** Whether the record at {@code offset} is stored as {@code acks} asks: the producer may be answered. */
    public boolean acknowledged(long offset, Acks acks) {
        return switch (acks) {
            case NONE -> true;
            case LEADER -> offset < log.nextOffset();
            case ALL -> offset < highWatermark;
        };
    }

    /** Hands a message from replica {@code from} to the state machine. Given code. */
    public void receive(String from, ReplicaMessage message) throws IOException {
        if (message instanceof ReplicaMessage.Fetch fetch) {
            onFetch(from, fetch);
        } else if (message instanceof ReplicaMessage.FetchAnswer answer) {
            onFetchAnswer(from, answer);
        } else if (message instanceof ReplicaMessage.Refused refused && from.equals(leader)) {
            fetchSentMillis = -1; // the next tick asks again; the controller will tell it who leads now
        }
    }

    /**
     * Time has passed: a follower with no fetch in flight, or whose fetch has waited longer than
     * {@link #FETCH_TIMEOUT}, sends one from its log end. Given code. Call it regularly (every few milliseconds).
     */
    public void tick() {
        long now = clock.millis();
        if (role == Role.LEADER && isr != null && !isr.shrink(now).isEmpty()) {
            advanceHighWatermark(); // the ones left behind no longer hold it back
        }
        if (role == Role.FOLLOWER && (fetchSentMillis < 0 || now - fetchSentMillis >= FETCH_TIMEOUT.toMillis())) {
            fetchFromLogEnd();
        }
    }

    /** Sends a fetch from the log end to the leader and notes when. Given code. */
    private void fetchFromLogEnd() {
        fetchSentMillis = clock.millis();
        outbox.send(leader, new ReplicaMessage.Fetch(leaderEpoch, log.nextOffset(), FETCH_BYTES));
    }

    /**
     * The leader's side of a fetch from {@code follower} (exercise 8.2).
     *
     * <p>Refuse ({@link ReplicaMessage.Refused}, naming the reason and this replica's epoch) a fetch when this
     * replica is not the leader, when the fetch's epoch is not this leader's, when {@code follower} is not one of
     * its followers, or when the fetch offset is outside this log (below its start or beyond its end).
     * Otherwise: the fetch offset is the follower's log end offset — it has everything below it — so tell
     * {@link #followerFetched} (given: it remembers the follower's end, tells the ISR if there is one, and
     * advances the high watermark), and answer with the records from the fetch offset (up to
     * {@code maxBytes}; none if the follower is at the end), the high watermark and the log end offset.
     */
    private void onFetch(String follower, ReplicaMessage.Fetch fetch) throws IOException {
        // BEGIN EXERCISE 8.2
        throw new ExerciseNotDone("8.2");
        // END EXERCISE 8.2
    }

    /**
     * The follower's side of an answer from {@code from} (exercise 8.2).
     *
     * <p>Ignore an answer that is not for this follower as it is now: this replica is not a follower, the answer
     * is not from its leader or not in its epoch, or its fetch offset is not this log's end offset any more (a
     * late or repeated answer: the records are here already). Otherwise the fetch is answered: no fetch is in
     * flight now ({@code fetchSentMillis = -1}). Append a copy of every record ({@link Log#appendCopy}) and give
     * the cache each record's epoch ({@link #epochOf}, then {@link LeaderEpochCache#assign}), and move the high
     * watermark up to the leader's — but never beyond this log's end, and never back. (No fsync: as in Kafka, a
     * record is safe because several brokers have it, not because one disk does; the log's flush policy decides
     * when its pages reach the disk.)
     * If the answer had records, fetch again at once from the new end ({@link #fetchFromLogEnd()}); if not, the
     * next {@link #tick} will.
     */
    private void onFetchAnswer(String from, ReplicaMessage.FetchAnswer answer) throws IOException {
        // BEGIN EXERCISE 8.2
        throw new ExerciseNotDone("8.2");
        // END EXERCISE 8.2
    }

    /**
     * Leader: an accepted fetch says {@code follower}'s log ends at {@code fetchOffset}. Remembers it, tells
     * the in-sync replica set if there is one (exercise 8.3), and advances the high watermark. Given code.
     */
    private void followerFetched(String follower, long fetchOffset) {
        followerEnds.put(follower, fetchOffset);
        if (isr != null) {
            isr.fetched(follower, fetchOffset, log.nextOffset(), highWatermark, clock.millis());
        }
        advanceHighWatermark();
    }

    /**
     * Leader: the high watermark becomes the smallest log end offset among the leader and the followers that
     * count — every one (8.2), or the in-sync ones (8.3) — if that is higher than it was (a follower that
     * restarted with less does not take it back). Given code.
     */
    private void advanceHighWatermark() {
        long lowest = log.nextOffset();
        for (Map.Entry<String, Long> follower : followerEnds.entrySet()) {
            if (isr == null || isr.contains(follower.getKey())) {
                lowest = Math.min(lowest, follower.getValue());
            }
        }
        highWatermark = Math.max(highWatermark, lowest);
    }

    /** Leader: the replicas that count toward the high watermark, itself included, sorted. */
    public Set<String> inSyncReplicas() {
        if (isr != null) {
            return isr.members();
        }
        Set<String> all = new TreeSet<>(followerEnds.keySet());
        all.add(id);
        return all;
    }

    /** The {@link #EPOCH_HEADER} header for {@code epoch}. */
    static Header epochHeader(int epoch) {
        return new Header(EPOCH_HEADER, ByteBuffer.allocate(4).putInt(epoch).array());
    }

    /**
     * The epoch of the leader that wrote {@code record}.
     *
     * @throws IllegalArgumentException if the record has no {@link #EPOCH_HEADER}, or a malformed one
     */
    public static int epochOf(Record record) {
        for (Header header : record.headers()) {
            if (header.key().equals(EPOCH_HEADER)) {
                if (header.value() == null || header.value().length != 4) {
                    throw new IllegalArgumentException("record " + record.offset() + " has a malformed "
                        + EPOCH_HEADER + " header");
                }
                return ByteBuffer.wrap(header.value()).getInt();
            }
        }
        throw new IllegalArgumentException("record " + record.offset() + " has no " + EPOCH_HEADER + " header: "
            + "it was not written by a leader");
    }

    /** Records below the high watermark from {@code offset} on: what a consumer may read. */
    public List<Record> readCommitted(long offset, int maxBytes) throws IOException {
        if (offset >= highWatermark) {
            return List.of();
        }
        List<Record> committed = new ArrayList<>();
        for (Record record : log.read(offset, maxBytes)) {
            if (record.offset() >= highWatermark) {
                break;
            }
            committed.add(record);
        }
        return committed;
    }

    /** Every record from {@code offset} to the log end, committed or not: for checks and tests. */
    public List<Record> readAll(long offset, int maxBytes) throws IOException {
        return offset >= log.nextOffset() ? List.of() : log.read(offset, maxBytes);
    }

    public String id() {
        return id;
    }

    public Role role() {
        return role;
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    public long highWatermark() {
        return highWatermark;
    }

    /** The offset the next record will get. */
    public long logEndOffset() {
        return log.nextOffset();
    }

    public LeaderEpochCache epochs() {
        return epochs;
    }

    /** Leader: what it knows of each follower's log end offset. */
    public Map<String, Long> followerEnds() {
        return Map.copyOf(followerEnds);
    }

    @Override
    public void close() throws IOException {
        log.close();
    }

    @Override
    public String toString() {
        return "Replica[" + id + ", " + role + " in epoch " + leaderEpoch + ", log end " + log.nextOffset()
            + ", high watermark " + highWatermark + "]";
    }
}

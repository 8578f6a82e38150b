package org.mqworkbook.ha.replication;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mqworkbook.ha.epoch.EpochEndOffset;
import org.mqworkbook.ha.epoch.LeaderEpochCache;
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
 * <p>A replica that starts following a new leader may end in records the old leader wrote and nobody else
 * copied. Before it fetches, it truncates them (exercise 8.4, KIP-101 and KIP-279): it asks the leader where its
 * own latest epoch ends ({@link ReplicaMessage.EpochQuery}), cuts its log there, and asks again if the leader
 * answered about an older epoch than the one it asked about — never by its own high watermark, which may be
 * behind what is committed:
 *
 * <pre>
 *  new follower F: epochs {1: 0, 2: 5}, log end 8      leader L (epoch 3): epochs {1: 0, 3: 6}, log end 9
 *  EpochQuery(epoch 2) ─────────────────────────────►  endOffsetFor(2) = (1, 6): "I know epoch 1, it ends at 6"
 *  ◄──────────────────────────────────── EpochAnswer(1, 6)
 *  F's own epoch 1 ends at 5 (its epoch 2 starts there): truncate to min(5, 6) = 5, done — offsets 5..7 were
 *  epoch 2's, which L never had. Fetch from 5.
 * </pre>
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
    /**
     * This incarnation of the replica's broker: larger after every restart (KRaft's broker epoch, which the
     * controller hands a broker when it registers). Fetches carry it, so that a leader can tell a fetch from a
     * broker that has restarted since — and may have lost records — from one sent before.
     */
    private final long brokerEpoch;
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
    /** Follower: when the fetch or epoch query in flight was sent, or -1 if none is. */
    private long fetchSentMillis = -1;
    /**
     * Follower: still finding where its log diverges from the leader's (exercise 8.4): it sends epoch queries,
     * not fetches. Kafka's fetcher calls this state {@code Truncating}; the other is {@code Fetching}.
     */
    private boolean truncating;
    /** Leader: each follower → the largest broker epoch its fetches have carried. */
    private final Map<String, Long> followerBrokerEpochs = new TreeMap<>();
    /** Leader: each fenced follower → the broker epoch below which its fetches are refused. */
    private final Map<String, Long> fencedBelow = new TreeMap<>();
    /** Leader: the in-sync replicas (exercise 8.3), or null when every replica counts (exercise 8.2). */
    private InSyncReplicas isr;
    /** Leader: where its epoch began, its log end when it was elected. */
    private long epochStartOffset;
    /** Leader: Kafka's {@code min.insync.replicas}, for {@code acks=all}. */
    private int minInsync = 1;

    private Replica(String id, long brokerEpoch, Log log, LeaderEpochCache epochs, Outbox outbox, Clock clock) {
        this.id = id;
        this.brokerEpoch = brokerEpoch;
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
        return open(id, 0, dir, config, opener, clock, outbox);
    }

    /**
     * Opens the replica as {@link #open(String, Path, LogConfig, FileOpener, Clock, Outbox)} does, for the
     * incarnation {@code brokerEpoch} of its broker (larger after every restart).
     */
    public static Replica open(String id, long brokerEpoch, Path dir, LogConfig config, FileOpener opener,
                               Clock clock, Outbox outbox) throws IOException {
        Files.createDirectories(dir);
        Log log = Log.open(dir.resolve("log"), config, opener, clock);
        try {
            Replica replica = new Replica(id, brokerEpoch, log, LeaderEpochCache.open(dir, opener),
                Objects.requireNonNull(outbox, "outbox"), clock);
            replica.reconcileEpochs();
            return replica;
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /**
     * Makes the epoch cache agree with the log after a restart. Given code. The cache is forced at every change
     * and the log only as its flush policy says, so after a crash the cache may name epochs that start beyond
     * the log's end (their records were lost: the entries go), and the log may hold records whose epoch the
     * cache never heard of (the crash came between the append and the cache's write: their epochs are read back
     * from the records, from the latest entry on). Kafka does the same while it recovers a log's segments.
     */
    private void reconcileEpochs() throws IOException {
        if (epochs.latestEntry().isEmpty() && log.nextOffset() == log.logStartOffset()) {
            return; // a new replica: nothing to reconcile
        }
        epochs.truncateFromEnd(log.nextOffset());
        epochs.truncateFromStart(log.logStartOffset());
        long from = Math.max(log.logStartOffset(),
            epochs.latestEntry().map(entry -> entry.startOffset()).orElse(log.logStartOffset()));
        while (from < log.nextOffset()) {
            List<Record> records = log.read(from, FETCH_BYTES);
            if (records.isEmpty()) {
                break;
            }
            for (Record record : records) {
                epochs.assign(epochOf(record), record.offset());
            }
            from = records.get(records.size() - 1).offset() + 1;
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
        becomeLeader(epoch, followers, followers, maxLag, minInsync);
    }

    /**
     * Leads the partition in {@code epoch} as a controller's election makes a replica leader (exercise 8.4):
     * only the followers in {@code inSync} — the ISR the controller recorded — start in sync; the others join
     * once they have caught up. The new epoch starts at this log's end in the epoch cache, as Kafka's new
     * leader records it, so that a follower asking about an older epoch learns where that epoch ended here
     * even before this leader has appended anything. Given code.
     */
    public void becomeLeader(int epoch, Set<String> followers, Set<String> inSync, Duration maxLag,
                             int minInsync) {
        if (minInsync < 1 || minInsync > followers.size() + 1) {
            throw new IllegalArgumentException("min.insync.replicas must be between 1 and the " + (followers.size() + 1)
                + " replicas, not " + minInsync);
        }
        requireNewerEpoch(epoch);
        epochStartOffset = log.nextOffset();
        try {
            epochs.assign(epoch, epochStartOffset);
        } catch (IOException e) {
            throw new UncheckedIOException("replica " + id + " could not record epoch " + epoch, e);
        }
        this.isr = maxLag == null ? null : new InSyncReplicas(id, followers, inSync, maxLag, clock.millis());
        this.minInsync = minInsync;
        role = Role.LEADER;
        leaderEpoch = epoch;
        leader = id;
        followerEnds.clear();
        followerBrokerEpochs.clear();
        fencedBelow.clear();
        for (String follower : followers) {
            if (!follower.equals(id)) {
                followerEnds.put(follower, 0L); // until its first fetch says more
            }
        }
        fetchSentMillis = -1;
        truncating = false; // a follower elected before it finished truncating: its log is the truth now
        advanceHighWatermark(); // a leader alone in the ISR commits what it has
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
        truncating = epochs.latestEpoch().isPresent(); // an empty log has nothing to disagree about
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

    /**
     * Hands a message from replica {@code from} to the state machine. Given code. A follower that is still
     * truncating ignores fetch answers: they come from before it started following this leader.
     */
    public void receive(String from, ReplicaMessage message) throws IOException {
        if (message instanceof ReplicaMessage.Fetch fetch) {
            String stale = staleIncarnation(from, fetch.brokerEpoch());
            if (stale != null) {
                outbox.send(from, new ReplicaMessage.Refused(leaderEpoch, ReplicaMessage.Error.STALE_BROKER_EPOCH,
                    stale));
            } else {
                onFetch(from, fetch);
            }
        } else if (message instanceof ReplicaMessage.FetchAnswer answer) {
            if (!truncating) {
                onFetchAnswer(from, answer);
            }
        } else if (message instanceof ReplicaMessage.EpochQuery query) {
            onEpochQuery(from, query);
        } else if (message instanceof ReplicaMessage.EpochAnswer answer) {
            onEpochAnswer(from, answer);
        } else if (message instanceof ReplicaMessage.Refused refused && from.equals(leader)) {
            fetchSentMillis = -1; // the next tick asks again; the controller will tell it who leads now
        }
    }

    /**
     * Time has passed: a follower with no request in flight, or whose request has waited longer than
     * {@link #FETCH_TIMEOUT}, sends the next one ({@link #sendNext}). Given code. Call it regularly (every few
     * milliseconds).
     */
    public void tick() {
        long now = clock.millis();
        if (role == Role.LEADER && isr != null && !isr.shrink(now).isEmpty()) {
            advanceHighWatermark(); // the ones left behind no longer hold it back
        }
        if (role == Role.FOLLOWER && (fetchSentMillis < 0 || now - fetchSentMillis >= FETCH_TIMEOUT.toMillis())) {
            sendNext();
        }
    }

    /**
     * Follower: while truncating, asks the leader where this log's latest epoch ends; then fetches from the log
     * end. Given code.
     */
    private void sendNext() {
        if (truncating && epochs.latestEpoch().isPresent()) {
            fetchSentMillis = clock.millis();
            outbox.send(leader, new ReplicaMessage.EpochQuery(leaderEpoch, epochs.latestEpoch().getAsInt()));
        } else {
            truncating = false;
            fetchFromLogEnd();
        }
    }

    /** Sends a fetch from the log end to the leader and notes when. Given code. */
    private void fetchFromLogEnd() {
        fetchSentMillis = clock.millis();
        outbox.send(leader, new ReplicaMessage.Fetch(leaderEpoch, log.nextOffset(), FETCH_BYTES, brokerEpoch));
    }

    /**
     * The leader's side of a fetch from {@code follower} (exercise 8.2).
     *
     * <p>Refuse a fetch for the reasons {@link #refusal} gives, and with {@code OFFSET_OUT_OF_RANGE} when the
     * fetch offset is outside this log (below its start or beyond its end): send the {@link ReplicaMessage.Refused}
     * back and stop.
     * Otherwise: the fetch offset is the follower's log end offset — it has everything below it — so tell
     * {@link #followerFetched} (given: it remembers the follower's end, tells the ISR if there is one, and
     * advances the high watermark), and answer with the records from the fetch offset (up to
     * {@code maxBytes}; none if the follower is at the end), the high watermark and the log end offset.
     */
    private void onFetch(String follower, ReplicaMessage.Fetch fetch) throws IOException {
        // BEGIN EXERCISE 8.2
        ReplicaMessage.Refused refusal = refusal(follower, fetch.leaderEpoch(), "fetch");
        if (refusal == null && (fetch.fetchOffset() > log.nextOffset() || fetch.fetchOffset() < log.logStartOffset())) {
            refusal = new ReplicaMessage.Refused(leaderEpoch, ReplicaMessage.Error.OFFSET_OUT_OF_RANGE, "fetch offset "
                + fetch.fetchOffset() + " is outside the leader's log, offsets " + log.logStartOffset() + " to "
                + log.nextOffset());
        }
        if (refusal != null) {
            outbox.send(follower, refusal);
            return;
        }
        followerFetched(follower, fetch.fetchOffset());
        List<Record> records = fetch.fetchOffset() < log.nextOffset()
            ? log.read(fetch.fetchOffset(), fetch.maxBytes()) : List.of();
        outbox.send(follower, new ReplicaMessage.FetchAnswer(leaderEpoch, fetch.fetchOffset(), records, highWatermark,
            log.nextOffset()));
        // END EXERCISE 8.2
    }

    /**
     * Leader: why this replica must refuse a {@code what} (a fetch, an epoch query) from {@code follower} in
     * {@code requestEpoch}, or null if it need not (exercise 8.2; 8.4's epoch queries use it too). In this order:
     * <ul>
     *   <li>this replica is not the leader: {@code NOT_LEADER_OR_FOLLOWER};
     *   <li>the request's epoch is older than this leader's: {@code FENCED_LEADER_EPOCH} (the sender missed a
     *       leader change, and must not be answered as if it had not);
     *   <li>it is newer: {@code UNKNOWN_LEADER_EPOCH} (the controller has made a new leader, and this replica has
     *       not heard yet; the sender retries);
     *   <li>{@code follower} is not one of its followers: {@code UNKNOWN_REPLICA}.
     * </ul>
     * The refusal carries this replica's epoch, and a reason that names the numbers and names involved.
     */
    private ReplicaMessage.Refused refusal(String follower, int requestEpoch, String what) {
        // BEGIN EXERCISE 8.2
        if (role != Role.LEADER) {
            return new ReplicaMessage.Refused(leaderEpoch, ReplicaMessage.Error.NOT_LEADER_OR_FOLLOWER, "replica " + id
                + " is not the leader (it is " + role + " in epoch " + leaderEpoch + ")");
        }
        if (requestEpoch != leaderEpoch) {
            return new ReplicaMessage.Refused(leaderEpoch, requestEpoch < leaderEpoch
                ? ReplicaMessage.Error.FENCED_LEADER_EPOCH : ReplicaMessage.Error.UNKNOWN_LEADER_EPOCH, what
                + " in epoch " + requestEpoch + ", but the leader is in epoch " + leaderEpoch);
        }
        if (!followerEnds.containsKey(follower)) {
            return new ReplicaMessage.Refused(leaderEpoch, ReplicaMessage.Error.UNKNOWN_REPLICA, follower
                + " is not a follower of this partition (followers: " + followerEnds.keySet() + ")");
        }
        return null;
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
        if (role != Role.FOLLOWER || !from.equals(leader) || answer.leaderEpoch() != leaderEpoch
            || answer.fetchOffset() != log.nextOffset()) {
            return;
        }
        fetchSentMillis = -1;
        for (Record record : answer.records()) {
            log.appendCopy(record);
            epochs.assign(epochOf(record), record.offset());
        }
        highWatermark = Math.max(highWatermark, Math.min(answer.highWatermark(), log.nextOffset()));
        if (!answer.records().isEmpty()) {
            fetchFromLogEnd();
        }
        // END EXERCISE 8.2
    }

    /**
     * The leader's side of an epoch query from {@code follower} (exercise 8.4): Kafka's
     * {@code OffsetsForLeaderEpoch}.
     *
     * <p>Refuse it for the reasons {@link #refusal} gives (exercise 8.2: not the leader, an older or a newer
     * epoch, a stranger), sending the {@link ReplicaMessage.Refused} back. Otherwise answer with where the epoch
     * asked about ends in this log ({@link LeaderEpochCache#endOffsetFor}, exercise 8.1), and the epoch asked
     * about.
     */
    private void onEpochQuery(String follower, ReplicaMessage.EpochQuery query) {
        // BEGIN EXERCISE 8.4
        ReplicaMessage.Refused refusal = refusal(follower, query.leaderEpoch(), "epoch query");
        if (refusal != null) {
            outbox.send(follower, refusal);
            return;
        }
        outbox.send(follower, new ReplicaMessage.EpochAnswer(leaderEpoch, query.epoch(),
            epochs.endOffsetFor(query.epoch(), log.nextOffset())));
        // END EXERCISE 8.4
    }

    /**
     * The follower's side of an epoch answer from {@code from} (exercise 8.4): where to cut this log, with
     * Kafka's rules (KIP-101, and KIP-279's second round).
     *
     * <p>Ignore an answer that is not for this follower as it is now: this replica is not a follower or no
     * longer truncating, the answer is not from its leader or not in its epoch, or it answers a question about
     * another epoch than this log's latest one (a late or repeated answer). Otherwise nothing is in flight any
     * more ({@code fetchSentMillis = -1}), and with {@code (leaderEpoch, leaderEnd)} the leader's answer and
     * {@code logEnd} this log's end:
     * <ol>
     * <li>The answer is {@link EpochEndOffset#UNDEFINED} (the leader knows no epoch this old): nothing better is
     *     known, so cut at this replica's high watermark, as Kafka falls back to, and stop truncating.</li>
     * <li>Otherwise ask this log's own cache where {@code leaderEpoch} ends here ({@code endOffsetFor}). If that
     *     answer is undefined (Kafka keeps the case for a cache with nothing to say; while this log has epochs
     *     it does not arise): cut at {@code min(leaderEnd, logEnd)} and stop truncating. Note that a log whose
     *     epochs all come after {@code leaderEpoch} gets a defined answer, {@code (leaderEpoch, its first
     *     epoch's start)}, and case 4 cuts it there: every record it has is of an epoch the leader never had.</li>
     * <li>If this log's answer is about an older epoch than {@code leaderEpoch} (it never had that epoch): cut at
     *     {@code min(its end, logEnd)}, and keep truncating — the next query asks about the latest epoch left.</li>
     * <li>If it is about {@code leaderEpoch} itself: both logs agree up to where the shorter copy of that epoch
     *     ends. Cut at {@code min(its end, leaderEnd, logEnd)} and stop truncating.</li>
     * </ol>
     * Cut with {@link #truncateTo} (given; cutting at the log end changes nothing). Then send the next request
     * at once ({@link #sendNext}: another query, or the first fetch).
     */
    private void onEpochAnswer(String from, ReplicaMessage.EpochAnswer answer) throws IOException {
        // BEGIN EXERCISE 8.4
        OptionalInt latest = epochs.latestEpoch();
        if (role != Role.FOLLOWER || !truncating || !from.equals(leader) || answer.leaderEpoch() != leaderEpoch
            || latest.isEmpty() || answer.epochAsked() != latest.getAsInt()) {
            return;
        }
        fetchSentMillis = -1;
        long logEnd = log.nextOffset();
        EpochEndOffset leaders = answer.end();
        if (!leaders.defined()) {
            truncateTo(Math.min(highWatermark, logEnd));
            truncating = false;
        } else {
            EpochEndOffset own = epochs.endOffsetFor(leaders.epoch(), logEnd);
            if (!own.defined()) {
                truncateTo(Math.min(leaders.endOffset(), logEnd));
                truncating = false;
            } else if (own.epoch() != leaders.epoch()) {
                truncateTo(Math.min(own.endOffset(), logEnd));
            } else {
                truncateTo(Math.min(Math.min(own.endOffset(), leaders.endOffset()), logEnd));
                truncating = false;
            }
        }
        sendNext();
        // END EXERCISE 8.4
    }

    /**
     * Removes every record at and after {@code offset} from the log and the epochs that started there from the
     * cache, and brings the high watermark down to it if it was above: what a follower does with records its
     * leader never had (Kafka's {@code truncateTo}). Given code. Exercise 8.4 calls it; the failure museum calls
     * it to cut a log at its high watermark, as brokers did before KIP-101.
     *
     * @throws IllegalArgumentException if {@code offset} is outside the log
     */
    public void truncateTo(long offset) throws IOException {
        if (offset == log.nextOffset()) {
            return;
        }
        log.truncateTo(offset);
        epochs.truncateFromEnd(offset);
        highWatermark = Math.min(highWatermark, offset);
    }

    /**
     * Leader: whether a fetch from {@code follower} carrying {@code fetchBrokerEpoch} comes from an incarnation of
     * its broker that is over — the broker restarted, and the fetch was sent before (it may say the follower has
     * records its disk has lost since). Returns the reason to refuse it, or null. A fetch from a newer
     * incarnation than any before means the broker restarted: the follower leaves the ISR until it has caught up
     * again. Given code. Kafka's fetches carry the broker epoch for the same reason (KIP-903).
     */
    private String staleIncarnation(String follower, long fetchBrokerEpoch) {
        if (role != Role.LEADER || !followerEnds.containsKey(follower)) {
            return null; // onFetch refuses it, saying why
        }
        Long fenced = fencedBelow.get(follower);
        Long seen = followerBrokerEpochs.get(follower);
        if (fenced != null && fetchBrokerEpoch < fenced || seen != null && fetchBrokerEpoch < seen) {
            return "fetch from broker epoch " + fetchBrokerEpoch + " of " + follower + ", which has restarted since "
                + "(broker epoch " + Math.max(fenced == null ? 0 : fenced, seen == null ? 0 : seen) + ")";
        }
        if (seen != null && fetchBrokerEpoch > seen && isr != null) {
            isr.remove(follower);
        }
        followerBrokerEpochs.put(follower, fetchBrokerEpoch);
        return null;
    }

    /**
     * Leader: the controller says {@code follower}'s broker restarted or lost its session, and that its new
     * incarnation has broker epoch {@code brokerEpoch} or more, so its log may have lost records it had: it
     * leaves the in-sync replicas at once, joins again once it has caught up to the high watermark, and fetches
     * from its older incarnations, still on the way, are refused (KRaft fences the broker; Kafka's leader
     * checks the broker epoch, KIP-903). Given code.
     *
     * @throws IllegalStateException if this replica is not the leader
     */
    public void fence(String follower, long brokerEpoch) {
        if (role != Role.LEADER) {
            throw new IllegalStateException("replica " + id + " is not the leader (it is " + role + " in epoch "
                + leaderEpoch + ")");
        }
        fencedBelow.merge(follower, brokerEpoch, Math::max);
        if (isr != null) {
            isr.remove(follower);
        }
    }

    /** Follower: whether it is still finding where its log diverges from the leader's (exercise 8.4). */
    public boolean truncating() {
        return truncating;
    }

    /**
     * Leader: an accepted fetch says {@code follower}'s log ends at {@code fetchOffset}. Remembers it, tells
     * the in-sync replica set if there is one (exercise 8.3), and advances the high watermark. Given code.
     */
    private void followerFetched(String follower, long fetchOffset) {
        followerEnds.put(follower, fetchOffset);
        if (isr != null) {
            // A new leader's high watermark can lag what its predecessor committed, by as much as this log's end
            // when it was elected; a follower that rejoins below that might lack acknowledged records. Kafka asks
            // a rejoining follower to reach the start of the leader's epoch too, and so does this.
            isr.fetched(follower, fetchOffset, log.nextOffset(), Math.max(highWatermark, epochStartOffset),
                clock.millis());
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

    /**
     * Records below the high watermark from {@code offset} on, about {@code maxBytes} of them and from one
     * segment at most (chapter 6's {@code Log.read}): what a consumer may read. Call again from the next offset.
     */
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

    /**
     * Records from {@code offset} on, committed or not, about {@code maxBytes} of them and from one segment at
     * most: for checks and tests. Call again from the next offset to read to the log end.
     */
    public List<Record> readAll(long offset, int maxBytes) throws IOException {
        return offset >= log.nextOffset() ? List.of() : log.read(offset, maxBytes);
    }

    public String id() {
        return id;
    }

    /** The incarnation of this replica's broker it was opened for. */
    public long brokerEpoch() {
        return brokerEpoch;
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
        return "Replica[" + id + ", " + role + " in epoch " + leaderEpoch + (truncating ? " (truncating)" : "")
            + ", log end " + log.nextOffset() + ", high watermark " + highWatermark
            + (role == Role.LEADER ? ", in sync " + inSyncReplicas() : "") + "]";
    }
}

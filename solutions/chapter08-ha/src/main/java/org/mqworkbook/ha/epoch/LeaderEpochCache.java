package org.mqworkbook.ha.epoch;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.mqworkbook.storage.CheckpointFile;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.StorageException;

/**
 * Which leader wrote which part of a replica's log (exercise 8.1, the book's 主从复制): the list of leader
 * epochs and the offset at which each epoch's leader appended its first record. Kafka's
 * {@code LeaderEpochFileCache}, with the same semantics, kept in a {@code leader-epoch.checkpoint} beside the
 * partition's log.
 *
 * <pre>
 *  log      0  1  2  3 | 4  5  6 | 7  8  9 ...
 *  written  by epoch 0 | epoch 2 | epoch 3           (epoch 1's leader failed before it wrote anything)
 *  cache    (0 → 0) (2 → 4) (3 → 7)
 *
 *  endOffsetFor(2, LEO 10) = (2, 7)      epoch 2 ends where epoch 3 starts
 *  endOffsetFor(1, LEO 10) = (0, 4)      the largest epoch at or below 1 is 0, and it ends at 4
 *  endOffsetFor(3, LEO 10) = (3, 10)     the latest epoch ends at the log end
 * </pre>
 *
 * <p><b>Why a replica needs it.</b> When a follower starts following a new leader, its log may end in records
 * that the old leader wrote and never replicated: they must go, or two replicas would disagree at the same
 * offset. Before KIP-101 a follower cut its log at its own high watermark — which can cut acknowledged
 * records a new leader does not have yet, or keep divergent ones if the high watermark was stale. With the
 * cache, the follower asks the new leader "where does my latest epoch end in your log?"
 * ({@link #endOffsetFor}) and truncates exactly there: nothing the leader has is lost, nothing it lacks is
 * kept (KIP-101, and KIP-279 for the case where the two disagree about the epoch too).
 *
 * <p><b>Invariants</b>, which every method keeps: epochs strictly increase, and so do start offsets. A new
 * entry that would break them ({@link #assign} of an epoch or an offset smaller than the latest entry's)
 * removes the entries it contradicts first: they describe a history that the log no longer has.
 *
 * <p><b>Durability.</b> Every change is written to the checkpoint file before the method returns
 * ({@link CheckpointFile}: write, force, rename, force the directory), so a restarted replica reads exactly
 * what it had. Kafka writes an {@code assign} at once but flushes truncations in the background, and fixes a
 * stale checkpoint when it loads the log; writing every change at once costs an fsync per leader change and
 * per truncation, which are rare.
 *
 * <p>Thread-safety: not thread safe. The replica that owns the partition calls it from the one thread that
 * drives its state machine (the simulation's loop, or a broker's partition thread).
 */
public final class LeaderEpochCache {
    /** The checkpoint's name in the partition's directory. */
    public static final String FILE = "leader-epoch.checkpoint";
    static final String KIND = "LEPC";
    static final int VERSION = 1;
    /** Bytes per entry in the checkpoint: epoch int32, start offset int64. */
    private static final int ENTRY_BYTES = 4 + 8;

    private final CheckpointFile checkpoint;
    /** Epoch → entry; epochs and start offsets both strictly increase. */
    private final TreeMap<Integer, EpochEntry> epochs = new TreeMap<>();

    private LeaderEpochCache(CheckpointFile checkpoint) {
        this.checkpoint = checkpoint;
    }

    /**
     * Opens the cache of the partition in {@code dir}, reading its checkpoint if there is one (none: an empty
     * cache, as for a new replica).
     *
     * @throws StorageException if the checkpoint is not a leader-epoch checkpoint, is torn or corrupt, or holds
     *                          entries that break the invariants; the message names the file
     */
    public static LeaderEpochCache open(Path dir, FileOpener opener) throws IOException {
        LeaderEpochCache cache = new LeaderEpochCache(new CheckpointFile(dir.resolve(FILE), KIND, VERSION, opener));
        Optional<CheckpointFile.Content> content = cache.checkpoint.read();
        if (content.isPresent()) {
            cache.load(content.get().payload());
        }
        return cache;
    }

    private void load(ByteBuffer payload) throws StorageException {
        try {
            int count = payload.getInt();
            if (count < 0 || (long) count * ENTRY_BYTES != payload.remaining()) {
                throw new StorageException(checkpoint.file(), "says it holds " + count + " epoch entries in "
                    + payload.remaining() + " bytes");
            }
            for (int i = 0; i < count; i++) {
                EpochEntry entry = new EpochEntry(payload.getInt(), payload.getLong());
                Map.Entry<Integer, EpochEntry> last = epochs.lastEntry();
                if (last != null && (entry.epoch() <= last.getKey() || entry.startOffset() <= last.getValue()
                    .startOffset())) {
                    throw new StorageException(checkpoint.file(), "entry " + i + " (" + entry + ") does not follow "
                        + last.getValue() + ": epochs and start offsets must both increase");
                }
                epochs.put(entry.epoch(), entry);
            }
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new StorageException(checkpoint.file(), "is not a valid leader-epoch checkpoint: " + e.getMessage());
        }
    }

    /**
     * Records that the leader of {@code epoch} appended its first record at {@code startOffset} — called by a
     * leader when it appends its first record of a new epoch, and by a follower when it copies one.
     *
     * <p>Nothing changes if the latest entry is this epoch already with a start offset at or below
     * {@code startOffset} (every record of an epoch after its first one is reported too: only the first
     * counts). Otherwise, first remove from the end every entry whose epoch is at least {@code epoch} or whose
     * start offset is at least {@code startOffset} — they contradict the new entry: the log was truncated below
     * them and rewritten — then add the entry and {@link #persist()} the cache.
     *
     * @throws IllegalArgumentException if {@code epoch} or {@code startOffset} is negative (naming both)
     */
    public void assign(int epoch, long startOffset) throws IOException {
        // BEGIN EXERCISE 8.1
        EpochEntry entry = new EpochEntry(epoch, startOffset);
        Map.Entry<Integer, EpochEntry> latest = epochs.lastEntry();
        if (latest != null && latest.getKey() == epoch && latest.getValue().startOffset() <= startOffset) {
            return;
        }
        while (!epochs.isEmpty() && (epochs.lastKey() >= epoch || epochs.lastEntry().getValue().startOffset()
            >= startOffset)) {
            epochs.pollLastEntry();
        }
        epochs.put(epoch, entry);
        persist();
        // END EXERCISE 8.1
    }

    /**
     * Where {@code requestedEpoch} ends in this log: the answer a leader gives a follower's
     * {@code OffsetsForLeaderEpoch} request, with Kafka's rules.
     * <ul>
     * <li>{@link EpochEndOffset#UNDEFINED_EPOCH} asked: {@link EpochEndOffset#UNDEFINED}.</li>
     * <li>The latest epoch asked: that epoch, ending at {@code logEndOffset} (it is still being written).</li>
     * <li>Otherwise, with {@code higher} the first entry of an epoch above the one asked for: none (the epoch
     *     asked for is later than any this log knows) → {@link EpochEndOffset#UNDEFINED}; no entry at or below
     *     the epoch asked for (its records were deleted from this log's start) → the epoch asked for, ending at
     *     {@code higher}'s start offset; else the largest epoch at or below the one asked for, ending at
     *     {@code higher}'s start offset.</li>
     * </ul>
     * An empty cache answers {@link EpochEndOffset#UNDEFINED} to everything.
     */
    public EpochEndOffset endOffsetFor(int requestedEpoch, long logEndOffset) {
        // BEGIN EXERCISE 8.1
        if (requestedEpoch == EpochEndOffset.UNDEFINED_EPOCH) {
            return EpochEndOffset.UNDEFINED;
        }
        if (!epochs.isEmpty() && epochs.lastKey() == requestedEpoch) {
            return new EpochEndOffset(requestedEpoch, logEndOffset);
        }
        Map.Entry<Integer, EpochEntry> higher = epochs.higherEntry(requestedEpoch);
        if (higher == null) {
            return EpochEndOffset.UNDEFINED;
        }
        Map.Entry<Integer, EpochEntry> floor = epochs.floorEntry(requestedEpoch);
        long end = higher.getValue().startOffset();
        return floor == null ? new EpochEndOffset(requestedEpoch, end) : new EpochEndOffset(floor.getKey(), end);
        // END EXERCISE 8.1
    }

    /**
     * The log was truncated to {@code endOffset} (everything at and after it removed): removes every entry
     * whose start offset is at or after {@code endOffset}, and {@link #persist()}s the cache if it removed any.
     * A negative {@code endOffset} changes nothing.
     */
    public void truncateFromEnd(long endOffset) throws IOException {
        // BEGIN EXERCISE 8.1
        if (endOffset < 0) {
            return;
        }
        boolean removed = false;
        while (!epochs.isEmpty() && epochs.lastEntry().getValue().startOffset() >= endOffset) {
            epochs.pollLastEntry();
            removed = true;
        }
        if (removed) {
            persist();
        }
        // END EXERCISE 8.1
    }

    /**
     * The log's start moved to {@code startOffset} (retention deleted what was before it): removes the
     * entries that now describe no record, and {@link #persist()}s the cache if it changed. The entry that
     * covers {@code startOffset} — the last one starting at or before it — is kept, moved to start at
     * {@code startOffset}; every entry before it is removed. Entries after {@code startOffset} stay as they are.
     * If no entry starts at or before {@code startOffset} (or the first one starts exactly there), nothing
     * changes.
     */
    public void truncateFromStart(long startOffset) throws IOException {
        // BEGIN EXERCISE 8.1
        Map.Entry<Integer, EpochEntry> covering = null;
        for (Map.Entry<Integer, EpochEntry> entry : epochs.entrySet()) {
            if (entry.getValue().startOffset() > startOffset) {
                break;
            }
            covering = entry;
        }
        if (covering == null || covering.getValue().startOffset() == startOffset && covering.getKey()
            .equals(epochs.firstKey())) {
            return; // nothing starts before startOffset
        }
        epochs.headMap(covering.getKey(), true).clear();
        epochs.put(covering.getKey(), new EpochEntry(covering.getKey(), startOffset));
        persist();
        // END EXERCISE 8.1
    }

    /** The latest epoch, if any: the one the log's last records were written in. */
    public OptionalInt latestEpoch() {
        return epochs.isEmpty() ? OptionalInt.empty() : OptionalInt.of(epochs.lastKey());
    }

    /** The latest entry, if any. */
    public Optional<EpochEntry> latestEntry() {
        return epochs.isEmpty() ? Optional.empty() : Optional.of(epochs.lastEntry().getValue());
    }

    /**
     * The epoch that wrote {@code offset}: the entry with the largest start offset at or below it, if any.
     * What a leader checks a fetch's epoch against, and a follower its own records.
     */
    public OptionalInt epochAt(long offset) {
        int found = -1;
        for (EpochEntry entry : epochs.values()) {
            if (entry.startOffset() > offset) {
                break;
            }
            found = entry.epoch();
        }
        return found < 0 ? OptionalInt.empty() : OptionalInt.of(found);
    }

    /** Every entry, oldest first. */
    public List<EpochEntry> entries() {
        return List.copyOf(epochs.values());
    }

    /** Where the cache is kept. */
    public Path file() {
        return checkpoint.file();
    }

    /**
     * Writes every entry to the checkpoint (count int32, then epoch int32 and start offset int64 per entry),
     * replacing the file whole. Given code; call it after every change.
     */
    private void persist() throws IOException {
        ByteBuffer payload = ByteBuffer.allocate(4 + epochs.size() * ENTRY_BYTES).putInt(epochs.size());
        for (EpochEntry entry : epochs.values()) {
            payload.putInt(entry.epoch()).putLong(entry.startOffset());
        }
        checkpoint.write(payload.flip());
    }

    @Override
    public String toString() {
        return "LeaderEpochCache" + new ArrayList<>(epochs.values());
    }
}

package org.mqworkbook.storage.broker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mqworkbook.storage.CheckpointFile;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.StorageException;

/**
 * Which messages of a queue are settled (acknowledged, or dropped), kept as an <em>ack floor</em> — every
 * id below it is settled — plus the settled ids above it (exercise 6.6).
 *
 * <pre>
 *  ids:      0 1 2 3 4 5 6 7 8 9
 *  settled:  ✓ ✓ ✓ ✓ · ✓ ✓ · · ✓      floor = 4, above = {5, 6, 9}
 * </pre>
 * Consumers ack out of order (competing consumers, redeliveries), so a single position is not enough,
 * as it is for a Kafka consumer group, which commits one offset per partition and redelivers everything
 * after it. RabbitMQ's classic queue index records acks per segment of the queue in the same spirit.
 *
 * <p>The checkpoint's payload, written whole each time through a {@link CheckpointFile} (kind
 * {@code "ACKS"}, version 1: the file can never be half written, and a foreign or torn one is refused):
 * <pre>
 *  ┌─────────────┬───────────────┬─────────────────────┐
 *  │ floor int64 │ count int32   │ count × id int64    │
 *  │             │               │ (ascending, > floor)│
 *  └─────────────┴───────────────┴─────────────────────┘
 * </pre>
 * Worked example: floor 4, above {5, 6, 9} is 8 + 4 + 3 × 8 = 36 bytes of payload, 50 bytes of file.
 *
 * <p>Methods of this class are thread safe: they are synchronized. {@link #write()} encodes under the
 * lock and does its I/O outside it, so acks are not held up by the disk; two concurrent writes take turns,
 * each writing the state as it was when its turn came.
 */
public final class AckCheckpoint {
    /** The checkpoint's file name in the queue's directory. */
    public static final String FILE = "acks.checkpoint";
    private static final String KIND = "ACKS";
    private static final int VERSION = 1;

    private final Path dir;
    private final CheckpointFile file;

    /** Every id below it is settled. Guarded by {@code this}. */
    private long floor;
    /** Settled ids above the floor, ascending. Guarded by {@code this}. */
    private final NavigableSet<Long> above = new TreeSet<>();
    /** Unreadable ranges above the floor, first id → last id ({@link #settleUnreadable}). Guarded by {@code this}. */
    private final NavigableMap<Long, Long> unreadable = new TreeMap<>();

    private AckCheckpoint(Path dir, FileOpener opener) {
        this.dir = dir;
        this.file = new CheckpointFile(dir.resolve(FILE), KIND, VERSION, opener);
    }

    /**
     * Loads the checkpoint in {@code dir}, or starts empty if there is none.
     *
     * @throws StorageException if the file exists but is not a valid checkpoint (foreign, torn, corrupt,
     *                          impossible count); the message names the file
     */
    public static AckCheckpoint load(Path dir, FileOpener opener) throws IOException {
        AckCheckpoint checkpoint = new AckCheckpoint(dir, opener);
        Optional<CheckpointFile.Content> content = checkpoint.file.read();
        if (content.isPresent()) {
            checkpoint.decode(content.get().payload());
        }
        return checkpoint;
    }

    private void decode(ByteBuffer in) throws StorageException {
        if (in.remaining() < 8 + 4) {
            throw new StorageException(file.file(), "an ack checkpoint of " + in.remaining() + " bytes has no floor");
        }
        floor = in.getLong();
        int count = in.getInt();
        if (count < 0 || in.remaining() != (long) count * 8) {
            throw new StorageException(file.file(), "count " + count + " does not match the " + in.remaining()
                + " bytes of ids that follow");
        }
        long previous = floor;
        for (int i = 0; i < count; i++) {
            long id = in.getLong();
            if (id <= previous) {
                throw new StorageException(file.file(), "id " + id + " does not follow " + previous
                    + ": the ids above the floor must ascend");
            }
            above.add(id);
            previous = id;
        }
    }

    /** Records that message {@code id} is settled, and moves the floor as far as that allows. */
    public synchronized void settle(long id) {
        settleLocked(id);
        passUnreadable();
    }

    /**
     * Records that message {@code id} is settled; called with the lock held. If {@code id} is the floor, the
     * floor moves up past it and past every settled id that follows without a gap (and those leave
     * {@link #above}); if it is above the floor, remember it in {@link #above}; below the floor it is already
     * settled.
     */
    private void settleLocked(long id) {
        // BEGIN EXERCISE 6.6
        if (id < floor) {
            return;
        }
        above.add(id);
        while (above.remove(floor)) {
            floor++;
        }
        // END EXERCISE 6.6
    }

    /**
     * Counts messages {@code from} to {@code to} as settled once the floor reaches them: their records were
     * damaged on disk and can never be delivered (the log reports them), so they must not hold the floor
     * back for ever — that would keep every later ack in {@link #above} and every segment on disk. Not
     * written to the checkpoint: the log finds the same damage at each start, and the journal says so again.
     */
    public synchronized void settleUnreadable(long from, long to) {
        if (to >= from) {
            unreadable.merge(from, to, Math::max);
            passUnreadable();
        }
    }

    /** Moves the floor past the unreadable ranges it has reached (and past the settled ids after them). */
    private void passUnreadable() {
        for (Map.Entry<Long, Long> range = unreadable.firstEntry(); range != null && range.getKey() <= floor;
             range = unreadable.firstEntry()) {
            unreadable.pollFirstEntry();
            if (range.getValue() >= floor) {
                floor = range.getValue() + 1;
                above.headSet(floor).clear();
                while (above.remove(floor)) {
                    floor++;
                }
            }
        }
    }

    /** Whether message {@code id} is settled. */
    public synchronized boolean isSettled(long id) {
        return id < floor || above.contains(id);
    }

    /** Every id below it is settled. */
    public synchronized long floor() {
        return floor;
    }

    /** How many settled ids are kept above the floor. */
    public synchronized int aboveFloor() {
        return above.size();
    }

    /**
     * Writes the current state durably: a consistent snapshot encoded under the lock, then written outside
     * it through the {@link CheckpointFile} (exercise 6.2 is its {@code write}).
     */
    public void write() throws IOException {
        // The file's lock around snapshot and write: two writers each snapshot and write in turn, so the
        // later write is never the older state (an ack checkpoint that went back would redeliver messages
        // whose acks it had already made durable). Lock order: the file, then this; settle takes only this.
        synchronized (file) {
            ByteBuffer payload;
            synchronized (this) {
                payload = encode(floor, List.copyOf(above));
            }
            file.write(payload);
        }
    }

    /** The payload for this floor and these ids above it: the layout in the class comment. */
    static ByteBuffer encode(long floor, List<Long> above) {
        ByteBuffer out = ByteBuffer.allocate(8 + 4 + above.size() * 8);
        out.putLong(floor).putInt(above.size());
        above.forEach(out::putLong);
        return out.flip();
    }

    @Override
    public synchronized String toString() {
        return "AckCheckpoint[" + dir.resolve(FILE) + ", floor=" + floor + ", above=" + above.size() + "]";
    }
}

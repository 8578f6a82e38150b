package org.mqworkbook.storage.broker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32C;
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
 * <p>The file, written whole at each checkpoint:
 * <pre>
 *  ┌───────┬─────────────┬───────────────┬─────────────────────┬────────────┐
 *  │ magic │ floor int64 │ count int32   │ count × id int64    │ crc32c     │
 *  │ "ACK1"│             │               │ (ascending, > floor)│ of all before │
 *  └───────┴─────────────┴───────────────┴─────────────────────┴────────────┘
 * </pre>
 * Worked example: floor 4, above {5, 6, 9} is 4 + 8 + 4 + 3 × 8 + 4 = 44 bytes.
 *
 * <p>A checkpoint must never be half written: a crash while writing it must leave the previous one. So
 * it is written to a temporary file, forced, renamed over the old one (an atomic rename: a reader sees
 * the old file or the new, never a mix), and then the directory is forced so that the rename itself
 * survives a crash. This is the classic recipe (Kafka's checkpoint files, SQLite's journal, every
 * careful config-file writer).
 *
 * <p>Methods of this class are thread safe: they are synchronized. {@link #write()} encodes under the
 * lock and does its I/O outside it, so acks are not held up by the disk; two concurrent writes are
 * serialized by {@link #writeLock}.
 */
public final class AckCheckpoint {
    /** The checkpoint's file name in the queue's directory. */
    public static final String FILE = "acks.checkpoint";
    private static final int MAGIC = 0x41434B31; // "ACK1"

    private final Path dir;
    private final FileOpener opener;
    private final Object writeLock = new Object();

    /** Every id below it is settled. Guarded by {@code this}. */
    private long floor;
    /** Settled ids above the floor, ascending. Guarded by {@code this}. */
    private final NavigableSet<Long> above = new TreeSet<>();

    private AckCheckpoint(Path dir, FileOpener opener) {
        this.dir = dir;
        this.opener = opener;
    }

    /**
     * Loads the checkpoint in {@code dir}, or starts empty if there is none.
     *
     * @throws StorageException if the file exists but is not a valid checkpoint (wrong magic, bad
     *                          checksum, impossible count); the message names the file
     */
    public static AckCheckpoint load(Path dir, FileOpener opener) throws IOException {
        AckCheckpoint checkpoint = new AckCheckpoint(dir, opener);
        Path file = dir.resolve(FILE);
        if (Files.exists(file)) {
            checkpoint.decode(file, ByteBuffer.wrap(Files.readAllBytes(file)));
        }
        return checkpoint;
    }

    private void decode(Path file, ByteBuffer in) throws StorageException {
        if (in.remaining() < 4 + 8 + 4 + 4 || in.getInt(0) != MAGIC) {
            throw new StorageException(file, "not an ack checkpoint (" + in.remaining() + " bytes, no ACK1 magic)");
        }
        int end = in.limit() - 4;
        CRC32C crc = new CRC32C();
        crc.update(in.slice(0, end));
        if ((int) crc.getValue() != in.getInt(end)) {
            throw new StorageException(file, "checksum mismatch: the checkpoint is corrupt");
        }
        in.position(4);
        floor = in.getLong();
        int count = in.getInt();
        if (count < 0 || count != (end - in.position()) / 8 || (end - in.position()) % 8 != 0) {
            throw new StorageException(file, "count " + count + " does not match the file's size");
        }
        for (int i = 0; i < count; i++) {
            above.add(in.getLong());
        }
    }

    /**
     * Records that message {@code id} is settled. If {@code id} is the floor, the floor moves up past it
     * and past every settled id that follows without a gap (and those leave {@link #above}); if it is
     * above the floor, remember it in {@link #above}; below the floor it is already settled.
     */
    public synchronized void settle(long id) {
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
     * Writes the current state durably: encode it (under the lock: a consistent snapshot), then, outside
     * the lock, write {@code acks.checkpoint.tmp} through the {@link #opener} (replacing any old one),
     * force it, rename it over {@link #FILE} atomically, and force the directory.
     */
    public void write() throws IOException {
        // BEGIN EXERCISE 6.6
        ByteBuffer bytes;
        synchronized (this) {
            bytes = encode(floor, List.copyOf(above));
        }
        synchronized (writeLock) {
            Path tmp = dir.resolve(FILE + ".tmp");
            try (FileChannel channel = opener.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))) {
                long at = 0;
                while (bytes.hasRemaining()) {
                    at += channel.write(bytes, at);
                }
                channel.force(true);
            }
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel directory = opener.open(dir, Set.of(StandardOpenOption.READ))) {
                directory.force(true);
            }
        }
        // END EXERCISE 6.6
    }

    /** The file's bytes for this floor and these ids above it: the layout in the class comment. */
    static ByteBuffer encode(long floor, List<Long> above) {
        ByteBuffer out = ByteBuffer.allocate(4 + 8 + 4 + above.size() * 8 + 4);
        out.putInt(MAGIC).putLong(floor).putInt(above.size());
        above.forEach(out::putLong);
        CRC32C crc = new CRC32C();
        crc.update(out.slice(0, out.position()));
        out.putInt((int) crc.getValue());
        return out.flip();
    }

    @Override
    public synchronized String toString() {
        return "AckCheckpoint[" + dir.resolve(FILE) + ", floor=" + floor + ", above=" + above.size() + "]";
    }
}

package org.mqworkbook.testkit.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A {@link FileChannel} on a real file that tells its {@link CrashSimulator} about every write,
 * truncation and force, so that a simulated power failure can take back what was not forced. Methods
 * of this class are thread safe, as a {@code FileChannel}'s are: a mutating operation holds the
 * simulator's lock for the real write and its bookkeeping together, so that the operation numbers, the
 * durable images and the real files agree; reads go straight to the real channel, which is itself safe
 * for concurrent use.
 *
 * <p>The storage code sees an ordinary {@code FileChannel}: positions, sizes, append mode, holes past
 * the end, scattering and gathering, transfers and locks behave as the real channel's do, because the
 * real channel does them. What differs:
 *
 * <ul>
 *   <li>{@code write}, {@code truncate}, {@code force} and {@code transferFrom} are each one numbered
 *       operation, which the crash point can make fail (see {@link CrashSimulator});
 *   <li>{@code force} makes the file's current content its durable image; it does not call the real
 *       {@code force} (the simulator, not the real disk, decides what survives);
 *   <li>once the power has failed, every method but {@code close} throws {@link SimulatedCrash};
 *   <li>{@code map} throws {@code UnsupportedOperationException}: writes through a mapping would
 *       bypass the simulator.
 * </ul>
 *
 * <p>Only a {@link CrashSimulator} makes these, through {@link CrashSimulator#open}.
 */
public final class CrashableFileChannel extends FileChannel {

    /** How much of a source channel {@link #transferFrom} reads at a time. */
    private static final int TRANSFER_CHUNK = 64 * 1024;

    private final CrashSimulator disk;
    private final TrackedFile file;
    private final FileChannel real;
    /** Opened with APPEND: every write lands at the end of the file, whatever position it names. */
    private final boolean append;
    /** Opened with SYNC or DSYNC: every write and truncation is durable when it returns. */
    private final boolean sync;

    CrashableFileChannel(CrashSimulator disk, TrackedFile file, FileChannel real, boolean append, boolean sync) {
        this.disk = disk;
        this.file = file;
        this.real = real;
        this.append = append;
        this.sync = sync;
    }

    // ---- mutating operations: each holds the simulator's lock and is numbered ----

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        synchronized (disk.lock()) {
            ensureUsable(() -> "write");
            disk.checkSpace(file.path());
            long position = append ? real.size() : real.position();
            disk.beginMutation(() -> describeWrite(src.remaining(), position));
            ByteBuffer data = src.duplicate();
            int written = real.write(src);
            recordWritten(position, data, written);
            return written;
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        synchronized (disk.lock()) {
            ensureUsable(() -> "write");
            disk.checkSpace(file.path());
            long position = append ? real.size() : real.position();
            ByteBuffer[] data = new ByteBuffer[length];
            long remaining = 0;
            for (int i = 0; i < length; i++) {
                data[i] = srcs[offset + i].duplicate();
                remaining += data[i].remaining();
            }
            long total = remaining;
            disk.beginMutation(() -> describeWrite(total, position));
            long written = real.write(srcs, offset, length);
            byte[] bytes = new byte[Math.toIntExact(written)];
            int filled = 0;
            for (ByteBuffer buffer : data) {
                int count = Math.min(buffer.remaining(), bytes.length - filled);
                buffer.get(bytes, filled, count);
                filled += count;
            }
            recordBytes(position, bytes);
            return written;
        }
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        Objects.requireNonNull(src, "src");
        if (position < 0) {
            throw new IllegalArgumentException("Negative position " + position + " for a write to " + file.path());
        }
        synchronized (disk.lock()) {
            ensureUsable(() -> "write");
            disk.checkSpace(file.path());
            long landsAt = landingPosition(position);
            disk.beginMutation(() -> describeWrite(src.remaining(), landsAt));
            ByteBuffer data = src.duplicate();
            int written = real.write(src, position);
            recordWritten(landsAt, data, written);
            return written;
        }
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        Objects.requireNonNull(src, "src");
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException("Negative position " + position + " or count " + count
                + " for a transfer to " + file.path());
        }
        synchronized (disk.lock()) {
            ensureUsable(() -> "transferFrom");
            disk.checkSpace(file.path());
            disk.beginMutation(() -> "transfer of up to " + count + " bytes to position " + position + " of "
                + file.path());
            if (position > real.size()) {
                return 0; // as FileChannel.transferFrom specifies
            }
            // Through write, not the real transferFrom, so that the bytes are seen and recorded.
            ByteBuffer bytes = readUpTo(src, count);
            long landsAt = landingPosition(position);
            ByteBuffer data = bytes.duplicate();
            int written = 0;
            while (bytes.hasRemaining()) {
                written += real.write(bytes, position + written);
            }
            recordWritten(landsAt, data, written);
            return written;
        }
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        if (size < 0) {
            throw new IllegalArgumentException("Negative size " + size + " for a truncation of " + file.path());
        }
        synchronized (disk.lock()) {
            ensureUsable(() -> "truncate");
            disk.beginMutation(() -> "truncation to " + size + " bytes of " + file.path());
            long before = real.size();
            real.truncate(size);
            if (size < before) {
                file.recordTruncate(size);
                if (sync) {
                    file.force();
                }
            }
            return this;
        }
    }

    @Override
    public void force(boolean metaData) throws IOException {
        synchronized (disk.lock()) {
            ensureUsable(() -> "force");
            disk.beginMutation(() -> "force of " + file.path());
            // No real force: the durable image is the disk that a crash keeps (see CrashSimulator).
            file.force();
        }
    }

    // ---- everything else goes straight to the real channel once the power check has passed ----

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureUsable(() -> "read");
        return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        ensureUsable(() -> "read");
        return real.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        ensureUsable(() -> "read");
        return real.read(dst, position);
    }

    @Override
    public long position() throws IOException {
        ensureUsable(() -> "position()");
        return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        ensureUsable(() -> "position(" + newPosition + ")");
        real.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        ensureUsable(() -> "size()");
        return real.size();
    }

    /**
     * Transfers bytes of this file to {@code target}. Not a mutating operation of this file; if the
     * target is a channel of a crash simulator, the writes it receives are that channel's operations.
     */
    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        ensureUsable(() -> "transferTo");
        return real.transferTo(position, count, target);
    }

    /**
     * Refused: a write through a mapping reaches the file without {@code write} or {@code force}, so the
     * simulator could neither record it nor decide whether a crash keeps it.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) {
        throw new UnsupportedOperationException("A CrashableFileChannel cannot map " + file.path()
            + ": writes through a memory mapping bypass write() and force(), so the crash simulator could not"
            + " see them. Chapter 6's storage uses write() and force(); mmap comes in chapter 17.");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        ensureUsable(() -> "lock");
        return new ForwardingLock(this, real.lock(position, size, shared));
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        ensureUsable(() -> "tryLock");
        FileLock lock = real.tryLock(position, size, shared);
        return lock == null ? null : new ForwardingLock(this, lock);
    }

    /**
     * Closes the real channel. Never throws {@link SimulatedCrash}: storage code closes channels in
     * {@code finally} blocks, and a close that threw would replace the crash that is unwinding them.
     * Closing forces nothing, as on a real disk.
     */
    @Override
    protected void implCloseChannel() throws IOException {
        real.close();
    }

    @Override
    public String toString() {
        return "CrashableFileChannel[" + file.path() + (append ? ", append" : "") + (sync ? ", sync" : "") + "]";
    }

    private void ensureUsable(Supplier<String> what) throws ClosedChannelException {
        disk.checkPower(() -> what.get() + " of " + file.path());
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    /**
     * Where a write at {@code position} lands. In append mode the file's end, whatever the position
     * says: that is what Linux does with {@code pwrite} on a file opened with {@code O_APPEND}, which is
     * how the real channel writes.
     */
    private long landingPosition(long position) throws IOException {
        return append ? real.size() : position;
    }

    private String describeWrite(long bytes, long position) {
        return "write of " + bytes + " bytes at position " + position + " of " + file.path();
    }

    /** Records the first {@code written} bytes of {@code data} as written at {@code position}. */
    private void recordWritten(long position, ByteBuffer data, int written) {
        if (written <= 0) {
            return;
        }
        byte[] bytes = new byte[written];
        data.get(bytes);
        recordBytes(position, bytes);
    }

    private void recordBytes(long position, byte[] bytes) {
        file.recordWrite(position, bytes);
        if (sync) {
            file.force();
        }
    }

    /** Reads from {@code src} until {@code count} bytes, its end, or (non-blocking) nothing available. */
    private static ByteBuffer readUpTo(ReadableByteChannel src, long count) throws IOException {
        ByteArrayOutputStream collected = new ByteArrayOutputStream();
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(count, TRANSFER_CHUNK));
        long remaining = count;
        while (remaining > 0) {
            chunk.clear().limit((int) Math.min(remaining, chunk.capacity()));
            int read = src.read(chunk);
            if (read <= 0) {
                break;
            }
            collected.write(chunk.array(), 0, read);
            remaining -= read;
        }
        return ByteBuffer.wrap(collected.toByteArray());
    }

    /** A lock on the real file that names this channel, not the real one, as its channel. */
    private static final class ForwardingLock extends FileLock {

        private final FileLock real;

        ForwardingLock(FileChannel channel, FileLock real) {
            super(channel, real.position(), real.size(), real.isShared());
            this.real = real;
        }

        @Override
        public boolean isValid() {
            return real.isValid();
        }

        @Override
        public void release() throws IOException {
            real.release();
        }
    }
}

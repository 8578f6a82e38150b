package org.mqworkbook.testkit.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens real files whose channels write only a few bytes per call, as {@link FileChannel#write} is
 * allowed to: "this method may write fewer bytes than requested" is in its contract, and a network
 * file system, a signal, or a full pipe makes it happen. Code that writes a buffer with one call and
 * ignores the count returned then leaves a hole or a half-written record. Pass {@code shortWrites::open}
 * wherever a {@code FileOpener} goes.
 *
 * <pre>
 * ShortWrites disk = new ShortWrites(seed, 7);        // every write takes 1..7 bytes
 * LogSegment segment = LogSegment.open(dir, 0, config, disk::open);
 * </pre>
 *
 * <p>How many bytes each write takes comes from a seeded {@link Random}: the same seed, the same
 * sequence. Methods of this class are thread safe (the random source is synchronised, the counter
 * atomic).
 */
public final class ShortWrites {
    private final long seed;
    private final int maxBytesPerWrite;
    private final Random random;
    private final AtomicLong shortened = new AtomicLong();

    /**
     * @param seed             seeds how many bytes each write takes
     * @param maxBytesPerWrite each write takes between 1 and this many bytes
     */
    public ShortWrites(long seed, int maxBytesPerWrite) {
        if (maxBytesPerWrite < 1) {
            throw new IllegalArgumentException("maxBytesPerWrite must be at least 1, was " + maxBytesPerWrite);
        }
        this.seed = seed;
        this.maxBytesPerWrite = maxBytesPerWrite;
        this.random = new Random(seed);
    }

    /** Opens {@code path} for real; the channel's writes are short. Same signature as {@code FileOpener}. */
    public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
        return new Channel(FileChannel.open(path, options));
    }

    public long seed() {
        return seed;
    }

    /** How many writes so far wrote fewer bytes than they were given: a test that expects short writes checks it. */
    public long shortenedWrites() {
        return shortened.get();
    }

    private int nextLimit(int remaining) {
        int limit;
        synchronized (random) {
            limit = 1 + random.nextInt(maxBytesPerWrite);
        }
        if (limit < remaining) {
            shortened.incrementAndGet();
            return limit;
        }
        return remaining;
    }

    private final class Channel extends ForwardingFileChannel {
        Channel(FileChannel real) {
            super(real);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (!src.hasRemaining()) {
                return delegate().write(src);
            }
            ByteBuffer part = src.slice().limit(nextLimit(src.remaining()));
            int written = delegate().write(part);
            src.position(src.position() + written);
            return written;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            if (!src.hasRemaining()) {
                return delegate().write(src, position);
            }
            ByteBuffer part = src.slice().limit(nextLimit(src.remaining()));
            int written = delegate().write(part, position);
            src.position(src.position() + written);
            return written;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            for (int i = offset; i < offset + length; i++) {
                if (srcs[i].hasRemaining()) {
                    return write(srcs[i]); // at most part of the first buffer with bytes left
                }
            }
            return 0;
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            if (count <= 0) {
                return delegate().transferFrom(src, position, count);
            }
            return delegate().transferFrom(src, position, nextLimit((int) Math.min(count, Integer.MAX_VALUE)));
        }
    }
}

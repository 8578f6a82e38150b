package org.mqworkbook.testkit.storage;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The content of a file held in memory, with the two ways a file changes: a write at a position and a
 * truncation. This class is not thread safe; the {@link CrashSimulator}'s lock guards every instance.
 *
 * <p>Writing past the end leaves a hole of zero bytes between the old end and the write, as a real file
 * does. The array grows by doubling, so a file built by many small appends costs O(total bytes), not
 * O(n²).
 */
final class FileImage {

    /** The largest array the JVM reliably allocates: the simulator keeps files in memory, up to this. */
    private static final int MAX_LENGTH = Integer.MAX_VALUE - 8;
    private static final int INITIAL_CAPACITY = 256;

    /** Bytes 0 to length - 1 are the file; bytes from length on are stale and never read. */
    private byte[] bytes;
    private int length;

    private FileImage(byte[] bytes, int length) {
        this.bytes = bytes;
        this.length = length;
    }

    /** An empty file. */
    static FileImage empty() {
        return new FileImage(new byte[0], 0);
    }

    /** A file with this content; the array becomes the image's, the caller must not change it. */
    static FileImage of(byte[] content) {
        return new FileImage(content, content.length);
    }

    /** The file's length in bytes. */
    int length() {
        return length;
    }

    /** A copy that changes independently of this image. */
    FileImage copy() {
        return new FileImage(Arrays.copyOf(bytes, length), length);
    }

    /** The file's bytes, as a buffer ready to be read from; it shares this image's array. */
    ByteBuffer content() {
        return ByteBuffer.wrap(bytes, 0, length).asReadOnlyBuffer();
    }

    /**
     * Writes {@code count} bytes of {@code source}, starting at {@code offset}, at {@code position} of
     * the file. A write of no bytes changes nothing, not even past the end.
     */
    void write(long position, byte[] source, int offset, int count) {
        if (count == 0) {
            return;
        }
        long end = position + count;
        if (position < 0 || end > MAX_LENGTH) {
            throw new IllegalArgumentException("A write of " + count + " bytes at position " + position
                + " does not fit in the simulator's in-memory files (at most " + MAX_LENGTH + " bytes)");
        }
        int newEnd = (int) end;
        ensureCapacity(newEnd);
        if (position > length) {
            // The bytes between the old end and the write are a hole; the array may hold stale bytes of
            // a truncated tail there, and a hole reads as zeros.
            Arrays.fill(bytes, length, (int) position, (byte) 0);
        }
        System.arraycopy(source, offset, bytes, (int) position, count);
        length = Math.max(length, newEnd);
    }

    /** Cuts the file to {@code size} bytes; a size at or past the end changes nothing. */
    void truncate(long size) {
        if (size < length) {
            length = (int) size;
        }
    }

    private void ensureCapacity(int needed) {
        if (needed <= bytes.length) {
            return;
        }
        long doubled = Math.max(INITIAL_CAPACITY, 2L * bytes.length);
        bytes = Arrays.copyOf(bytes, (int) Math.min(MAX_LENGTH, Math.max(doubled, needed)));
    }
}

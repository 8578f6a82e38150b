package org.mqworkbook.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads a segment file record by record, through a buffer, from a start position to an end position.
 * Used by reads and by recovery; it only reads and classifies, it decides nothing.
 *
 * <p>Why a buffer: one small positional read per record would make recovering a 1 GiB log take a
 * system call per record. The buffer holds at least one whole record (up to the maximum record size).
 *
 * <p>Not thread-safe: one reader, one scanner.
 */
final class RecordScanner {
    private static final int CHUNK_BYTES = 256 * 1024;

    private final FileChannel channel;
    private final long end;
    private final int maxRecordBytes;
    private ByteBuffer buffer;
    /** The file position of {@code buffer}'s first byte. */
    private long bufferStart;

    RecordScanner(FileChannel channel, long start, long end, int maxRecordBytes) {
        this.channel = channel;
        this.end = end;
        this.maxRecordBytes = maxRecordBytes;
        this.buffer = ByteBuffer.allocate(0);
        this.bufferStart = start;
    }

    /** The file position of the next record. */
    long position() {
        return bufferStart + buffer.position();
    }

    /** Whether the end position has been reached. */
    boolean atEnd() {
        return position() >= end;
    }

    /**
     * Reads the next record. On {@link RecordRead.Valid} the scanner moves past it; otherwise it stays,
     * and {@link #position()} is where the invalid bytes start. {@link RecordRead.Incomplete} means the
     * file (up to the end position) ends inside the record.
     */
    RecordRead next() throws IOException {
        RecordRead read = RecordFormat.read(buffer, maxRecordBytes);
        if (read instanceof RecordRead.Incomplete incomplete) {
            long from = position();
            int wanted = (int) Math.min(Math.max(CHUNK_BYTES, incomplete.needed()), end - from);
            if (wanted > buffer.remaining()) { // the file holds more than the buffer: refill and retry
                refill(from, wanted);
                read = RecordFormat.read(buffer, maxRecordBytes);
            }
        }
        return read;
    }

    private void refill(long from, int bytes) throws IOException {
        if (buffer.capacity() < bytes) {
            buffer = ByteBuffer.allocate(bytes);
        }
        buffer.clear().limit(bytes);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, from + buffer.position()) < 0) {
                break;
            }
        }
        buffer.flip();
        bufferStart = from;
    }
}

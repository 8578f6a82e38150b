package org.mqworkbook.storage.museum;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.zip.CRC32C;
import org.mqworkbook.storage.FileOpener;

/**
 * A one-file log of strings with an offset index beside it ({@code tiny.index}: one 12-byte entry,
 * offset and position, appended per record) — small enough to read in a minute. Its switch,
 * {@code rebuildIndexOnRecovery}, is exhibit 3: without it, recovery trusts the index it finds.
 *
 * <p>Index entries are forced at once, records a few at a time (a plausible design: "the index is
 * small, sync it first"). So after a crash the index can describe records the log lost. A recovery that rebuilds the
 * index from the records it kept is immune; one that trusts the index keeps entries for records that no
 * longer exist, the next appends add entries after them, and lookups land in the wrong place.
 *
 * <p>Not thread-safe.
 */
final class IndexedTinyLog implements Closeable {
    private static final int HEADER = 8;
    private static final int ENTRY = 12;

    private final FileChannel log;
    private final FileChannel index;
    private long logEnd;
    private long indexEnd;
    private long nextOffset;

    IndexedTinyLog(Path dir, FileOpener opener, boolean rebuildIndexOnRecovery) throws IOException {
        Set<StandardOpenOption> rw = Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        log = opener.open(dir.resolve("tiny.log"), rw);
        index = opener.open(dir.resolve("tiny.index"), rw);
        // recover the log: keep the records whose checksum holds
        for (byte[] value = readAt(0); value != null; value = readAt(logEnd)) {
            logEnd += HEADER + value.length;
            nextOffset++;
        }
        log.truncate(logEnd);
        if (rebuildIndexOnRecovery) {
            index.truncate(0);
            long position = 0;
            for (long offset = 0; offset < nextOffset; offset++) {
                writeEntry(offset, position);
                position += HEADER + readAt(position).length;
            }
        } else {
            indexEnd = index.size() / ENTRY * ENTRY; // trusted as it is
        }
    }

    /** Appends a value: its index entry (forced at once — "the index is small"), then the record. */
    void append(String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        writeEntry(nextOffset, logEnd);
        index.force(false); // the index first...
        ByteBuffer record = ByteBuffer.allocate(HEADER + bytes.length);
        record.putInt(bytes.length).putInt(crc(bytes)).put(bytes).flip();
        while (record.hasRemaining()) {
            logEnd += log.write(record, logEnd);
        }
        nextOffset++;
    }

    /** Forces the records (several at a time, as group commit does): only now are they acknowledged. */
    void sync() throws IOException {
        log.force(false);
    }

    /** The value at {@code offset}, found through the index (the first entry with that offset). */
    String read(long offset) throws IOException {
        for (long at = 0; at < indexEnd; at += ENTRY) {
            ByteBuffer entry = ByteBuffer.allocate(ENTRY);
            index.read(entry, at);
            if (entry.getLong(0) == offset) {
                byte[] value = readAt(entry.getInt(8));
                return value == null ? null : new String(value, StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    long nextOffset() {
        return nextOffset;
    }

    private void writeEntry(long offset, long position) throws IOException {
        ByteBuffer entry = ByteBuffer.allocate(ENTRY).putLong(offset).putInt((int) position).flip();
        while (entry.hasRemaining()) {
            indexEnd += index.write(entry, indexEnd);
        }
    }

    private byte[] readAt(long position) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        if (position < 0 || log.read(header, position) < HEADER) {
            return null;
        }
        int length = header.getInt(0);
        if (length < 0 || length > 1 << 16 || position + HEADER + length > log.size()) {
            return null;
        }
        ByteBuffer value = ByteBuffer.allocate(length);
        log.read(value, position + HEADER);
        return header.getInt(4) == crc(value.array()) ? value.array() : null;
    }

    private static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    @Override
    public void close() throws IOException {
        try {
            log.close();
        } finally {
            index.close();
        }
    }
}

package org.mqworkbook.storage.museum;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;
import org.mqworkbook.storage.FileOpener;

/**
 * A one-file log of strings, small enough to read in a minute, with two switches that turn it into
 * museum exhibits: {@code checksums} (without them a torn write is read back as data) and
 * {@code fsyncBeforeAck} (without it a record is acknowledged before it is on disk). With both on it is
 * correct, and the museum test shows that the crash sweep finds nothing wrong with it — the sweep is
 * fair; it is the switches that break things.
 *
 * <p>Layout: {@code [length int32][crc32c int32][UTF-8 bytes]} per record; with checksums off the crc
 * field is written as 0 and never checked.
 *
 * <p>Not thread-safe.
 */
class TinyLog implements Closeable {
    private static final int HEADER = 8;
    private static final int MAX_RECORD = 1 << 16;

    private final FileChannel channel;
    private final boolean checksums;
    private final boolean fsyncBeforeAck;
    private long end;

    TinyLog(Path dir, FileOpener opener, boolean checksums, boolean fsyncBeforeAck) throws IOException {
        this.channel = opener.open(dir.resolve("tiny.log"),
            Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE));
        this.checksums = checksums;
        this.fsyncBeforeAck = fsyncBeforeAck;
        this.end = recoverEnd();
    }

    /** Appends a value and returns once it is acknowledged (durable, if this log is honest). */
    void appendAndAcknowledge(String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        ByteBuffer record = ByteBuffer.allocate(HEADER + bytes.length);
        record.putInt(bytes.length).putInt(checksums ? crc(bytes) : 0).put(bytes).flip();
        while (record.hasRemaining()) {
            end += channel.write(record, end);
        }
        if (fsyncBeforeAck) {
            channel.force(false);
        }
    }

    /** Every record from the start, stopping at the first that does not check out. */
    List<String> readAll() throws IOException {
        List<String> values = new ArrayList<>();
        long position = 0;
        while (true) {
            byte[] value = readAt(position);
            if (value == null) {
                return values;
            }
            values.add(new String(value, StandardCharsets.UTF_8));
            position += HEADER + value.length;
        }
    }

    private long recoverEnd() throws IOException {
        long position = 0;
        for (byte[] value = readAt(0); value != null; value = readAt(position)) {
            position += HEADER + value.length;
        }
        channel.truncate(position);
        return position;
    }

    private byte[] readAt(long position) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        if (channel.read(header, position) < HEADER) {
            return null;
        }
        int length = header.getInt(0);
        if (length < 0 || length > MAX_RECORD || position + HEADER + length > channel.size()) {
            return null;
        }
        ByteBuffer value = ByteBuffer.allocate(length);
        channel.read(value, position + HEADER);
        if (checksums && header.getInt(4) != crc(value.array())) {
            return null;
        }
        return value.array();
    }

    private static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

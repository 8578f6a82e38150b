package org.mqworkbook.storage;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.mqworkbook.marker.ExerciseNotDone;

/**
 * The on-disk layout of one record (exercise 6.1, the book's 文件存储): a length prefix, a CRC-32C
 * checksum, then the content the checksum covers. All integers are big-endian.
 *
 * <pre>
 *  ┌────────┬────────┬────────────┬────────┬───────────┬────────┬─────┬──────────┬───────┬─────────────┬─────────┐
 *  │ length │ crc32c │ attributes │ offset │ timestamp │ keyLen │ key │ valueLen │ value │ headerCount │ headers │
 *  │ int32  │ uint32 │ int8       │ int64  │ int64     │ int32  │     │ int32    │       │ int32       │         │
 *  └────────┴────────┴────────────┴────────┴───────────┴────────┴─────┴──────────┴───────┴─────────────┴─────────┘
 *   length: the bytes after the length field (crc and everything after it)
 *   crc32c: CRC-32C (Castagnoli) of every byte after the crc field, from attributes to the end
 *   keyLen, valueLen: -1 for null
 *   each header: keyLen uint16, key UTF-8, valueLen int32 (-1 for null), value
 * </pre>
 *
 * <p>Worked example: {@code Record.of(5, 1000, "hi")} (offset 5, timestamp 1000, no key, value "hi",
 * no headers) is 39 bytes:
 * <pre>
 *  00 00 00 23                  length 35 = 4 + 1 + 8 + 8 + 4 + 4 + 2 + 4
 *  xx xx xx xx                  crc32c of the 31 bytes below
 *  00                           attributes: none
 *  00 00 00 00 00 00 00 05      offset 5
 *  00 00 00 00 00 00 03 E8      timestamp 1000
 *  FF FF FF FF                  key length -1: no key
 *  00 00 00 02 68 69            value length 2, "hi"
 *  00 00 00 00                  no headers
 * </pre>
 *
 * <p>Why a length prefix: a reader finds the next record without parsing this one, and a recovering
 * reader knows how many bytes a record claims before trusting any of them. Why a checksum: a crash
 * can leave a torn write (the first half of a record) and a disk can flip bits; without a checksum
 * the log would return garbage as data. CRC-32C rather than CRC-32 because CPUs compute it in hardware
 * (Kafka's record batches use CRC-32C since format v2; ext4 and iSCSI use it too).
 *
 * <p>Why the offset is inside the record: recovery can check that offsets follow each other, and a
 * record copied elsewhere still knows what it is. Kafka stores a base offset per batch instead.
 *
 * <p>This class is stateless and thread safe.
 */
public final class RecordFormat {
    /** Bytes of the length field. */
    public static final int LENGTH_BYTES = 4;
    /** Bytes of the checksum field. */
    public static final int CRC_BYTES = 4;
    /** The smallest possible value of the length field: crc, attributes, offset, timestamp, three lengths. */
    public static final int MIN_LENGTH = CRC_BYTES + 1 + 8 + 8 + 4 + 4 + 4;
    /** The only attributes this chapter writes. Chapter 17 uses bits for compression. */
    public static final byte NO_ATTRIBUTES = 0;

    private RecordFormat() {
    }

    /** How many bytes {@code record} takes on disk, length field included. */
    public static int sizeOf(Record record) {
        int size = LENGTH_BYTES + MIN_LENGTH + lengthOf(record.key()) + lengthOf(record.value());
        for (Header header : record.headers()) {
            size += 2 + header.key().getBytes(StandardCharsets.UTF_8).length + 4 + lengthOf(header.value());
        }
        return size;
    }

    /**
     * Writes {@code record} at {@code out}'s position, advancing it by {@link #sizeOf(Record)}.
     *
     * <p>Write the length first (the record's size minus the length field), then four bytes for the
     * crc, then the content; finally compute the CRC-32C of the content and put it in its place.
     *
     * @throws java.nio.BufferOverflowException if {@code out} has too little room; nothing is then promised
     *                                          about {@code out}'s content
     */
    public static void write(Record record, ByteBuffer out) {
        // BEGIN EXERCISE 6.1
        throw new ExerciseNotDone("6.1");
        // END EXERCISE 6.1
    }

    /**
     * Reads the record that starts at {@code in}'s position. On {@link RecordRead.Valid} the position
     * advances past it; otherwise it does not move.
     *
     * <p>Check in this order, and trust nothing before it is checked: enough bytes for the length
     * field; a length between {@link #MIN_LENGTH} and {@code maxRecordBytes} (a torn or corrupt length
     * can claim anything — never allocate what it claims); enough bytes for the whole record; the
     * checksum; the attributes; then every inner length must fit inside the record.
     *
     * @param maxRecordBytes the largest length field accepted
     */
    public static RecordRead read(ByteBuffer in, int maxRecordBytes) {
        // BEGIN EXERCISE 6.1
        throw new ExerciseNotDone("6.1");
        // END EXERCISE 6.1
    }

    /** CRC-32C of {@code buffer}'s bytes from {@code from} (inclusive) to {@code to} (exclusive). */
    static long crc(ByteBuffer buffer, int from, int to) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.slice(from, to - from));
        return crc.getValue();
    }

    private static int lengthOf(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    private static void putBytes(ByteBuffer out, byte[] bytes) {
        if (bytes == null) {
            out.putInt(-1);
        } else {
            out.putInt(bytes.length);
            out.put(bytes);
        }
    }

    /** Reads a length-prefixed byte array; -1 means null. A length beyond the buffer throws. */
    private static byte[] getBytes(ByteBuffer in) {
        int length = in.getInt();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("length " + length + " with " + in.remaining() + " bytes left");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }
}

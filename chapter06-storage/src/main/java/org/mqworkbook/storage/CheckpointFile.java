package org.mqworkbook.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32C;
import org.mqworkbook.marker.ExerciseNotDone;

/**
 * A small file that is always replaced whole and never seen half-written: a queue's acknowledgements, a
 * queue's declaration, a consumer group's committed offsets (exercise 6.2, the book's 顺序写与刷盘机制).
 * Every such file of the workbook goes through this class, so there is one recipe to get right, and one
 * the crash simulator checks.
 *
 * <p><b>The recipe.</b> Write the new content to {@code <name>.tmp} (through the {@link FileOpener}, so a
 * crash test can cut the power anywhere), force it, rename it over {@code <name>} atomically, and force the
 * directory. A reader then finds the old file or the new one, never a mix: a crash before the rename leaves
 * the old file (and a stray {@code .tmp} the next write replaces), a crash after it the new one. Each step
 * matters — without the first force, the rename can reach the disk before the bytes it names (a crash then
 * leaves an empty or torn file under the real name; ext4 users met this in 2009); without the directory
 * force, the rename itself may be lost. Kafka's checkpoint files ({@code CheckpointFile}, the
 * {@code recovery-point-offset-checkpoint}), SQLite's journal and every careful configuration writer do
 * the same.
 *
 * <p><b>The file</b>, so that a foreign, torn or corrupt file is recognised instead of misread:
 * <pre>
 *  ┌──────────────┬──────────────┬───────────────┬─────────────────┬────────────────────────┐
 *  │ kind 4 bytes │ version int16│ length int32  │ payload         │ crc32c int32 of all    │
 *  │ ASCII "ACKS" │ from 1       │ of the payload│ (length bytes)  │ the bytes before it    │
 *  └──────────────┴──────────────┴───────────────┴─────────────────┴────────────────────────┘
 * </pre>
 * Worked example: kind {@code "OFFS"}, version 1, the 3-byte payload {@code "a=1"}:
 * {@code 4F 46 46 53 | 00 01 | 00 00 00 03 | 61 3D 31 | crc} — 4 + 2 + 4 + 3 + 4 = 17 bytes.
 *
 * <p>Methods of this class are thread safe: {@link #write} is {@code synchronized}, since two writers would
 * share the temporary file; {@link #read} takes no lock (it reads whichever whole file the last rename left).
 */
public final class CheckpointFile {
    /** Bytes before the payload: kind, version, length. */
    public static final int HEADER_BYTES = 4 + 2 + 4;
    /** Bytes after the payload: the checksum. */
    public static final int TRAILER_BYTES = 4;
    /** The largest file {@link #read} loads: a checkpoint is small, and a huge file is not one of ours. */
    public static final int MAX_FILE_BYTES = 64 << 20;

    private final Path file;
    private final String kind;
    private final int version;
    private final FileOpener opener;

    /**
     * The checkpoint at {@code file}, holding content of {@code kind} (four ASCII letters) in format
     * {@code version}. Nothing is read or written yet.
     */
    public CheckpointFile(Path file, String kind, int version, FileOpener opener) {
        this.file = Objects.requireNonNull(file, "file");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.opener = Objects.requireNonNull(opener, "opener");
        if (kind.length() != 4 || !StandardCharsets.US_ASCII.newEncoder().canEncode(kind)) {
            throw new IllegalArgumentException("a checkpoint kind is four ASCII characters, not '" + kind + "'");
        }
        if (version < 1 || version > Short.MAX_VALUE) {
            throw new IllegalArgumentException("a checkpoint version is 1 to " + Short.MAX_VALUE + ", not " + version);
        }
        this.version = version;
    }

    public Path file() {
        return file;
    }

    /** The temporary file a write goes through: {@code <name>.tmp} beside the checkpoint. */
    public Path temporaryFile() {
        return file.resolveSibling(file.getFileName() + ".tmp");
    }

    /**
     * What the checkpoint holds: its payload and the version it was written in, or empty if there is no
     * checkpoint yet.
     *
     * @throws StorageException naming the file and what is wrong if it is not a whole checkpoint of this
     *                          kind: too short or too long for its length field (torn, or foreign), another
     *                          kind, a version newer than this code reads, or a checksum that does not match
     */
    public Optional<Content> read() throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (size > MAX_FILE_BYTES) {
            throw new StorageException(file, "is " + size + " bytes, more than any " + kind + " checkpoint ("
                + MAX_FILE_BYTES + "): not a checkpoint of ours");
        }
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
        if (in.remaining() < HEADER_BYTES + TRAILER_BYTES) {
            throw new StorageException(file, "is " + in.remaining() + " bytes, shorter than any checkpoint ("
                + (HEADER_BYTES + TRAILER_BYTES) + "): torn or foreign");
        }
        byte[] kindBytes = new byte[4];
        in.get(kindBytes);
        String found = new String(kindBytes, StandardCharsets.ISO_8859_1);
        if (!found.equals(kind)) {
            throw new StorageException(file, "holds a checkpoint of kind '" + printable(found) + "', not '" + kind
                + "': a foreign file");
        }
        int foundVersion = in.getShort();
        int length = in.getInt();
        if (length < 0 || length != in.remaining() - TRAILER_BYTES) {
            throw new StorageException(file, "says its payload is " + length + " bytes, but " + (in.remaining()
                - TRAILER_BYTES) + " follow the header: a torn or corrupt checkpoint");
        }
        int end = HEADER_BYTES + length;
        CRC32C crc = new CRC32C();
        crc.update(in.array(), 0, end);
        if ((int) crc.getValue() != in.getInt(end)) {
            throw new StorageException(file, "checksum mismatch: the " + kind + " checkpoint is corrupt");
        }
        if (foundVersion < 1 || foundVersion > version) {
            throw new StorageException(file, "is a " + kind + " checkpoint of version " + foundVersion
                + ", and this code reads versions 1 to " + version);
        }
        return Optional.of(new Content(foundVersion, in.slice(HEADER_BYTES, length).asReadOnlyBuffer()));
    }

    /**
     * Replaces the checkpoint with {@code payload} (its remaining bytes), durably and atomically, by the
     * recipe of the class comment: open {@link #temporaryFile()} through the {@link #opener} with
     * {@code CREATE, WRITE, TRUNCATE_EXISTING} (an old one from a crash is overwritten), write
     * {@link #encode encode(payload)} (positional writes may write less than asked: loop), force it, close
     * it, {@link Files#move} it over {@link #file()} with {@code ATOMIC_MOVE} and {@code REPLACE_EXISTING},
     * then open the directory through the opener with {@code READ} and force it.
     */
    public synchronized void write(ByteBuffer payload) throws IOException {
        // BEGIN EXERCISE 6.2
        throw new ExerciseNotDone("6.2");
        // END EXERCISE 6.2
    }

    /** The whole file for {@code payload} (its remaining bytes, not consumed): the layout in the class comment. */
    public ByteBuffer encode(ByteBuffer payload) {
        ByteBuffer body = payload.duplicate();
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + body.remaining() + TRAILER_BYTES);
        out.put(kind.getBytes(StandardCharsets.US_ASCII)).putShort((short) version).putInt(body.remaining()).put(body);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.flip();
    }

    /** The kind as read, with anything unprintable shown as '?', so that an error message stays readable. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            out.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "CheckpointFile[" + file + ", " + kind + " v" + version + "]";
    }

    /**
     * A checkpoint's content as read.
     *
     * @param version the format version it was written in (1 to the reader's)
     * @param payload its bytes, read-only
     */
    public record Content(int version, ByteBuffer payload) {
    }
}

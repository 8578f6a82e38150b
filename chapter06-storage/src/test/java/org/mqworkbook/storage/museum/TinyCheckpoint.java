package org.mqworkbook.storage.museum;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import org.mqworkbook.storage.FileOpener;

/**
 * A checkpoint small enough to read in a minute — one decimal number in a file, replaced whole — and,
 * with {@code forceBeforeRename} off, exhibit 4: <b>the rename without the fsync</b>.
 *
 * <p>The honest version writes {@code value.tmp}, forces it, renames it over {@code value} and forces the
 * directory, like {@code CheckpointFile}. The exhibit skips the first force. It looks harmless — the
 * rename is atomic, so surely the file is either old or new — and it passes every test that does not pull
 * the plug. But the rename and the bytes are two different things to reach the disk: a file system may
 * write the new directory entry before the data blocks it points to, and after a power cut the real name
 * holds an empty or torn file. The old checkpoint is gone (the rename replaced it) and the new one never
 * arrived. This is what many applications met on ext4 in 2009, whose delayed allocation made the window
 * seconds wide; ext4 then added a heuristic for exactly this pattern, which is a kindness, not a promise.
 *
 * <p>Not thread-safe: one thread writes and reads.
 */
final class TinyCheckpoint {
    private final Path file;
    private final FileOpener opener;
    private final boolean forceBeforeRename;

    TinyCheckpoint(Path dir, FileOpener opener, boolean forceBeforeRename) {
        this.file = dir.resolve("value");
        this.opener = opener;
        this.forceBeforeRename = forceBeforeRename;
    }

    void write(long value) throws IOException {
        Path tmp = file.resolveSibling("value.tmp");
        try (FileChannel channel = opener.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))) {
            ByteBuffer bytes = ByteBuffer.wrap((value + "\n").getBytes(UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            if (forceBeforeRename) {
                channel.force(true);
            }
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directory = opener.open(file.getParent(), Set.of(StandardOpenOption.READ))) {
            directory.force(true);
        }
    }

    /** The value, or -1 if there is no checkpoint; an IOException for a file that holds no number. */
    long read() throws IOException {
        if (!Files.exists(file)) {
            return -1;
        }
        String text = Files.readString(file, UTF_8);
        if (!text.endsWith("\n")) {
            throw new IOException(file + " holds '" + text + "', not a whole checkpoint");
        }
        return Long.parseLong(text.strip());
    }
}

package org.mqworkbook.testkit.storage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

import org.mqworkbook.testkit.storage.CrashReport.Fate;
import org.mqworkbook.testkit.storage.CrashReport.FileOutcome;

/**
 * One file as the {@link CrashSimulator} sees it: its durable image (the content at its last force)
 * and the writes and truncations made since then, in the order they were made. This class is not
 * thread safe; only code holding the simulator's lock calls it.
 *
 * <p>The invariant: the real file on disk is the durable image with every unforced mutation applied.
 * A force applies them to the image and forgets them; a crash applies a prefix of them to a copy of the
 * image and writes that to disk. Both cost O(bytes written since the last force), plus one copy of the
 * image per crash, so a log forced after every record is not rebuilt from byte 0 at each force.
 *
 * <p>Why keep the writes rather than re-read the file at each force? Because a channel may be open for
 * writing only ({@code READ} and {@code APPEND} do not mix), and because the same list is exactly
 * what a torn crash needs: the bytes in the order they were issued.
 */
final class TrackedFile {

    /** Where the file is now: it follows a rename the simulator notices ({@link #movedTo}). */
    private Path path;
    /** The file system's identity for the file (inode), to notice a file replaced behind our back. */
    private final Object fileKey;
    private final FileImage durable;
    private final List<Mutation> unforced = new ArrayList<>();
    private long unforcedBytes;

    private TrackedFile(Path path, Object fileKey, FileImage durable) {
        this.path = path;
        this.fileKey = fileKey;
        this.durable = durable;
    }

    /** A file that the simulator created: nothing of it is durable yet. */
    static TrackedFile created(Path path, Object fileKey) {
        return new TrackedFile(path, fileKey, FileImage.empty());
    }

    /** A file that existed before the simulator first opened it: its content counts as durable. */
    static TrackedFile existing(Path path, Object fileKey, byte[] content) {
        return new TrackedFile(path, fileKey, FileImage.of(content));
    }

    Path path() {
        return path;
    }

    Object fileKey() {
        return fileKey;
    }

    /** The file was renamed to {@code newPath}: its durable image and unforced writes go with it. */
    void movedTo(Path newPath) {
        path = newPath;
    }

    /** The length the real file has now: the durable image with every unforced mutation applied. */
    long currentLength() {
        FileImage image = durable.copy();
        for (Mutation mutation : unforced) {
            apply(mutation, image);
        }
        return image.length();
    }

    /** Records that {@code bytes} were written at {@code position}; the array becomes this file's. */
    void recordWrite(long position, byte[] bytes) {
        if (bytes.length > 0) {
            unforced.add(new Write(position, bytes));
            unforcedBytes += bytes.length;
        }
    }

    /** Records that the file was cut to {@code size} bytes. */
    void recordTruncate(long size) {
        unforced.add(new Truncate(size));
    }

    /** The file was forced: everything written so far is durable. */
    void force() {
        for (Mutation mutation : unforced) {
            apply(mutation, durable);
        }
        unforced.clear();
        unforcedBytes = 0;
    }

    /** The file is no longer at its path: the crash leaves it alone. */
    FileOutcome gone() {
        return new FileOutcome(path, Fate.GONE, durable.length(), unforced.size(), unforcedBytes, 0, 0, -1);
    }

    /**
     * What the file holds after a power failure. The random numbers are drawn in a fixed order (the
     * drop-or-tear choice, the cut, the garbage length, the garbage bytes) so that one seed always gives
     * one outcome.
     *
     * @return the outcome, and the content to write to disk, or {@code null} if the file on disk is
     *     already right (nothing was unforced)
     */
    Crashed crash(CrashMode mode, RandomGenerator random) {
        if (unforced.isEmpty()) {
            FileOutcome outcome = new FileOutcome(path, Fate.FORCED, durable.length(), 0, 0, 0, 0,
                durable.length());
            return new Crashed(outcome, null);
        }
        boolean tear = switch (mode) {
            case DROP -> false;
            case TEAR, TEAR_WITH_GARBAGE -> true;
            case DROP_OR_TEAR -> random.nextBoolean();
        };
        FileImage image = durable.copy();
        if (!tear) {
            return new Crashed(outcome(Fate.DROPPED, 0, 0, image), image);
        }
        boolean garbage = mode == CrashMode.TEAR_WITH_GARBAGE && unforcedBytes > 0;
        // With garbage the cut must fall inside a write, so that there is a torn sector to fill.
        long cut = garbage ? random.nextLong(unforcedBytes) : random.nextLong(unforcedBytes + 1);
        int garbageBytes = applyPrefix(image, cut, garbage ? random : null);
        return new Crashed(outcome(Fate.TORN, cut, garbageBytes, image), image);
    }

    /**
     * Applies the unforced mutations to {@code image} until {@code cut} bytes of writes have landed; the
     * write in which the cut falls lands in part and ends the prefix. Truncations before the cut, and
     * right at it, land.
     *
     * @param garbage where garbage comes from, or {@code null} for none
     * @return how many bytes of garbage follow the cut
     */
    private int applyPrefix(FileImage image, long cut, RandomGenerator garbage) {
        long budget = cut;
        for (Mutation mutation : unforced) {
            if (mutation instanceof Write write && write.bytes().length > budget) {
                int kept = (int) budget;
                image.write(write.position(), write.bytes(), 0, kept);
                if (garbage == null) {
                    return 0;
                }
                int length = 1 + garbage.nextInt(Math.min(CrashSimulator.MAX_GARBAGE_BYTES,
                    write.bytes().length - kept));
                byte[] junk = new byte[length];
                garbage.nextBytes(junk);
                image.write(write.position() + kept, junk, 0, length);
                return length;
            }
            apply(mutation, image);
            if (mutation instanceof Write whole) {
                budget -= whole.bytes().length;
            }
        }
        return 0;
    }

    private FileOutcome outcome(Fate fate, long keptBytes, int garbageBytes, FileImage image) {
        return new FileOutcome(path, fate, durable.length(), unforced.size(), unforcedBytes, keptBytes,
            garbageBytes, image.length());
    }

    private static void apply(Mutation mutation, FileImage image) {
        if (mutation instanceof Write write) {
            image.write(write.position(), write.bytes(), 0, write.bytes().length);
        } else if (mutation instanceof Truncate truncate) {
            image.truncate(truncate.size());
        } else {
            throw new AssertionError("Unknown mutation " + mutation);
        }
    }

    /** The outcome of a crash and the content it leaves, {@code null} if the file needs no rewrite. */
    record Crashed(FileOutcome outcome, FileImage content) {
    }

    /** A change to a file's content. */
    private sealed interface Mutation permits Write, Truncate {
    }

    /** {@code bytes} written at {@code position}. */
    private record Write(long position, byte[] bytes) implements Mutation {
    }

    /** The file cut to {@code size} bytes. */
    private record Truncate(long size) implements Mutation {
    }
}

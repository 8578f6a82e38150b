package org.mqworkbook.testkit.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link CrashSimulator#crash()} did to each file: how much of it was forced, how much was
 * written after the last force, and how much of that the crash kept. Instances are immutable and
 * thread safe.
 *
 * <p>{@link #toString()} is written for a failing test, for example:
 *
 * <pre>
 * crash of the disk with seed 42 (DROP_OR_TEAR): power lost at operation 7, after 6 completed operations
 *   interrupted: write of 12 bytes at position 40 of /t/0.log
 *   /t/0.index: forced 16 bytes; unforced 1 operation, 8 bytes; dropped; length now 16
 *   /t/0.log: forced 24 bytes; unforced 2 operations, 16 bytes; torn: kept 5 of 16 bytes; length now 29
 * </pre>
 *
 * @param seed the simulator's seed, which chose every drop, cut and garbage byte
 * @param mode what the crash did with unforced writes
 * @param completedOperations how many mutating operations (write, truncate, force) completed before the
 *     power failed
 * @param interruptedOperation the operation that the crash point interrupted, described; empty when
 *     {@code crash()} came between operations (the workload had finished, or never reached the point)
 * @param files every file opened through the simulator, in order of path
 */
public record CrashReport(long seed, CrashMode mode, long completedOperations,
    Optional<String> interruptedOperation, List<FileOutcome> files) {

    /** Copies the list. */
    public CrashReport {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(interruptedOperation, "interruptedOperation");
        files = List.copyOf(files);
    }

    /**
     * The outcome for one file.
     *
     * @param path the file, as an absolute path
     * @throws IllegalArgumentException if no file was opened through the simulator at that path
     */
    public FileOutcome file(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        for (FileOutcome file : files) {
            if (file.path().equals(absolute)) {
                return file;
            }
        }
        throw new IllegalArgumentException("No file was opened through the crash simulator at " + absolute
            + "; the files it knows are " + files.stream().map(FileOutcome::path).toList());
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("crash of the disk with seed ").append(seed)
            .append(" (").append(mode).append("): power lost ");
        if (interruptedOperation.isPresent()) {
            text.append("at operation ").append(completedOperations + 1).append(", ");
        }
        text.append("after ").append(completedOperations).append(" completed operation")
            .append(completedOperations == 1 ? "" : "s");
        interruptedOperation.ifPresent(what -> text.append("\n  interrupted: ").append(what));
        if (files.isEmpty()) {
            text.append("\n  no files were opened through the simulator");
        }
        for (FileOutcome file : files) {
            text.append("\n  ").append(file);
        }
        return text.toString();
    }

    /** What happened to a file's unforced writes. */
    public enum Fate {
        /** Nothing was written after the last force (or nothing at all): the file is as it was. */
        FORCED,
        /** Everything written since the last force is gone. */
        DROPPED,
        /** A prefix of what was written since the last force survived, cut at a byte. */
        TORN,
        /**
         * The file is no longer at its path (deleted, or renamed away after it was opened), so the crash
         * left alone whatever is there: the simulator does not model directory entries.
         */
        GONE
    }

    /**
     * One file after the crash.
     *
     * @param path the file, as an absolute path
     * @param fate what happened to its unforced writes
     * @param forcedLength the file's length at its last force: its durable length
     * @param unforcedOperations how many writes and truncations came after the last force
     * @param unforcedBytes how many bytes those writes held
     * @param keptBytes how many of the unforced bytes the crash kept (0 when dropped)
     * @param garbageBytes how many bytes after the cut hold garbage ({@link CrashMode#TEAR_WITH_GARBAGE})
     * @param lengthAfterCrash the file's length on disk after the crash; -1 for {@link Fate#GONE}
     */
    public record FileOutcome(Path path, Fate fate, long forcedLength, int unforcedOperations,
        long unforcedBytes, long keptBytes, int garbageBytes, long lengthAfterCrash) {

        /** Checks the path and the fate. */
        public FileOutcome {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(fate, "fate");
        }

        @Override
        public String toString() {
            String unforced = "unforced " + unforcedOperations
                + (unforcedOperations == 1 ? " operation, " : " operations, ") + unforcedBytes + " bytes";
            String what = switch (fate) {
                case FORCED -> "forced " + forcedLength + " bytes; nothing unforced";
                case DROPPED -> "forced " + forcedLength + " bytes; " + unforced + "; dropped";
                case TORN -> "forced " + forcedLength + " bytes; " + unforced + "; torn: kept " + keptBytes
                    + " of " + unforcedBytes + " bytes"
                    + (garbageBytes > 0 ? " then " + garbageBytes + " bytes of garbage" : "");
                case GONE -> "no longer at this path (deleted or renamed), left as it is";
            };
            return path + ": " + what + (fate == Fate.GONE ? "" : "; length now " + lengthAfterCrash);
        }
    }
}

package org.mqworkbook.testkit.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.mqworkbook.testkit.storage.CrashReport.FileOutcome;

/**
 * A disk that can lose power: it opens real files, hands out {@link CrashableFileChannel}s that record
 * every write, truncation and force, and on {@link #crash()} rewrites each file to what a power failure
 * could have left of it. Methods of this class, and of the channels it hands out, are thread safe: one
 * lock guards the simulator's state and is held for each mutating operation (the real write and its
 * bookkeeping together), so storage code may write from several threads, a group-commit flusher among
 * them. The lock is a plain monitor held across real file I/O; in a test that is cheap, and it makes
 * "operation 7" mean the same thing to the counter, the durable images and the files.
 *
 * <p>The storage code under test opens its files through a seam of the shape
 * {@code FileChannel open(Path, Set<? extends OpenOption>)}, whose real implementation is
 * {@code FileChannel::open}; a test gives it {@code disk::open} instead:
 *
 * <pre>{@code
 * CrashSimulator disk = new CrashSimulator(seed);
 * disk.crashAt(7);                                   // the 7th write, truncate or force fails
 * try (SegmentedLog log = SegmentedLog.open(dir, disk::open)) {
 *     for (...) { log.append(record); if (...) { log.flush(); acknowledged.add(record); } }
 * } catch (SimulatedCrash expected) {
 *     // the power failed at operation 7
 * }
 * CrashReport report = disk.crash();                 // the files are now what survived
 * try (SegmentedLog log = SegmentedLog.open(dir, FileChannel::open)) {   // recovery, on the real disk
 *     assertThat(log.readAll()).as(report.toString()).containsAll(acknowledged);
 * }
 * }</pre>
 *
 * <p>{@link CrashPoints#sweep} does this for every crash point of a workload in turn.
 *
 * <h2>The model</h2>
 *
 * <ul>
 *   <li>Each file has a <em>durable image</em>: its content at its last {@code force} on any channel of
 *       that file (an fsync covers the file, not the channel that asked for it). {@code force(false)}
 *       counts as {@code force(true)}: like {@code fdatasync}, it persists the length changes that
 *       reading the data needs, and this model tracks nothing else. A file opened with {@code SYNC} or
 *       {@code DSYNC} is forced after each of its writes and truncations.
 *   <li>Writes and truncations after the last force are <em>unforced</em>. They reach the real file at
 *       once, so the storage code reads them back as it would from a page cache, and the simulator keeps
 *       them in order. Overwrites are content like any other: an index page rewritten in place after a
 *       force is rolled back to the forced page by a crash that drops it.
 *   <li>{@link #crash()} turns the power off and rewrites each file to its durable image plus a prefix of
 *       its unforced writes that the seed and the {@link CrashMode} choose: none (dropped), or cut at a
 *       byte (torn), optionally with garbage after the cut. The {@link CrashReport} says what each file
 *       kept. After the crash, a fresh {@code FileChannel.open} reads exactly that state.
 *   <li>A file that already exists when the simulator first opens it counts as durable as it is, so a
 *       second simulator over the same directory crashes the recovery of the first.
 *   <li>{@code force} does not call the real {@code force}: the durable images are the disk that
 *       matters here, and a sweep of a few hundred crash points should not wait for a few thousand real
 *       fsyncs.
 * </ul>
 *
 * <h2>Operations and crash points</h2>
 *
 * <p>Every {@code write}, {@code truncate}, {@code force} and {@code transferFrom} on any channel of
 * this simulator is one mutating operation, numbered from 1 in the order they take the lock (a
 * {@code transferTo} into one of these channels counts as the writes it makes).
 * {@link #crashAt crashAt(k)} makes operation {@code k} throw {@link SimulatedCrash} instead of
 * happening; from then on the power is off and every operation on every channel throws
 * {@code SimulatedCrash} (closing does not: a {@code finally} that closes a channel must not hide the
 * crash). {@link #operations()} counts
 * the operations that happened, so a test runs its workload once without a crash point to learn
 * {@code N}, then once for each {@code k} in 1..N. Reads, {@code position} and {@code size} are not
 * operations: they change nothing a crash could lose.
 *
 * <p>One seed and one sequence of operations always give the same crash. With several writer threads
 * the numbering follows the order in which the threads take the lock, which may differ between runs:
 * a sweep of such a workload still explores crash points, but one point may not replay exactly.
 *
 * <h2>What is not modelled</h2>
 *
 * <ul>
 *   <li><b>Directory entries.</b> Creating, renaming and deleting files take effect at once and survive the
 *       crash, whereas on a real file system a new file, or a rename, is durable only once its directory has
 *       been forced. A file renamed within the directories the simulator knows (those of the files it opened)
 *       keeps its durable image and its unforced writes: the crash rewrites it at its new path, so a file
 *       renamed into place before it was forced loses what was not forced, as it can on a real disk (the
 *       classic bug of the write-rename pattern without the fsync). A file created and never forced survives
 *       here as an empty file; on a real disk it may vanish. A real broker forces the directory after
 *       creating or renaming a file: Kafka's log calls {@code Utils.flushDirIfExists} on its directory when
 *       it flushes a segment created since the last flush, and its atomic renames force the parent directory
 *       too; both come down to {@code FileChannel.open(dir, READ).force(true)} (not possible on Windows).
 *       Storage code may open its directory through the simulator to do the same: that force is an operation,
 *       a crash point, and changes nothing else. Files are identified by path and file key (inode): one
 *       deleted, or renamed out of the known directories, is left as it is ({@link CrashReport.Fate#GONE}).
 *   <li><b>Reordered write-back.</b> A crash keeps a prefix of the unforced writes, in the order they
 *       were issued; a real page cache may flush a later page and lose an earlier one. The prefix is the
 *       case an append-only log's recovery must handle, and {@link CrashMode#TEAR_WITH_GARBAGE} adds the
 *       torn sector that only a checksum can catch.
 *   <li><b>Memory-mapped files.</b> {@code map} is refused: writes through a mapping bypass
 *       {@code write} and {@code force}, so the simulator could not see them. Chapter 6 uses
 *       {@code write} and {@code force}; chapter 17 measures {@code mmap}.
 * </ul>
 */
public final class CrashSimulator {

    /** The most garbage bytes {@link CrashMode#TEAR_WITH_GARBAGE} leaves after a cut: one sector. */
    public static final int MAX_GARBAGE_BYTES = 512;

    private static final long NO_CRASH_POINT = 0;

    private final long seed;
    private final CrashMode mode;

    /*
     * Guards every field below and every TrackedFile (channels hold it for each mutating operation).
     * A private object rather than `synchronized` methods, so that no caller can hold it by locking the
     * simulator.
     */
    private final Object lock = new Object();
    /** By absolute path; insertion order does not matter, crash() sorts by path. */
    private final Map<Path, TrackedFile> files = new HashMap<>();
    /** Every channel handed out, so that crash() can close them all; closed ones stay, harmlessly. */
    private final List<CrashableFileChannel> channels = new ArrayList<>();
    private long operations;
    /** Whether writes fail as on a full disk. Guarded by {@link #lock}. */
    private boolean diskFull;
    private long crashPoint = NO_CRASH_POINT;
    /** The operation the crash point interrupted, described; null until the crash point fires. */
    private String interruptedOperation;
    private boolean crashed;
    /** The operation at which the power failed; written before powerOff, which publishes it. */
    private long powerLostAt;
    /*
     * Set under the lock when the crash point fires or crash() is called; read without the lock by every
     * channel operation, reads included, from whichever thread makes it. Volatile so that a reader that
     * sees true also sees powerLostAt.
     */
    private volatile boolean powerOff;

    /**
     * A simulator whose crashes either drop or tear each file's unforced writes
     * ({@link CrashMode#DROP_OR_TEAR}).
     *
     * @param seed chooses, at the crash, what each file keeps
     */
    public CrashSimulator(long seed) {
        this(seed, CrashMode.DROP_OR_TEAR);
    }

    /**
     * A simulator whose crashes do what {@code mode} says with each file's unforced writes.
     *
     * @param seed chooses, at the crash, what each file keeps
     * @param mode drop, tear, either, or tear with garbage
     */
    public CrashSimulator(long seed, CrashMode mode) {
        this.seed = seed;
        this.mode = Objects.requireNonNull(mode, "mode");
    }

    /** The seed that chooses what each file keeps at the crash. */
    public long seed() {
        return seed;
    }

    /** What the crash does with unforced writes. */
    public CrashMode mode() {
        return mode;
    }

    /**
     * Opens a file as {@code FileChannel.open(path, options)} does, and returns a channel whose writes,
     * truncations and forces this simulator records. Pass {@code disk::open} wherever the storage code
     * takes its file opener.
     *
     * <p>Opening is not an operation that can crash. Opening an existing file with
     * {@code TRUNCATE_EXISTING} truncates it at once, as an unforced truncation to 0 bytes.
     *
     * @throws SimulatedCrash if the power has failed
     * @throws IOException as {@code FileChannel.open} throws it
     */
    public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        Path absolute = path.toAbsolutePath().normalize();
        synchronized (lock) {
            checkPower(() -> "open of " + absolute);
            if (Files.isDirectory(absolute)) {
                return openDirectory(absolute, options);
            }
            boolean existed = Files.exists(absolute);
            TrackedFile file = files.get(absolute);
            if (file != null && !(existed && Objects.equals(file.fileKey(), fileKey(absolute)))) {
                // deleted, renamed away or replaced since we last saw it: a new file at an old path. If
                // the old one was renamed, keep tracking it where it went (write-rename reuses .tmp names).
                files.remove(absolute);
                if (followRename(file)) {
                    files.put(file.path(), file);
                }
                file = null;
            }
            if (file == null && existed) {
                file = renamedTo(absolute);
            }
            if (file == null && existed) {
                file = TrackedFile.existing(absolute, fileKey(absolute), Files.readAllBytes(absolute));
            }
            FileChannel real = FileChannel.open(absolute, options);
            if (file == null) {
                file = TrackedFile.created(absolute, fileKey(absolute));
            }
            files.put(absolute, file);
            boolean sync = options.contains(StandardOpenOption.SYNC) || options.contains(StandardOpenOption.DSYNC);
            if (existed && options.contains(StandardOpenOption.TRUNCATE_EXISTING)
                && options.contains(StandardOpenOption.WRITE)) {
                file.recordTruncate(0);
                if (sync) {
                    file.force();
                }
            }
            CrashableFileChannel channel = new CrashableFileChannel(this, file, real,
                options.contains(StandardOpenOption.APPEND), sync);
            channels.add(channel);
            return channel;
        }
    }

    /**
     * A directory is opened only to force it, which on a real disk makes its new and renamed entries
     * durable. The simulator does not model directory entries, so that force is an operation (a crash
     * point) that changes nothing, and the directory is not one of the files a crash rewrites.
     */
    private FileChannel openDirectory(Path directory, Set<? extends OpenOption> options) throws IOException {
        assert Thread.holdsLock(lock);
        FileChannel real = FileChannel.open(directory, options);
        CrashableFileChannel channel = new CrashableFileChannel(this, TrackedFile.created(directory, null), real,
            false, false);
        channels.add(channel);
        return channel;
    }

    /**
     * Makes mutating operation number {@code operation} fail with {@link SimulatedCrash} instead of
     * happening, and turns the power off: that operation and every later one never reach the disk. A
     * later call replaces the crash point.
     *
     * @param operation counted from 1 over every write, truncate and force on this simulator's channels
     * @throws IllegalArgumentException if {@code operation} is below 1 or has already happened
     * @throws IllegalStateException if the power has already failed
     */
    public void crashAt(long operation) {
        if (operation < 1) {
            throw new IllegalArgumentException("Crash points count from 1 (the first write, truncate or force),"
                + " but crashAt was given " + operation);
        }
        synchronized (lock) {
            if (powerOff) {
                throw new IllegalStateException("The power has already failed at operation " + powerLostAt
                    + "; a simulator crashes once");
            }
            if (operation <= operations) {
                throw new IllegalArgumentException("Operation " + operation + " has already happened ("
                    + operations + " operations so far); choose a crash point after it");
            }
            crashPoint = operation;
        }
    }

    /**
     * Fills the disk, or frees it: while full, every write through this simulator's channels fails with
     * an {@link IOException} saying "No space left on device", as a real full disk does, before a byte
     * is written. Truncations and forces still work (they need no new space). The refused writes are
     * not counted as operations.
     */
    public void setDiskFull(boolean full) {
        synchronized (lock) {
            diskFull = full;
        }
    }

    /** Called by a channel, holding the lock, before a write: refuses it if the disk is full. */
    void checkSpace(Path file) throws IOException {
        assert Thread.holdsLock(lock);
        if (diskFull) {
            throw new IOException("No space left on device (simulated full disk) writing " + file);
        }
    }

    /**
     * How many mutating operations (writes, truncations, forces) have happened: the crash points that a
     * sweep of the same workload can choose are 1 to this number, once the workload has run to the end.
     * The operation that a crash point interrupted is not counted.
     */
    public long operations() {
        synchronized (lock) {
            return operations;
        }
    }

    /**
     * The power fails, now unless the crash point already made it fail: every file opened through this
     * simulator is rewritten to its durable image plus the part of its unforced writes that the seed
     * and the mode keep, and every channel handed out is closed and dead. Call it once, after the
     * workload has thrown {@link SimulatedCrash} or finished; then recover with real
     * {@code FileChannel}s.
     *
     * <p>The files are considered in order of path and draw from one generator made from the seed,
     * so that the same seed and the same operations give the same files, whatever order the workload
     * opened them in.
     *
     * @return what each file kept, for the test's failure messages
     * @throws IllegalStateException if {@code crash()} was already called; to crash the recovery too,
     *     open the files through a new simulator
     * @throws IOException if a file could not be rewritten
     */
    public CrashReport crash() throws IOException {
        synchronized (lock) {
            if (crashed) {
                throw new IllegalStateException("crash() was already called on the simulator with seed " + seed
                    + "; to crash the recovery as well, open the files through a new CrashSimulator");
            }
            crashed = true;
            if (!powerOff) {
                powerLostAt = operations + 1;
                powerOff = true;
            }
            IOException closeFailure = closeChannels();
            List<TrackedFile> inPathOrder = new ArrayList<>(files.values());
            inPathOrder.sort(Comparator.comparing(TrackedFile::path));
            // Not java.util.Random: its first draws for neighbouring seeds (0, 1, 2, ...) are nearly the
            // same, so seeds 0 to 63 would all make the same drop-or-tear choice. SplittableRandom mixes.
            SplittableRandom random = new SplittableRandom(seed);
            List<FileOutcome> outcomes = new ArrayList<>();
            for (TrackedFile file : inPathOrder) {
                if (!isStillAtItsPath(file) && !followRename(file)) {
                    outcomes.add(file.gone());
                    continue;
                }
                TrackedFile.Crashed crashedFile = file.crash(mode, random);
                if (crashedFile.content() != null) {
                    rewrite(file.path(), crashedFile.content());
                }
                outcomes.add(crashedFile.outcome());
            }
            if (closeFailure != null) {
                throw closeFailure;
            }
            return new CrashReport(seed, mode, operations, Optional.ofNullable(interruptedOperation), outcomes);
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "CrashSimulator[seed " + seed + ", " + mode + ", " + operations + " operations"
                + (crashPoint == NO_CRASH_POINT ? "" : ", crash point " + crashPoint)
                + (powerOff ? ", power off" : "") + "]";
        }
    }

    /** Whether the power has failed, at the crash point or by {@link #crash()}. */
    boolean hasLostPower() {
        return powerOff;
    }

    /** The lock that a channel holds across each mutating operation. */
    Object lock() {
        return lock;
    }

    /**
     * Called by a channel, holding the lock, just before a mutating operation: numbers it, or, if it is
     * the crash point, turns the power off and throws.
     *
     * @param what the operation, described for the crash message; only evaluated for a crash
     */
    void beginMutation(Supplier<String> what) {
        assert Thread.holdsLock(lock) : "a mutating operation must hold the simulator's lock";
        checkPower(what);
        long number = operations + 1;
        if (number == crashPoint) {
            interruptedOperation = what.get();
            powerLostAt = number;
            powerOff = true;
            throw new SimulatedCrash(number, "Simulated power failure at operation " + number + " ("
                + interruptedOperation + ") of the disk with seed " + seed + ": this operation and every later"
                + " one never reach the disk; crash() shows what survived");
        }
        operations = number;
    }

    /**
     * Throws {@link SimulatedCrash} if the power has failed; called before every operation, with or
     * without the lock.
     */
    void checkPower(Supplier<String> what) {
        if (powerOff) {
            throw new SimulatedCrash(powerLostAt, "Simulated power failure: the power failed at operation "
                + powerLostAt + " of the disk with seed " + seed + ", and this " + what.get()
                + " came after it; recovery opens the files afresh with FileChannel.open after crash()");
        }
    }

    private IOException closeChannels() {
        IOException failure = null;
        for (CrashableFileChannel channel : channels) {
            try {
                channel.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        return failure;
    }

    /**
     * The tracked file that was renamed to {@code path} since it was opened (the same file key, no longer
     * at its old path), now tracked at {@code path}; {@code null} if there is none.
     */
    private TrackedFile renamedTo(Path path) throws IOException {
        assert Thread.holdsLock(lock);
        Object key = fileKey(path);
        for (TrackedFile candidate : List.copyOf(files.values())) {
            if (Objects.equals(candidate.fileKey(), key) && !isStillAtItsPath(candidate)
                && candidate.currentLength() == Files.size(path)) {
                files.remove(candidate.path());
                candidate.movedTo(path);
                return candidate;
            }
        }
        return null;
    }

    /**
     * Looks for a file that is no longer at its path in the directories of the files the simulator knows,
     * by file key and length (so that a new file that reuses a deleted file's inode is not mistaken for
     * it); if it is there, the file now lives at that path and the crash rewrites it there.
     *
     * @return whether the file was found under another name
     */
    private boolean followRename(TrackedFile file) throws IOException {
        assert Thread.holdsLock(lock);
        if (file.fileKey() == null) {
            return false;
        }
        Set<Path> directories = new TreeSet<>();
        if (file.path().getParent() != null) {
            directories.add(file.path().getParent());
        }
        for (TrackedFile known : files.values()) {
            if (known.path().getParent() != null) {
                directories.add(known.path().getParent());
            }
        }
        for (Path directory : directories) {
            if (!Files.isDirectory(directory)) {
                continue;
            }
            try (Stream<Path> entries = Files.list(directory)) {
                for (Path entry : entries.sorted().toList()) {
                    if (Files.isRegularFile(entry) && Objects.equals(fileKey(entry), file.fileKey())
                        && Files.size(entry) == file.currentLength() && !isTrackedAt(entry, file)) {
                        file.movedTo(entry);
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Whether another tracked file than {@code except} is at {@code path}, with the file there now. */
    private boolean isTrackedAt(Path path, TrackedFile except) throws IOException {
        for (TrackedFile known : files.values()) {
            if (known != except && known.path().equals(path) && isStillAtItsPath(known)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isStillAtItsPath(TrackedFile file) throws IOException {
        try {
            return Objects.equals(fileKey(file.path()), file.fileKey());
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static Object fileKey(Path path) throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    }

    private static void rewrite(Path path, FileImage content) throws IOException {
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = content.content();
            while (bytes.hasRemaining()) {
                file.write(bytes);
            }
        }
    }
}

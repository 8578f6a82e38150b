package org.mqworkbook.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How many records per second one thread can append to the {@link Log} with batched flushing, against
 * writing the very same bytes to a plain {@link FileChannel} with the same flush cadence, in one run.
 *
 * <pre>
 *  benchmark         per operation                                              every flushEveryRecords ops
 *  ─────────         ─────────────                                              ───────────────────────────
 *  fileChannelWrite  pwrite(the pre-encoded record bytes) at the end of a file   force(false)  (the baseline)
 *  logAppend         Log.append(null, value, no headers): clock, encode, CRC,    the log's flush: force the
 *                    lock, pwrite, an index entry every 4 KiB, roll at 64 MiB    segment, then its index
 *  inTurns           one flush cycle of each of the above, in alternating order, each timed on its own
 * </pre>
 *
 * <p><b>Why this baseline.</b> A log cannot write its records with fewer system calls than one
 * {@code pwrite} per record and one {@code fsync} per flush; that is what {@code fileChannelWrite} does,
 * with the bytes {@link RecordFormat} produces for the same value (length, CRC-32C and all), so both
 * sides put the same number of bytes on the same disk. Its buffer is a heap buffer, as the log's is, so
 * both pay the JDK's copy into a temporary direct buffer. The ratio {@code logAppend / fileChannelWrite}
 * is therefore what the log's own work costs: building a {@code Record}, encoding it, the checksum, two
 * locks (the log's and group commit's), the index entries, rolling segments, and forcing the index as
 * well as the data at every flush. The chapter's goal is a ratio of at least 0.8.
 *
 * <p><b>Why also in turns.</b> On a machine shared with other people's builds, the load changes from
 * second to second, and two benchmarks run one after the other see different neighbours: on the
 * two-core machine this was written on, that moved single figures by ±50 %, more than the difference
 * being measured. {@code inTurns} pairs the two sides instead: each invocation writes one flush cycle
 * ({@code flushEveryRecords} records and their fsync) to the log and one to the plain file, alternating
 * which goes first, and adds each side's elapsed time to its own counter ({@link TurnTimes}). Noise that
 * lasts longer than a few milliseconds then falls on both sides alike, and
 * {@code fileChannelNanos / logNanos} is the ratio of their throughputs (both wrote the same records).
 * The separate benchmarks still give each side's throughput on its own.
 *
 * <p><b>Why a fresh directory per iteration.</b> A 2-second iteration writes hundreds of megabytes;
 * starting each iteration with an empty log (and an empty file for the baseline) and deleting it
 * afterwards keeps the disk usage of a run below about a gigabyte, and gives every iteration the same
 * work: a few 64 MiB segment rolls, and no iteration appending to a file another one made large. The
 * segment size is 64 MiB rather than Kafka's 1 GiB default so that rolls do happen in an iteration.
 *
 * <p><b>How to run it</b>, from the repository root (see {@code HandOffBenchmark} in chapter 5 for how
 * the {@code jmh} execution works):
 *
 * <pre>
 * ./mvnw -q -o -pl exercise-marker,testkit,solutions/chapter05-inmemory,solutions/chapter06-storage \
 *     install -DskipTests
 * ./mvnw -q -o -pl solutions/chapter06-storage exec:exec@jmh -Djmh.args="storage.AppendBenchmark"
 * </pre>
 * JMH takes the name as a regular expression that it looks for anywhere in the benchmark's full name, so
 * a bare {@code AppendBenchmark} (the pom's default) also runs {@link DurableAppendBenchmark}.
 * {@code -p valueBytes=4096} for another value size, {@code -p flushEveryRecords=1} to flush after every
 * record (then both sides measure the disk's fsync, not the code). Files go to {@code java.io.tmpdir}:
 * it must be a real disk, not {@code tmpfs}.
 *
 * <p><b>How to read the result.</b> Scores are records per second; multiply by the record size on disk
 * (value + 37 bytes: 137 B for 100 B values, 1061 B for 1 KiB) for bytes per second. Divide
 * {@code logAppend} by {@code fileChannelWrite} for the same {@code valueBytes}, within one run; for
 * {@code inTurns}, divide its {@code fileChannelNanos} line by its {@code logNanos} line (the fork also
 * prints the ratio after each iteration). The
 * figures are dominated by the disk as soon as fsyncs are frequent, so compare ratios, not absolute
 * numbers across machines.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// One fork: each trial writes gigabytes, and the machine is shared. A fixed, pre-touched heap keeps heap
// resizing out of the numbers; jvmArgs (not jvmArgsAppend) keeps Maven's -ea out of the fork (Log.roll and
// RecordFormat.write assert, and the assertion in write re-computes the record size).
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
// The append path is hot from the first millisecond; three iterations are enough for C2 and for the
// disk's write-back to reach a steady state.
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
// Two-second iterations: several hundred flushes each, so one slow fsync does not decide an iteration.
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
public class AppendBenchmark {

    /** Segment size: large enough that rolls are rare, small enough that they happen in every iteration. */
    static final long SEGMENT_BYTES = 64L << 20;

    /** The same seed for both sides, so both write the same value bytes. */
    static final long SEED = 42;

    /** A value of {@code size} random bytes (random, so that nothing on the way could compress it). */
    static byte[] value(int size) {
        byte[] value = new byte[size];
        new Random(SEED).nextBytes(value);
        return value;
    }

    /**
     * A log in a fresh directory, flushing every {@code flushEveryRecords} records.
     *
     * <p>Used by one benchmark thread ({@link Scope#Thread}); set up and torn down by JMH around every
     * iteration, outside the measurement.
     */
    @State(Scope.Thread)
    public static class LogState {
        @Param({"100", "1024"})
        int valueBytes;

        @Param("1000")
        long flushEveryRecords;

        Path dir;
        Log log;
        byte[] value;

        @Setup(Level.Iteration)
        public void setUp() throws IOException {
            dir = ScratchDirectory.create("mqwb-append-log-");
            LogConfig config = LogConfig.DEFAULT.withSegmentBytes(SEGMENT_BYTES)
                .withFlushPolicy(FlushPolicy.everyMessages(flushEveryRecords));
            log = Log.open(dir, config, FileOpener.REAL, Clock.systemUTC());
            value = value(valueBytes);
        }

        @TearDown(Level.Iteration)
        public void tearDown() throws IOException {
            try {
                if (log != null) {
                    log.close();
                }
            } finally {
                ScratchDirectory.delete(dir);
            }
        }
    }

    /**
     * A plain file in a fresh directory and the encoded bytes of one record with a {@code valueBytes}
     * value. Lifetime and thread-safety as {@link LogState}.
     */
    @State(Scope.Thread)
    public static class FileChannelState {
        @Param({"100", "1024"})
        int valueBytes;

        @Param("1000")
        long flushEveryRecords;

        Path dir;
        FileChannel channel;
        /** One record as the log would write it; rewound before each write. */
        ByteBuffer record;
        /** Where the next write goes: the end of the file. */
        long position;
        long unflushed;

        @Setup(Level.Iteration)
        public void setUp() throws IOException {
            dir = ScratchDirectory.create("mqwb-append-file-");
            channel = FileChannel.open(dir.resolve("plain.log"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
            Record encoded = Record.of(0, System.currentTimeMillis(), value(valueBytes));
            record = ByteBuffer.allocate(RecordFormat.sizeOf(encoded));
            RecordFormat.write(encoded, record);
            record.flip();
            position = 0;
            unflushed = 0;
        }

        @TearDown(Level.Iteration)
        public void tearDown() throws IOException {
            try {
                if (channel != null) {
                    channel.force(false); // as Log.close() does, so both sides end on disk
                    channel.close();
                }
            } finally {
                ScratchDirectory.delete(dir);
            }
        }
    }

    /**
     * The time each side spent in {@link #inTurns} during one iteration, reported by JMH beside the score
     * ({@link AuxCounters.Type#EVENTS}: totals, not rates). Confined to one benchmark thread; JMH does not
     * reset counters, {@link #reset()} does, before each iteration.
     */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class TurnTimes {
        public long logNanos;
        public long fileChannelNanos;
        /** Invocations so far in this iteration; its lowest bit says which side goes first. Not a counter. */
        long turns;

        @Setup(Level.Iteration)
        public void reset() {
            logNanos = 0;
            fileChannelNanos = 0;
            turns = 0;
        }

        /** Prints this iteration's ratio: the figure the benchmark exists for. */
        @TearDown(Level.Iteration)
        public void report() {
            System.out.printf(Locale.ROOT, "%n  [in turns] %d cycles each, log %.0f ms, file channel %.0f ms,"
                + " log / file channel throughput %.3f%n", turns, logNanos / 1e6, fileChannelNanos / 1e6,
                logNanos == 0 ? 0.0 : (double) fileChannelNanos / logNanos);
        }
    }

    /** The baseline: the record's bytes with a positional write at the end of the file, as the log writes. */
    @Benchmark
    public long fileChannelWrite(FileChannelState state) throws IOException {
        return writeRecord(state);
    }

    /** The log: one record, no key, no headers; the flush policy forces it every flushEveryRecords records. */
    @Benchmark
    public long logAppend(LogState state) throws IOException {
        return state.log.append(null, state.value, List.of());
    }

    /**
     * One flush cycle of each side, in turns, each timed on its own: the score counts pairs of cycles;
     * the {@link TurnTimes} counters carry the comparison. Both states flush on their
     * {@code flushEveryRecords}-th record and start each iteration empty, so every cycle ends with exactly
     * one flush on each side.
     */
    @Benchmark
    public long inTurns(LogState log, FileChannelState file, TurnTimes times) throws IOException {
        boolean logFirst = (times.turns++ & 1) == 0; // alternate, so that neither side always follows the other
        long last = 0;
        long start = System.nanoTime();
        if (logFirst) {
            last += appendCycle(log);
        } else {
            last += writeCycle(file);
        }
        long middle = System.nanoTime();
        if (logFirst) {
            last += writeCycle(file);
        } else {
            last += appendCycle(log);
        }
        long end = System.nanoTime();
        times.logNanos += logFirst ? middle - start : end - middle;
        times.fileChannelNanos += logFirst ? end - middle : middle - start;
        return last;
    }

    private static long appendCycle(LogState state) throws IOException {
        long offset = 0;
        for (long i = 0; i < state.flushEveryRecords; i++) {
            offset = state.log.append(null, state.value, List.of());
        }
        return offset;
    }

    private static long writeCycle(FileChannelState state) throws IOException {
        long position = 0;
        for (long i = 0; i < state.flushEveryRecords; i++) {
            position = writeRecord(state);
        }
        return position;
    }

    /** One pwrite of the record at the end of the file, and a force every flushEveryRecords records. */
    private static long writeRecord(FileChannelState state) throws IOException {
        ByteBuffer bytes = state.record.rewind();
        long at = state.position;
        while (bytes.hasRemaining()) {
            at += state.channel.write(bytes, at);
        }
        state.position = at;
        if (++state.unflushed >= state.flushEveryRecords) {
            state.channel.force(false);
            state.unflushed = 0;
        }
        return at;
    }
}

package org.mqworkbook.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a durable append costs — {@code Log.append} then {@code awaitDurable}, the acknowledgement a
 * producer that must not lose its record waits for — beside the raw cost of one {@code pwrite} and one
 * {@code fsync} of the same bytes; then the same with four producers, where group commit lets one fsync
 * cover several records.
 *
 * <pre>
 *  benchmark                      threads  per operation                                     reported
 *  ─────────                      ───────  ─────────────                                     ────────
 *  fileChannelWriteForce          1        pwrite(record) + force(false)       (the baseline)  latency
 *  logAppendAwaitDurable          1        append + awaitDurable: one group-commit fsync       latency
 *  fileChannelWriteForce4Threads  4        each thread: pwrite + force(false)                  records/s
 *  logAppendAwaitDurable4Threads  4        each thread: append + awaitDurable (shared fsyncs)  records/s
 * </pre>
 *
 * <p>The log's flush policy is {@link FlushPolicy#OPERATING_SYSTEM} (never flush on its own), so every
 * fsync is one a waiting producer asked for. With one thread that is one fsync per record; with four,
 * the producers that append while an fsync runs wait for the next one, which covers all of them. After
 * each iteration the log's state prints how many records one group-commit fsync covered
 * ({@code Log.groupCommitSyncs()}): 1.0 with one thread, more with four.
 *
 * <p><b>Why the single-thread figures are latencies and the four-thread ones throughputs.</b> A lone
 * durable producer cares how long each acknowledgement takes, and its percentiles show the disk's fsync
 * distribution ({@link Mode#SampleTime} gives the mean and p50/p90/p99). With four producers the question
 * is how many records per second the log makes durable; divide by {@code 1 / mean} of the single-thread
 * run for the speed-up. The raw four-thread baseline shows what the kernel's own batching of concurrent
 * fsyncs (the file system journal commits once for several waiting callers) gives without group commit.
 *
 * <p><b>How to run it</b> (after the install shown in {@link AppendBenchmark}):
 * <pre>
 * ./mvnw -q -o -pl solutions/chapter06-storage exec:exec@jmh -Djmh.args="DurableAppendBenchmark"
 * </pre>
 * Files go to {@code java.io.tmpdir}, which must be a real disk: on {@code tmpfs} an fsync does nothing.
 * The figures are the disk's (a virtual disk's fsync may be a few hundred microseconds or tens of
 * milliseconds); compare the log with the baseline of the same run.
 */
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
// An fsync costs the same whether the JIT is warm or not; warm-up is mostly for the disk's write cache.
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
// A thousand or more fsyncs per two-second iteration: enough samples for a p99.
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
public class DurableAppendBenchmark {

    /**
     * A log in a fresh directory that never flushes on its own, shared by all benchmark threads
     * ({@link Scope#Benchmark}; the log is thread safe). Set up and torn down by JMH around every
     * iteration, while no benchmark thread runs, so the fields need no further publication.
     */
    @State(Scope.Benchmark)
    public static class LogState {
        @Param("1024")
        int valueBytes;

        Path dir;
        Log log;
        byte[] value;

        @Setup(Level.Iteration)
        public void setUp() throws IOException {
            dir = ScratchDirectory.create("mqwb-durable-log-");
            LogConfig config = LogConfig.DEFAULT.withSegmentBytes(AppendBenchmark.SEGMENT_BYTES)
                .withFlushPolicy(FlushPolicy.OPERATING_SYSTEM);
            log = Log.open(dir, config, FileOpener.REAL, Clock.systemUTC());
            value = AppendBenchmark.value(valueBytes);
        }

        /** Prints how many records each group-commit fsync covered in the iteration that just ended. */
        @TearDown(Level.Iteration)
        public void tearDown() throws IOException {
            try {
                if (log != null) {
                    long records = log.nextOffset();
                    long syncs = log.groupCommitSyncs();
                    System.out.printf(Locale.ROOT, "%n  [group commit] %d records, %d fsyncs, %.2f records per fsync%n",
                        records, syncs, syncs == 0 ? 0.0 : (double) records / syncs);
                    log.close();
                }
            } finally {
                ScratchDirectory.delete(dir);
            }
        }
    }

    /**
     * A plain file in a fresh directory, shared by all benchmark threads; each write claims its own
     * position from {@link #nextPosition} (an atomic add), so that concurrent writers never overlap.
     * Lifetime as {@link LogState}.
     */
    @State(Scope.Benchmark)
    public static class FileChannelState {
        @Param("1024")
        int valueBytes;

        Path dir;
        FileChannel channel;
        /** One record as the log would write it. Never read or moved itself: each write uses a duplicate. */
        ByteBuffer record;
        final AtomicLong nextPosition = new AtomicLong();

        @Setup(Level.Iteration)
        public void setUp() throws IOException {
            dir = ScratchDirectory.create("mqwb-durable-file-");
            channel = FileChannel.open(dir.resolve("plain.log"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
            Record encoded = Record.of(0, System.currentTimeMillis(), AppendBenchmark.value(valueBytes));
            record = ByteBuffer.allocate(RecordFormat.sizeOf(encoded));
            RecordFormat.write(encoded, record);
            record.flip();
            nextPosition.set(0);
        }

        @TearDown(Level.Iteration)
        public void tearDown() throws IOException {
            try {
                if (channel != null) {
                    channel.close();
                }
            } finally {
                ScratchDirectory.delete(dir);
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long fileChannelWriteForce(FileChannelState state) throws IOException {
        return writeAndForce(state);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long logAppendAwaitDurable(LogState state) throws IOException, InterruptedException {
        return appendAndAwait(state);
    }

    @Benchmark
    @Threads(4)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long fileChannelWriteForce4Threads(FileChannelState state) throws IOException {
        return writeAndForce(state);
    }

    @Benchmark
    @Threads(4)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long logAppendAwaitDurable4Threads(LogState state) throws IOException, InterruptedException {
        return appendAndAwait(state);
    }

    /**
     * One pwrite and one fsync. A duplicate of the shared buffer per call (one small object) gives each
     * thread its own position and limit; next to an fsync its cost does not show.
     */
    private static long writeAndForce(FileChannelState state) throws IOException {
        ByteBuffer bytes = state.record.duplicate();
        long at = state.nextPosition.getAndAdd(bytes.remaining());
        while (bytes.hasRemaining()) {
            at += state.channel.write(bytes, at);
        }
        state.channel.force(false);
        return at;
    }

    private static long appendAndAwait(LogState state) throws IOException, InterruptedException {
        long offset = state.log.append(null, state.value, List.of());
        state.log.awaitDurable(offset);
        return offset;
    }
}

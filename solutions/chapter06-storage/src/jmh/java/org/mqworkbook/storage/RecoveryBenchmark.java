package org.mqworkbook.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
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
 * How long {@code Log.open} takes on a 1 GiB log: opening recovers every segment (exercise 6.5), so it
 * reads and checks every record and rebuilds every index. Against two baselines in the same run: reading
 * the same segment files once from start to end, and reading them while computing a CRC-32C over all
 * their bytes.
 *
 * <pre>
 *  benchmark                   one operation (timed once per iteration: SingleShotTime)
 *  ─────────                   ────────────────────────────────────────────────────────
 *  fileChannelScan             read every segment file sequentially in 256 KiB chunks        (I/O only)
 *  fileChannelScanWithCrc      the same, plus CRC-32C over every byte                        (+ checksum)
 *  logOpen                     Log.open: per segment, scan, check length, CRC, offsets;      (recovery)
 *                              decode every record; rebuild and force the index
 * </pre>
 *
 * <p><b>Warm cache.</b> The log is written in the set-up and then read back at once; with more memory
 * than log, every byte comes from the page cache. So this measures the CPU work of recovery, which is
 * what a broker restarted after a process crash (not a power loss) pays. A cold-cache figure would need
 * the page cache dropped between iterations, which needs root ({@code /proc/sys/vm/drop_caches}); it
 * would add the disk's sequential read time, which {@code fileChannelScan} on a cold cache would show.
 *
 * <p><b>Disk space.</b> The set-up refuses to start with less than the log's size plus 4 GiB free in
 * {@code java.io.tmpdir}; {@code -p logMebibytes=256} measures a smaller log. The log is deleted at the end
 * of the trial.
 *
 * <p><b>How to run it</b> (after the install shown in {@link AppendBenchmark}):
 * <pre>
 * ./mvnw -q -o -pl solutions/chapter06-storage exec:exec@jmh -Djmh.args="RecoveryBenchmark"
 * </pre>
 * Scores are milliseconds per operation: for {@code logOpen}, the recovery time of the whole log.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// One fork: its set-up writes a gigabyte per value size. A fixed heap: recovery allocates every record it
// decodes (garbage at once), and heap resizing would be timed with it.
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
// One untimed pass warms the JIT (the scan loop is compiled within the first segment) and shows that the
// log re-opens cleanly; five timed passes of about a second each.
@Warmup(iterations = 1)
@Measurement(iterations = 5)
public class RecoveryBenchmark {

    /** Free space the set-up insists on beyond the log itself, so that the benchmark never fills the disk. */
    static final long SPARE_BYTES = 4L << 30;

    /** The buffer the baselines read with: the size of the recovery scanner's chunk. */
    static final int CHUNK_BYTES = 256 * 1024;

    /**
     * A closed log of {@code logMebibytes} MiB with {@code valueBytes} values, written once per trial and
     * deleted after it. Only read after the set-up; shared ({@link Scope#Benchmark}) but used by one
     * benchmark thread.
     */
    @State(Scope.Benchmark)
    public static class WrittenLog {
        @Param({"100", "1024"})
        int valueBytes;

        @Param("1024")
        long logMebibytes;

        Path dir;
        LogConfig config;
        /** How many records were written: a recovered log must have exactly these. */
        long records;
        final List<Path> segmentFiles = new ArrayList<>();

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            long logBytes = logMebibytes << 20;
            dir = ScratchDirectory.create("mqwb-recovery-");
            long free = Files.getFileStore(dir).getUsableSpace();
            if (free < logBytes + SPARE_BYTES) {
                ScratchDirectory.delete(dir);
                throw new IllegalStateException("only " + (free >> 20) + " MiB free in " + dir.getParent()
                    + "; a " + logMebibytes + " MiB log needs " + ((logBytes + SPARE_BYTES) >> 20)
                    + " MiB: run with -p logMebibytes=<smaller>");
            }
            config = LogConfig.DEFAULT.withSegmentBytes(AppendBenchmark.SEGMENT_BYTES)
                .withFlushPolicy(FlushPolicy.OPERATING_SYSTEM);
            byte[] value = AppendBenchmark.value(valueBytes);
            try (Log log = Log.open(dir, config, FileOpener.REAL, Clock.systemUTC())) {
                while (log.size() < logBytes) {
                    log.append(null, value, List.of());
                }
                records = log.nextOffset();
                for (LogSegment segment : log.segments()) {
                    segmentFiles.add(segment.logFile());
                }
            } // close() flushes: the log on disk is clean, and recovery truncates nothing
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            ScratchDirectory.delete(dir);
        }
    }

    /**
     * The log {@link #logOpen} opened, closed after its iteration (outside the timing), where it is also
     * checked: a recovery that lost records would be fast for the wrong reason. Confined to one thread.
     */
    @State(Scope.Thread)
    public static class Opened {
        Log log;
        long expectedRecords;

        @TearDown(Level.Iteration)
        public void tearDown() throws IOException {
            if (log == null) {
                return;
            }
            try {
                if (log.nextOffset() != expectedRecords || !log.recoveryReport().isEmpty()) {
                    throw new IllegalStateException("recovery changed a clean log: " + log.nextOffset()
                        + " records instead of " + expectedRecords + ", report " + log.recoveryReport());
                }
            } finally {
                log.close();
                log = null;
            }
        }
    }

    @Benchmark
    public long fileChannelScan(WrittenLog written) throws IOException {
        return scan(written.segmentFiles, null);
    }

    @Benchmark
    public long fileChannelScanWithCrc(WrittenLog written) throws IOException {
        return scan(written.segmentFiles, new CRC32C());
    }

    @Benchmark
    public Log logOpen(WrittenLog written, Opened opened) throws IOException {
        opened.expectedRecords = written.records;
        opened.log = Log.open(written.dir, written.config, FileOpener.REAL, Clock.systemUTC());
        return opened.log;
    }

    /**
     * Reads every file from start to end through one heap buffer of the scanner's chunk size, and feeds
     * every byte to {@code crc} if there is one. Returns the bytes read, or the checksum, so that JMH
     * consumes the work.
     */
    private static long scan(List<Path> files, CRC32C crc) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES);
        long bytes = 0;
        for (Path file : files) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                long position = 0;
                int n;
                while ((n = channel.read(buffer.clear(), position)) > 0) {
                    position += n;
                    if (crc != null) {
                        crc.update(buffer.flip());
                    }
                }
                bytes += position;
            }
        }
        return crc == null ? bytes : crc.getValue();
    }
}

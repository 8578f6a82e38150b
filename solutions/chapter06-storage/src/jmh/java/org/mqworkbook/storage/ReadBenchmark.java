package org.mqworkbook.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
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
 * Read throughput from an arbitrary offset: {@code Log.read(randomOffset, 64 KiB)} on a 256 MiB log
 * written before the measurement, against reading 64 KiB at a random byte position of the same segment
 * files with a plain {@link FileChannel}, in one run.
 *
 * <pre>
 *  benchmark        per operation
 *  ─────────        ─────────────
 *  fileChannelRead  pread 64 KiB at a random position of a random segment file          (the baseline)
 *  logRead          Log.read(random offset, 64 KiB): floor lookup of the segment, index lookup,
 *                   scan from the index entry (a 256 KiB chunk), check every CRC, decode the records
 * </pre>
 *
 * <p>Offsets come from a {@link Random} with a fixed seed per thread, so two runs read the same offsets.
 * The log stays in the page cache (it was just written and is much smaller than the memory of any
 * machine this runs on), so this measures the log's CPU and copying work per byte, not the disk: that is
 * the case a consumer catching up on recent data is in. The baseline is an upper bound no log reaching
 * records through files can beat: one system call and one copy, nothing checked, nothing decoded.
 *
 * <p>Besides operations per second, the {@link ReadBytes} counters report the bytes of records (and the
 * records) each side returned per second: divide {@code bytes} by 10^6 for MB/s.
 *
 * <p><b>How to run it</b> (after the install shown in {@link AppendBenchmark}):
 * <pre>
 * ./mvnw -q -o -pl solutions/chapter06-storage exec:exec@jmh -Djmh.args="ReadBenchmark"
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// One fork, because the set-up writes 256 MiB per value size; a fixed heap, because a log read allocates
// its 256 KiB scanner buffer and every record it returns.
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
public class ReadBenchmark {

    /** How much the set-up writes: four full 64 MiB segments and the first records of a fifth. */
    static final long LOG_BYTES = 256L << 20;

    /** How much one read asks for: a typical consumer fetch (Kafka's max.partition.fetch.bytes is 1 MiB). */
    static final int READ_BYTES = 64 << 10;

    /**
     * A log of {@link #LOG_BYTES} with {@code valueBytes} values, written once per trial and deleted after
     * it, plus read-only channels on its segment files for the baseline. Shared by all benchmark threads:
     * after the set-up nothing changes it, and both {@code Log.read} and positional {@code FileChannel}
     * reads are thread safe.
     */
    @State(Scope.Benchmark)
    public static class WrittenLog {
        @Param({"100", "1024"})
        int valueBytes;

        Path dir;
        Log log;
        /** Bytes one record takes on disk; every record has the same size. */
        int recordBytes;
        final List<FileChannel> segmentFiles = new ArrayList<>();
        /** The total size of segments 0..i-1 at index i: maps a position in the whole log to a segment. */
        long[] segmentStarts;
        long totalBytes;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            dir = ScratchDirectory.create("mqwb-read-");
            LogConfig config = LogConfig.DEFAULT.withSegmentBytes(AppendBenchmark.SEGMENT_BYTES)
                .withFlushPolicy(FlushPolicy.OPERATING_SYSTEM);
            log = Log.open(dir, config, FileOpener.REAL, Clock.systemUTC());
            byte[] value = AppendBenchmark.value(valueBytes);
            while (log.size() < LOG_BYTES) {
                log.append(null, value, List.of());
            }
            log.flush();
            recordBytes = RecordFormat.sizeOf(Record.of(0, 0, value));
            List<LogSegment> segments = log.segments();
            segmentStarts = new long[segments.size()];
            for (int i = 0; i < segments.size(); i++) {
                segmentStarts[i] = totalBytes;
                totalBytes += segments.get(i).size();
                segmentFiles.add(FileChannel.open(segments.get(i).logFile(), StandardOpenOption.READ));
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            try {
                for (FileChannel file : segmentFiles) {
                    file.close();
                }
                if (log != null) {
                    log.close();
                }
            } finally {
                ScratchDirectory.delete(dir);
            }
        }
    }

    /** Per-thread random source and read buffer for the baseline. Confined to one benchmark thread. */
    @State(Scope.Thread)
    public static class Reader {
        final Random random = new Random(AppendBenchmark.SEED);
        /** A heap buffer, as the log's scanner uses: both pay the JDK's copy from a direct buffer. */
        final ByteBuffer buffer = ByteBuffer.allocate(READ_BYTES);
    }

    /**
     * What the reads returned, reported by JMH next to the score as a rate
     * ({@link AuxCounters.Type#OPERATIONS}: divided by the iteration's time): bytes of records per second and
     * records per second. Confined to one benchmark thread; JMH does not reset counters, {@link #reset()}
     * does, before each iteration.
     */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class ReadBytes {
        public long bytes;
        public long records;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
            records = 0;
        }
    }

    /** The baseline: 64 KiB from a random position, as if records were just bytes. */
    @Benchmark
    public int fileChannelRead(WrittenLog log, Reader reader, ReadBytes counted) throws IOException {
        long at = reader.random.nextLong(log.totalBytes - READ_BYTES);
        int segment = segmentOf(log.segmentStarts, at);
        // Read no further than the end of the segment: a read that crosses a file ends there, as the log's does.
        long position = at - log.segmentStarts[segment];
        FileChannel file = log.segmentFiles.get(segment);
        ByteBuffer buffer = reader.buffer.clear();
        int read = 0;
        while (buffer.hasRemaining()) {
            int n = file.read(buffer, position + read);
            if (n < 0) {
                break;
            }
            read += n;
        }
        counted.bytes += read;
        counted.records += read / log.recordBytes;
        return read;
    }

    /** The log: about 64 KiB of records from a random offset, every one checked and decoded. */
    @Benchmark
    public List<Record> logRead(WrittenLog log, Reader reader, ReadBytes counted) throws IOException {
        long offset = reader.random.nextLong(log.log.nextOffset());
        List<Record> records = log.log.read(offset, READ_BYTES);
        counted.bytes += (long) records.size() * log.recordBytes;
        counted.records += records.size();
        return records;
    }

    /** The segment that holds byte {@code at} of the whole log (a linear search: there are five). */
    private static int segmentOf(long[] segmentStarts, long at) {
        int segment = 0;
        while (segment + 1 < segmentStarts.length && segmentStarts[segment + 1] <= at) {
            segment++;
        }
        return segment;
    }
}

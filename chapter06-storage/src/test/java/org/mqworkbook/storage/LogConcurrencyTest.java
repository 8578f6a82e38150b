package org.mqworkbook.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.Seeded;

/**
 * The log's concurrency contract, under stress: one thread appends (rolling segments, adding index entries,
 * deleting old segments as a queue's retention does) while readers read from anywhere in the log at once.
 * Every record read must be exactly the record written at its offset, and the only exception a reader may
 * see is "offset out of range", and only for an offset that retention has since deleted. README section
 * "6.4 The segmented log", "Readers, writers and deleted segments".
 *
 * <p>The workload is seeded (the values' lengths, the readers' offsets); the interleaving of the threads is
 * not, so a failure names the seed, and the run is long enough (tens of thousands of reads racing hundreds
 * of segment deletions) that the races it looks for show up on every run.
 */
@Exercise("6.4")
@Tag("6.4")
@Timeout(90)
@ExtendWith(Seeded.class)
class LogConcurrencyTest {
    private static final String README = "README 6.4, \"Readers, writers and deleted segments\"";
    private static final int RECORDS = 40_000;
    private static final int KEEP = 1_500;
    private static final int READERS = 3;
    /** Small segments and a dense index: many rolls, deletions and index entries in a short run. */
    private static final LogConfig CONFIG = LogConfig.DEFAULT.withSegmentBytes(8 * 1024).withIndexIntervalBytes(96);

    @TempDir
    Path dir;

    /** The value written at {@code offset}: its length depends on the seed, its content on the offset. */
    private static String valueAt(long offset, long seed) {
        int padding = (int) Math.floorMod(offset * 31 + seed, 150L);
        return "record-" + offset + "-" + "x".repeat(padding);
    }

    @Test
    void readersSeeExactlyWhatWasWrittenWhileTheLogAppendsRollsAndDeletesSegments(Random random) throws Exception {
        long seed = random.nextLong();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong reads = new AtomicLong();
        AtomicLong outOfRange = new AtomicLong();
        CountDownLatch started = new CountDownLatch(READERS);
        try (Log log = Log.open(dir, CONFIG, FileOpener.REAL, Clock.systemUTC())) {
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                Random choices = new Random(seed + r);
                Thread reader = new Thread(() -> {
                    started.countDown();
                    while (writing.get() && failures.size() < 5) {
                        readOnce(log, choices, seed, failures, outOfRange);
                        reads.incrementAndGet();
                    }
                }, "reader-" + r);
                reader.setDaemon(true);
                readers.add(reader);
                reader.start();
            }
            started.await();
            try {
                for (long offset = 0; offset < RECORDS && failures.size() < 5; offset++) {
                    long appended = log.append(null, valueAt(offset, seed).getBytes(UTF_8), List.of());
                    if (appended != offset) {
                        failures.add("append returned offset " + appended + ", expected " + offset);
                    }
                    if (offset % 64 == 63) {
                        log.deleteSegmentsBelow(offset - KEEP); // retention: a queue's settled prefix goes
                    }
                }
            } finally {
                writing.set(false);
                for (Thread reader : readers) {
                    reader.join(30_000);
                }
            }
            assertThat(failures).as("seed %d: %d reads (%d out of range for a deleted offset) raced %d appends and "
                + "the deletion of every segment but the last %d records'; each record read must be the one written "
                + "at its offset, and a read must never fail for another reason (%s)", seed, reads.get(),
                outOfRange.get(), RECORDS, KEEP, README).isEmpty();
            assertThat(log.logStartOffset()).as("retention ran").isGreaterThan(RECORDS - 3L * KEEP);
        }
    }

    /**
     * Reads from a random offset and checks it: a third of the time near the log start, where deletion happens;
     * a third at the end, as a consumer that has caught up does, where appends roll segments under the read;
     * a third anywhere between.
     */
    private static void readOnce(Log log, Random choices, long seed, Queue<String> failures, AtomicLong outOfRange) {
        long start = log.logStartOffset();
        long end = log.nextOffset();
        long offset = switch (choices.nextInt(3)) {
            case 0 -> Math.min(end, start + choices.nextInt(64));
            case 1 -> end;
            default -> start + (long) (choices.nextDouble() * (end - start));
        };
        try {
            long expected = offset;
            List<Record> records = log.read(offset, 4096);
            if (records.isEmpty() && offset < end) {
                failures.add("read from " + offset + " returned nothing, but the log held offsets " + start + ".."
                    + (end - 1) + " before the read: a deleted offset is out of range, a present one is read");
                return;
            }
            for (Record record : records) {
                String value = new String(record.value(), UTF_8);
                if (record.offset() != expected || !value.equals(valueAt(expected, seed))) {
                    failures.add("read from " + offset + ": expected offset " + expected + " '"
                        + abbreviate(valueAt(expected, seed)) + "', got offset " + record.offset() + " '"
                        + abbreviate(value) + "'");
                    return;
                }
                expected++;
            }
        } catch (OffsetOutOfRangeException e) {
            if (offset >= log.logStartOffset()) {
                failures.add("read from " + offset + " was refused as out of range (" + e.getMessage()
                    + "), but the log still starts at " + log.logStartOffset());
            }
            outOfRange.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            failures.add("read from " + offset + " (log now " + log.logStartOffset() + ".." + log.nextOffset()
                + ") failed: " + trace.toString().lines().limit(8).reduce((a, b) -> a + "\n    " + b).orElse(""));
        }
    }

    private static String abbreviate(String value) {
        return value.length() <= 24 ? value : value.substring(0, 24) + "…";
    }
}

package org.mqworkbook.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.Seeded;

/**
 * Exercise 6.7, {@link TimeIndex#lookup}: the entry with the largest timestamp at or below the one asked for,
 * or the start of the segment. README section "6.7 Reading by time (日志分段与索引)".
 */
@Exercise("6.7")
@Tag("6.7")
@Timeout(60)
@ExtendWith(Seeded.class)
class TimeIndexTest {
    private static final String README = "README 6.7";
    private static final long BASE = 500;

    @TempDir
    Path dir;

    private TimeIndex open() throws IOException {
        return TimeIndex.open(dir.resolve("00000000000000000500.timeindex"), BASE, FileOpener.REAL);
    }

    @Test
    void anEmptyIndexSendsEveryLookupToTheStartOfTheSegment() throws IOException {
        try (TimeIndex index = open()) {
            assertThat(index.lookup(1_700_000_000_000L)).as("no entry: scan from the base offset (%s)", README)
                .isEqualTo(new TimestampOffset(-1, BASE));
        }
    }

    @Test
    void findsTheEntryWithTheLargestTimestampAtOrBelowTheOneAskedFor() throws IOException {
        try (TimeIndex index = open()) {
            index.maybeAppend(1_000, 505);
            index.maybeAppend(2_000, 533);
            index.maybeAppend(3_000, 560);

            assertThat(index.lookup(999)).as("earlier than every entry: the start of the segment (%s)", README)
                .isEqualTo(new TimestampOffset(-1, BASE));
            assertThat(index.lookup(1_000)).as("exactly an entry's timestamp: that entry").isEqualTo(
                new TimestampOffset(1_000, 505));
            assertThat(index.lookup(2_999)).as("between two entries: the earlier one (records before offset 533 "
                + "are all earlier than 2000, so the answer may still be before 560)")
                .isEqualTo(new TimestampOffset(2_000, 533));
            assertThat(index.lookup(3_000)).isEqualTo(new TimestampOffset(3_000, 560));
            assertThat(index.lookup(Long.MAX_VALUE)).as("later than every entry: the last one")
                .isEqualTo(new TimestampOffset(3_000, 560));
            assertThat(index.lookup(Long.MIN_VALUE)).isEqualTo(new TimestampOffset(-1, BASE));
        }
    }

    @Test
    void everyLookupAgreesWithALinearSearch(Random random) throws IOException {
        try (TimeIndex index = open()) {
            List<TimestampOffset> appended = new ArrayList<>();
            long timestamp = 1_700_000_000_000L;
            long offset = BASE;
            for (int i = 0; i < 1_000; i++) {
                timestamp += 1 + random.nextInt(50);
                offset += 1 + random.nextInt(20);
                index.maybeAppend(timestamp, offset);
                appended.add(new TimestampOffset(timestamp, offset));
            }
            for (int i = 0; i < 5_000; i++) {
                long target = 1_700_000_000_000L - 100 + random.nextInt(30_000);
                TimestampOffset expected = new TimestampOffset(-1, BASE);
                for (TimestampOffset entry : appended) {
                    if (entry.timestamp() <= target) {
                        expected = entry;
                    }
                }
                assertThat(index.lookup(target)).as("lookup(%d) over 1000 entries (%s)", target, README)
                    .isEqualTo(expected);
            }
        }
    }

    @Test
    void aReopenedIndexAnswersAsBefore() throws IOException {
        try (TimeIndex index = open()) {
            index.maybeAppend(1_000, 505);
            index.maybeAppend(2_000, 533);
        }
        try (TimeIndex index = open()) {
            assertThat(index.lookup(1_500)).as("the entries are read back from the file")
                .isEqualTo(new TimestampOffset(1_000, 505));
            assertThat(index.lookup(2_500)).isEqualTo(new TimestampOffset(2_000, 533));
        }
    }

    /**
     * "One writer, many readers": while one thread appends, two look up. Entry {@code i} is {@code (1000 + 10 i
     * → BASE + 3 i)}, so every answer can be checked for being a pair the writer appended, the latest one at or
     * below the target that had been published — never an offset from one entry with the timestamp of another,
     * never an entry later than the target.
     */
    @Test
    void everyLookupAnswersWithAPairTheWriterAppendedWhileItAppends(Random random) throws Exception {
        long seed = random.nextLong();
        int count = 200_000;
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong published = new AtomicLong(-1);
        AtomicLong lookups = new AtomicLong();
        CountDownLatch started = new CountDownLatch(2);
        AtomicReference<RuntimeException> thrown = new AtomicReference<>();
        try (TimeIndex index = open()) {
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                Random choices = new Random(seed + r);
                Thread reader = new Thread(() -> {
                    started.countDown();
                    try {
                        while (writing.get() && failures.isEmpty()) {
                            long before = published.get();
                            long target = 1_000 + choices.nextInt(10 * count + 20) - 10;
                            TimestampOffset found = index.lookup(target);
                            lookups.incrementAndGet();
                            String wrong = judge(found, target, before);
                            if (wrong != null) {
                                failures.add("lookup(" + target + ") = " + found + ": " + wrong);
                            }
                        }
                    } catch (RuntimeException e) {
                        thrown.compareAndSet(null, e);
                        failures.add("a lookup threw " + e);
                    }
                }, "time-index-reader-" + r);
                readers.add(reader);
                reader.start();
            }
            started.await();
            for (int i = 0; i < count && failures.isEmpty(); i++) {
                index.maybeAppend(1_000 + 10L * i, BASE + 3L * i);
                published.set(i);
            }
            writing.set(false);
            for (Thread reader : readers) {
                reader.join();
            }
        }
        if (thrown.get() != null) {
            throw thrown.get();
        }
        assertThat(failures).as("answers while appending, over %d lookups (%s, \"One writer, many readers\")",
            lookups.get(), README).isEmpty();
    }

    /** Why {@code found} is not a valid answer for {@code target} when entries 0..{@code before} were published. */
    private static String judge(TimestampOffset found, long target, long before) {
        if (found.timestamp() == -1) {
            if (found.offset() != BASE) {
                return "no entry, yet not the segment's base offset";
            }
            return before >= 0 && target >= 1_000 ? "entry 0 was published and is at or below the target" : null;
        }
        long i = (found.timestamp() - 1_000) / 10;
        if ((found.timestamp() - 1_000) % 10 != 0 || found.offset() != BASE + 3 * i) {
            return "not a pair the writer appended";
        }
        if (found.timestamp() > target) {
            return "later than the target";
        }
        long latest = Math.min(before, (target - 1_000) / 10);
        return i < latest ? "entry " + latest + " was published, is at or below the target, and is later" : null;
    }
}

package org.mqworkbook.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
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
 * {@link OffsetIndex}'s contract, "one writer, many readers", under stress: one thread appends entries,
 * truncates the index back (as recovery, and a follower in chapter 8, truncate a log) and appends different
 * entries over the same slots, while readers look offsets up. Every answer must be a pair the writer
 * appended — an offset and <em>its</em> position, never the offset of one entry with the position of
 * another — at or below the offset asked for. README section "6.3 A sparse offset index", "One writer,
 * many readers".
 *
 * <p>Each generation of entries maps relative offset {@code r} to position {@code 10 r + g} for its own
 * generation {@code g} (0 to 9), and starts at a relative offset of its own, so that an entry and a
 * position from different generations cannot make a consistent pair by accident.
 */
@Exercise("6.3")
@Tag("6.3")
@Timeout(60)
@ExtendWith(Seeded.class)
class OffsetIndexConcurrencyTest {
    private static final String README = "README 6.3, \"One writer, many readers\"";
    private static final long BASE = 1_000;
    private static final int GENERATIONS = 1_200;
    private static final int ENTRIES_PER_GENERATION = 300;
    private static final int READERS = 2;

    @TempDir
    Path dir;

    @Test
    void everyLookupAnswersWithAPairTheWriterAppendedWhileItAppendsAndTruncates(Random random) throws Exception {
        long seed = random.nextLong();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong lookups = new AtomicLong();
        CountDownLatch started = new CountDownLatch(READERS);
        try (OffsetIndex index = OffsetIndex.open(dir.resolve("index"), BASE, FileOpener.REAL)) {
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                Random choices = new Random(seed + r);
                Thread reader = new Thread(() -> {
                    started.countDown();
                    while (writing.get() && failures.size() < 5) {
                        long asked = BASE + choices.nextInt(12 * ENTRIES_PER_GENERATION);
                        try {
                            OffsetPosition found = index.lookup(asked);
                            long relative = found.offset() - BASE;
                            boolean start = found.offset() == BASE && found.position() == 0;
                            boolean consistent = found.position() / 10 == relative;
                            if (found.offset() > asked || !(start || consistent)) {
                                failures.add("lookup(" + asked + ") answered " + found + ": not an entry at or below "
                                    + asked + " with its own position (position = 10 × relative offset + generation)");
                            }
                        } catch (RuntimeException e) {
                            failures.add("lookup(" + asked + ") threw " + e);
                        }
                        lookups.incrementAndGet();
                    }
                }, "reader-" + r);
                reader.setDaemon(true);
                readers.add(reader);
                reader.start();
            }
            started.await();
            Random writer = new Random(seed);
            try {
                for (int g = 0; g < GENERATIONS && failures.size() < 5; g++) {
                    index.clear();
                    int first = writer.nextInt(ENTRIES_PER_GENERATION); // each generation starts elsewhere
                    for (int i = 0; i < ENTRIES_PER_GENERATION; i++) {
                        long relative = first + 3L * i;
                        index.append(BASE + relative, (int) (10 * relative + g % 10));
                    }
                    index.truncateTo(BASE + first + 3L * (ENTRIES_PER_GENERATION / 2));
                    for (int i = ENTRIES_PER_GENERATION / 2; i < ENTRIES_PER_GENERATION; i++) {
                        long relative = first + 3L * i + 1; // the same slots, other entries
                        index.append(BASE + relative, (int) (10 * relative + (g + 5) % 10));
                    }
                }
            } finally {
                writing.set(false);
                for (Thread reader : readers) {
                    reader.join(30_000);
                }
            }
        }
        assertThat(failures).as("seed %d: %d lookups raced %d generations of appends and truncations; every answer "
            + "must be an entry the writer appended, whole (%s)", seed, lookups.get(), GENERATIONS, README).isEmpty();
    }
}

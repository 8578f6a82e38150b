package org.mqworkbook.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.Seeded;
import org.mqworkbook.testkit.storage.ShortWrites;

/**
 * Exercise 6.2, appending to a segment: sequential writes at the end of the file, an index entry every
 * interval. The file is checked byte by byte with {@link RecordFormat}, not through the segment's own
 * read path. README section "6.2 Sequential writes and flushing (顺序写与刷盘机制)".
 */
@Exercise("6.2")
@Tag("6.2")
@Timeout(20)
@ExtendWith(Seeded.class)
class SegmentAppendTest {
    @TempDir
    Path dir;

    private static Record record(long offset, String value) {
        return Record.of(offset, 1_000 + offset, value.getBytes(UTF_8));
    }

    @Test
    void appendsRecordsOneAfterAnotherAtTheEndOfTheFile() throws IOException {
        try (LogSegment segment = LogSegment.open(dir, 0, LogConfig.DEFAULT, FileOpener.REAL)) {
            int first = segment.append(record(0, "a"));
            int second = segment.append(record(1, "bb"));

            assertThat(first).isZero();
            assertThat(second).as("the second record starts where the first ends").isEqualTo(
                RecordFormat.sizeOf(record(0, "a")));
            assertThat(segment.size()).isEqualTo(second + RecordFormat.sizeOf(record(1, "bb")));
            assertThat(segment.nextOffset()).isEqualTo(2);
        }
    }

    @Test
    void theFileHoldsExactlyTheEncodedRecords() throws IOException {
        List<Record> written = new ArrayList<>();
        try (LogSegment segment = LogSegment.open(dir, 100, LogConfig.DEFAULT, FileOpener.REAL)) {
            for (long offset = 100; offset < 110; offset++) {
                Record r = record(offset, "value-" + offset);
                segment.append(r);
                written.add(r);
            }
            segment.flush();
        }

        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(LogSegment.logFile(dir, 100)));
        List<Record> read = new ArrayList<>();
        while (file.hasRemaining()) {
            RecordRead r = RecordFormat.read(file, LogConfig.DEFAULT.maxRecordBytes());
            assertThat(r).as("every byte of the file belongs to a valid record").isInstanceOf(RecordRead.Valid.class);
            read.add(((RecordRead.Valid) r).record());
        }
        assertThat(read).isEqualTo(written);
        assertThat(LogSegment.logFile(dir, 100).getFileName().toString()).isEqualTo("00000000000000000100.log");
    }

    @Test
    void refusesAnOffsetThatIsNotTheNextOne() throws IOException {
        try (LogSegment segment = LogSegment.open(dir, 0, LogConfig.DEFAULT, FileOpener.REAL)) {
            segment.append(record(0, "a"));

            assertThatThrownBy(() -> segment.append(record(5, "gap")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("5").hasMessageContaining("1").hasMessageContaining("00000000000000000000.log");
            assertThatThrownBy(() -> segment.append(record(0, "again")))
                .as("offsets are never reused").isInstanceOf(IllegalArgumentException.class);
            assertThat(segment.nextOffset()).isEqualTo(1);
        }
    }

    @Test
    void addsAnIndexEntryAboutEveryIntervalBytes() throws IOException {
        LogConfig config = LogConfig.DEFAULT.withIndexIntervalBytes(100);
        try (LogSegment segment = LogSegment.open(dir, 0, config, FileOpener.REAL)) {
            List<Integer> positions = new ArrayList<>();
            for (long offset = 0; offset < 200; offset++) {
                positions.add(segment.append(record(offset, "x".repeat(20))));
            }
            int recordSize = RecordFormat.sizeOf(record(0, "x".repeat(20)));

            int entries = segment.index().entries();
            long expected = segment.size() / (100 + recordSize - 1);
            assertThat(entries).as("sparse: about one entry per 100 bytes, not one per record")
                .isBetween((int) expected - 2, (int) segment.size() / 100 + 1).isLessThan(200);
            for (long offset = 0; offset < 200; offset++) {
                OffsetPosition found = segment.index().lookup(offset);
                assertThat(found.position()).as("an entry points at the start of its own record")
                    .isEqualTo(positions.get((int) (found.offset() - 0)));
                assertThat(offset - found.offset()).as("never more than one interval behind")
                    .isLessThanOrEqualTo(100 / recordSize + 1);
            }
        }
    }

    @Test
    void handsEveryRecordToTheTimestampTrackerSoTheTimeIndexGrowsWithTheOffsetIndex() throws IOException {
        LogConfig config = LogConfig.DEFAULT.withIndexIntervalBytes(100);
        try (LogSegment segment = LogSegment.open(dir, 0, config, FileOpener.REAL)) {
            for (long offset = 0; offset < 200; offset++) {
                segment.append(record(offset, "x".repeat(20)));
            }
            int offsetEntries = segment.index().entries();
            assertThat(segment.timeIndex().entries()).as("the time index gets an entry every index interval, as the "
                + "offset index does, when the record goes through trackTimestamp (README 6.2, 6.7)")
                .isPositive().isBetween(offsetEntries, offsetEntries + 1);
            assertThat(segment.firstTimestamp()).as("the first record's timestamp").isEqualTo(1_000);
            assertThat(segment.largestTimestamp()).as("the largest timestamp").isEqualTo(1_199);
        }
    }

    @Test
    void aDiskThatTakesAFewBytesPerWriteStillGetsEveryRecordWhole(Random random) throws IOException {
        ShortWrites disk = new ShortWrites(random.nextLong(), 7);
        List<Record> written = new ArrayList<>();
        try (LogSegment segment = LogSegment.open(dir, 0, LogConfig.DEFAULT, disk::open)) {
            for (long offset = 0; offset < 20; offset++) {
                Record r = record(offset, "a record of some length, number " + offset);
                segment.append(r);
                written.add(r);
            }
            assertThat(disk.shortenedWrites()).as("the disk did write short").isPositive();
            assertThat(segment.size()).as("FileChannel.write may write fewer bytes than it was given (here 1 to "
                + "7 per call, disk seed %d): write in a loop until the buffer has nothing left, and count what "
                + "was written", disk.seed()).isEqualTo(Files.size(LogSegment.logFile(dir, 0)));
        }

        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(LogSegment.logFile(dir, 0)));
        List<Record> read = new ArrayList<>();
        while (file.hasRemaining()) {
            RecordRead r = RecordFormat.read(file, LogConfig.DEFAULT.maxRecordBytes());
            assertThat(r).as("FileChannel.write may write fewer bytes than it was given (here 1 to 7 per call, "
                + "disk seed %d): write in a loop until the buffer has nothing left", disk.seed())
                .isInstanceOf(RecordRead.Valid.class);
            read.add(((RecordRead.Valid) r).record());
        }
        assertThat(read).isEqualTo(written);
    }

    @Test
    void anAppendedRecordIsReadableFromTheFileBeforeAnyFlush() throws IOException {
        try (LogSegment segment = LogSegment.open(dir, 0, LogConfig.DEFAULT, FileOpener.REAL)) {
            segment.append(record(0, "visible"));

            assertThat(Files.size(LogSegment.logFile(dir, 0)))
                .as("append writes to the file (the page cache); flush only makes it durable")
                .isEqualTo(segment.size());
        }
    }
}

package org.mqworkbook.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mqworkbook.testkit.Exercise;

/**
 * Exercise 6.3, reading a segment: {@link LogSegment#read} finds where to start with the sparse index,
 * then scans forward. Each test starts from a segment of 500 records of 48 bytes each, offsets 1000 to
 * 1499, with an index entry about every 256 bytes — so most offsets have no entry of their own. README
 * section "6.3 A sparse offset index (日志分段与索引)".
 */
@Exercise("6.3")
@Tag("6.3")
@Timeout(20)
class SegmentReadTest {
    private static final String README = "README 6.3";
    private static final long BASE = 1_000;
    private static final int COUNT = 500;
    private static final int INTERVAL = 256;
    private static final LogConfig CONFIG = LogConfig.DEFAULT.withIndexIntervalBytes(INTERVAL);
    /** Every record of the segment has this size: "value-01234" is 11 bytes. */
    private static final int RECORD_BYTES = RecordFormat.sizeOf(record(BASE));

    @TempDir
    Path dir;

    private LogSegment segment;
    /** The records appended, in order: {@code appended.get(i)} has offset {@code BASE + i}. */
    private final List<Record> appended = new ArrayList<>();
    /** Where each record starts in the file. */
    private final List<Integer> positions = new ArrayList<>();

    private static Record record(long offset) {
        return Record.of(offset, 1_700_000_000_000L + offset, String.format("value-%05d", offset).getBytes(UTF_8));
    }

    @BeforeEach
    void appendFiveHundredRecords() throws IOException {
        segment = LogSegment.open(dir, BASE, CONFIG, FileOpener.REAL);
        for (long offset = BASE; offset < BASE + COUNT; offset++) {
            Record r = record(offset);
            positions.add(segment.append(r));
            appended.add(r);
        }
    }

    @AfterEach
    void close() throws IOException {
        segment.close();
    }

    @Test
    void readsTheRecordsFromTheRequestedOffsetToTheEnd() throws IOException {
        List<Record> read = segment.read(BASE + 123, Integer.MAX_VALUE);

        assertThat(read).as("offset 1123 and every record after it, in order; none before it, even though the "
            + "scan starts at an earlier index entry (%s)", README).isEqualTo(appended.subList(123, COUNT));
    }

    @Test
    void readsEveryOffsetThroughTheSparseIndex() throws IOException {
        int entries = segment.index().entries();
        assertThat(entries).as("the index is sparse: about one entry per %d bytes, not one per record", INTERVAL)
            .isBetween((int) (segment.size() / (INTERVAL + RECORD_BYTES)), (int) (segment.size() / INTERVAL))
            .isLessThan(COUNT / 4);

        for (int i = 0; i < COUNT; i++) {
            long offset = BASE + i;

            List<Record> read = segment.read(offset, 1);

            assertThat(read).as("read(%d, 1): the index lands up to one interval before %d (lookup gives %s); "
                + "scan forward to it and skip the records before it (%s)", offset, offset,
                segment.index().lookup(offset), README).containsExactly(appended.get(i));
        }
    }

    @ParameterizedTest(name = "maxBytes = {0} × record size + ({1}): {2} records")
    @CsvSource(delimiter = '|', textBlock = """
        1 |  0 | 1 | exactly one record's worth
        3 |  0 | 3 | exactly three records' worth
        3 |  1 | 3 | a byte more is no room for a fourth
        3 | -1 | 2 | a byte less: the third does not fit, and records are never cut
        0 |  1 | 1 | less than one record: still one, or a consumer could never get past it
        0 |  0 | 1 | zero: still one
        """)
    void returnsAsManyWholeRecordsAsFitInMaxBytes(int wholeRecords, int extraBytes, int expected, String why)
        throws IOException {
        int maxBytes = wholeRecords * RECORD_BYTES + extraBytes;

        List<Record> read = segment.read(BASE + 200, maxBytes);

        assertThat(read).as("maxBytes %d with %d-byte records: %s (%s)", maxBytes, RECORD_BYTES, why, README)
            .isEqualTo(appended.subList(200, 200 + expected));
    }

    @Test
    void returnsOneWholeRecordEvenWhenItIsLargerThanMaxBytes() throws IOException {
        long base = 10_000;
        Record big = Record.of(base + 1, 0, new byte[5_000]);
        try (LogSegment other = LogSegment.open(dir, base, CONFIG, FileOpener.REAL)) {
            other.append(record(base));
            other.append(big);
            other.append(record(base + 2));

            List<Record> read = other.read(base + 1, 100);

            assertThat(read).as("a %d-byte record with maxBytes 100: the whole record, alone; returning nothing "
                + "would leave the consumer stuck at this offset forever (%s)", RecordFormat.sizeOf(big), README)
                .containsExactly(big);
        }
    }

    @Test
    void readingAtTheNextOffsetReturnsNothingUntilARecordIsAppendedThere() throws IOException {
        long next = segment.nextOffset();

        assertThat(segment.read(next, Integer.MAX_VALUE)).as("offset %d is not written yet: nothing to read, "
            + "and not an error — a consumer that has read everything asks here (%s)", next, README).isEmpty();

        segment.append(record(next));

        assertThat(segment.read(next, Integer.MAX_VALUE)).as("now it is there").containsExactly(record(next));
    }

    @Test
    void anEmptySegmentReadsNothing() throws IOException {
        try (LogSegment empty = LogSegment.open(dir, 20_000, CONFIG, FileOpener.REAL)) {
            assertThat(empty.read(20_000, Integer.MAX_VALUE)).as("no records yet (%s)", README).isEmpty();
        }
    }

    @ParameterizedTest(name = "byte {0} of record 1250 ({1}) damaged")
    @CsvSource(delimiter = '|', textBlock = """
        0  | the length field: it becomes negative
        3  | the length field: it claims 211 bytes
        5  | the checksum
        8  | the attributes
        12 | the offset
        20 | the timestamp
        40 | the value
        """)
    void aCorruptRecordInTheRangeReadIsReportedAndNeverReturned(int byteInRecord, String field) throws IOException {
        int damagedRecord = 250;
        long position = positions.get(damagedRecord);
        flipByte(segment.logFile(), position + byteInRecord);

        assertThatThrownBy(() -> segment.read(BASE + 248, Integer.MAX_VALUE),
            "records 1248 and 1249 are fine, 1250 is not (%s): the read fails with the file and the position "
                + "where the bad bytes start, so an operator can find them (%s)", field, README)
            .isInstanceOf(StorageException.class)
            .hasMessageContaining(segment.logFile().getFileName().toString())
            .hasMessageContaining(String.valueOf(position));
        assertThatThrownBy(() -> segment.read(BASE + damagedRecord, 1),
            "nor is the damaged record ever handed out alone").isInstanceOf(StorageException.class);
    }

    @Test
    void aReadSeeksWithTheIndexInsteadOfScanningFromTheStartOfTheFile() throws IOException {
        long last = BASE + COUNT - 1;
        OffsetPosition start = segment.index().lookup(last);
        assertThat(start.position()).as("the index has an entry near the end").isGreaterThan(0);
        flipByte(segment.logFile(), positions.get(0) + 40); // damage the first record's value

        List<Record> read = new ArrayList<>();
        assertThatCode(() -> read.addAll(segment.read(last, Integer.MAX_VALUE)))
            .as("reading offset %d starts at its index entry (%s), so the damaged first record is never scanned; "
                + "a read that scans from byte 0 every time is what the index exists to avoid (%s)",
                last, start, README)
            .doesNotThrowAnyException();
        assertThat(read).containsExactly(appended.get(COUNT - 1));
    }

    /** Damages one byte of {@code file} on disk, behind the segment's back, as a failing disk would. */
    private static void flipByte(Path file, long position) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            one.put(0, (byte) (one.get(0) ^ 0xFF)).rewind();
            channel.write(one, position);
        }
    }
}

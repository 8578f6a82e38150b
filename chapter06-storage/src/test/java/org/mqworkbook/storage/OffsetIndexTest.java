package org.mqworkbook.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mqworkbook.testkit.Exercise;

/**
 * Exercise 6.3, the sparse offset index: {@link OffsetIndex#append} and {@link OffsetIndex#lookup}, on
 * a real file in a temporary directory. Most tests use the Javadoc's example: base offset 50, entries
 * (55 → 4120), (83 → 8301) and (120 → 12000). README section "6.3 A sparse offset index
 * (日志分段与索引)".
 */
@Exercise("6.3")
@Tag("6.3")
@Timeout(20)
class OffsetIndexTest {
    private static final String README = "README 6.3";
    private static final long BASE = 50;

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("00000000000000000050.index");
    }

    private OffsetIndex open() throws IOException {
        return OffsetIndex.open(file(), BASE, FileOpener.REAL);
    }

    /** The Javadoc's three entries. */
    private OffsetIndex openWithExampleEntries() throws IOException {
        OffsetIndex index = open();
        index.append(55, 4120);
        index.append(83, 8301);
        index.append(120, 12000);
        return index;
    }

    @Test
    void anEmptyIndexPointsEveryLookupAtTheStartOfTheSegment() throws IOException {
        try (OffsetIndex index = open()) {
            assertThat(index.lookup(BASE)).as("no entry: scan from the segment's first record, at byte 0 (%s)",
                README).isEqualTo(new OffsetPosition(BASE, 0));
            assertThat(index.lookup(1_000_000)).as("whatever the offset (%s)", README)
                .isEqualTo(new OffsetPosition(BASE, 0));
        }
    }

    @ParameterizedTest(name = "lookup({0}) = ({1} → {2})")
    @CsvSource(delimiter = '|', textBlock = """
        -9223372036854775808 | 50 | 0 | Long.MIN_VALUE: far below the base (offset - base must not overflow)
        0    | 50  | 0     | below the base offset: the start of the segment
        50   | 50  | 0     | the base offset has no entry: the start of the segment
        54   | 50  | 0     | still before the first entry
        55   | 55  | 4120  | exactly an entry
        56   | 55  | 4120  | between entries: the one before
        82   | 55  | 4120  | the last offset before the next entry
        83   | 83  | 8301  | exactly an entry
        100  | 83  | 8301  | between entries: the one before
        120  | 120 | 12000 | exactly the last entry
        1000 | 120 | 12000 | beyond the last entry: the last entry
        """)
    void lookupFindsTheLastEntryAtOrBeforeTheOffset(long offset, long entryOffset, int entryPosition, String why)
        throws IOException {
        try (OffsetIndex index = openWithExampleEntries()) {
            assertThat(index.lookup(offset)).as("lookup(%d): %s. The record for %d is at that position or after "
                + "it: a floor lookup (%s)", offset, why, offset, README)
                .isEqualTo(new OffsetPosition(entryOffset, entryPosition));
        }
    }

    @ParameterizedTest(name = "append({0} → {1}) after (83 → 8301)")
    @CsvSource(delimiter = '|', textBlock = """
        83 | 9000 | the same offset again
        60 | 9000 | a smaller offset
        90 | 8301 | the same position again
        90 | 5000 | a smaller position
        70 | 5000 | both smaller
        """)
    void appendRejectsAnEntryThatIsNotLargerThanTheLastInBothOffsetAndPosition(long offset, int position,
                                                                                  String why) throws IOException {
        try (OffsetIndex index = open()) {
            index.append(55, 4120);
            index.append(83, 8301);

            assertThatThrownBy(() -> index.append(offset, position),
                "%s: entries increase in offset and in position, or binary search breaks (%s)", why, README)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(offset))
                .hasMessageContaining(String.valueOf(position))
                .hasMessageContaining("8301")
                .hasMessageContaining(file().getFileName().toString());
            assertThat(index.entries()).as("a refused entry is not added").isEqualTo(2);
            assertThat(Files.size(file())).as("nor written").isEqualTo(2L * OffsetIndex.ENTRY_BYTES);
        }
    }

    @ParameterizedTest(name = "append({0}) with base offset 50: {1}")
    @CsvSource(delimiter = '|', textBlock = """
        50         | the base offset itself is relative offset 0
        2147483697 | 50 + Integer.MAX_VALUE: the largest relative offset 4 bytes hold
        """)
    void appendAcceptsEveryOffsetWhoseRelativeOffsetFitsAnInt(long offset, String why) throws IOException {
        try (OffsetIndex index = open()) {
            index.append(offset, 4120);

            assertThat(index.lookup(offset)).as("%s (%s)", why, README).isEqualTo(new OffsetPosition(offset, 4120));
        }
    }

    @Test
    void appendRejectsANegativePosition() throws IOException {
        try (OffsetIndex index = open()) {
            assertThatThrownBy(() -> index.append(55, -5), "a position is a byte location: never negative (%s)",
                README).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-5");
            assertThat(index.entries()).isZero();
        }
    }

    @ParameterizedTest(name = "append({0}) with base offset 50: {1}")
    @CsvSource(delimiter = '|', textBlock = """
        49                  | below the base offset: it belongs to an earlier segment
        -1                  | negative
        2147483698          | 50 + 2^31: the relative offset does not fit 4 signed bytes
        9223372036854775807 | Long.MAX_VALUE
        """)
    void appendRejectsAnOffsetThatDoesNotFitTheIndex(long offset, String why) throws IOException {
        try (OffsetIndex index = open()) {
            assertThatThrownBy(() -> index.append(offset, 4120),
                "%s: stored as offset - baseOffset in 4 bytes, so it must fit (%s)", why, README)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(offset))
                .hasMessageContaining(file().getFileName().toString());
            assertThat(index.entries()).isZero();
        }
    }

    @Test
    void theFileHoldsEightBytesPerEntryAsInTheWorkedExample() throws IOException {
        try (OffsetIndex index = open()) {
            index.append(55, 4120);
            index.append(83, 8301);

            assertThat(HexFormat.of().formatHex(Files.readAllBytes(file())))
                .as("(relative offset, position) as two big-endian int32s per entry, nothing else: 55 - 50 = 5 "
                    + "at 4120 = 0x1018, 83 - 50 = 33 = 0x21 at 8301 = 0x206D (%s)", README)
                .isEqualTo("00000005" + "00001018" + "00000021" + "0000206d");
        }
    }

    @Test
    void entriesSurviveCloseAndReopen() throws IOException {
        try (OffsetIndex index = openWithExampleEntries()) {
            assertThat(index.entries()).isEqualTo(3);
        }

        try (OffsetIndex reopened = open()) {
            assertThat(reopened.entries()).as("every appended entry is in the file (%s)", README).isEqualTo(3);
            assertThat(List.of(reopened.lookup(54), reopened.lookup(55), reopened.lookup(100), reopened.lookup(500)))
                .as("and the reopened index answers as before")
                .containsExactly(new OffsetPosition(50, 0), new OffsetPosition(55, 4120),
                    new OffsetPosition(83, 8301), new OffsetPosition(120, 12000));
        }
        assertThat(Files.size(file())).isEqualTo(3L * OffsetIndex.ENTRY_BYTES);
    }

    @ParameterizedTest(name = "truncateTo({0}) keeps {1} entries")
    @CsvSource(delimiter = '|', textBlock = """
        121 | 3 | 120 | 12000
        120 | 2 | 83  | 8301
        84  | 2 | 83  | 8301
        83  | 1 | 55  | 4120
        56  | 1 | 55  | 4120
        55  | 0 | 50  | 0
        50  | 0 | 50  | 0
        """)
    void truncateToDropsTheEntriesAtAndAboveTheOffset(long truncateTo, int kept, long lastOffset, int lastPosition)
        throws IOException {
        try (OffsetIndex index = openWithExampleEntries()) {
            index.truncateTo(truncateTo);

            assertThat(index.entries()).isEqualTo(kept);
            assertThat(index.lookup(1_000)).as("after recovery cut the log at offset %d, no entry may point at or "
                + "past the cut (%s)", truncateTo, README).isEqualTo(new OffsetPosition(lastOffset, lastPosition));
            assertThat(Files.size(file())).isEqualTo((long) kept * OffsetIndex.ENTRY_BYTES);
        }
    }

    @Test
    void appendAfterTruncateToContinuesFromTheKeptEntries() throws IOException {
        try (OffsetIndex index = openWithExampleEntries()) {
            index.truncateTo(83);

            index.append(83, 8500);

            assertThat(index.lookup(1_000)).as("the truncated entry's offset can be indexed again, at its new "
                + "position (recovery rebuilds the index this way)").isEqualTo(new OffsetPosition(83, 8500));
        }
        assertThat(HexFormat.of().formatHex(Files.readAllBytes(file())))
            .as("the new entry is written right after the kept one, not after the dropped ones")
            .isEqualTo("00000005" + "00001018" + "00000021" + "00002134");
    }

    @Test
    void findsTheRightEntryForEveryOffsetAmongTenThousand() throws IOException {
        long base = 1_000_000_000_000L;
        int count = 10_000;
        List<OffsetPosition> entries = new ArrayList<>();
        try (OffsetIndex index = OffsetIndex.open(dir.resolve("big.index"), base, FileOpener.REAL)) {
            for (int i = 0; i < count; i++) {
                OffsetPosition entry = new OffsetPosition(base + 1 + 3L * i, 7 + 100 * i + i % 13);
                index.append(entry.offset(), entry.position());
                entries.add(entry);
            }

            List<String> wrong = new ArrayList<>();
            int floor = -1; // the linear answer: the last entry at or below the offset, found by walking along
            for (long offset = base - 2; offset <= base + 3L * count + 5; offset++) {
                while (floor + 1 < count && entries.get(floor + 1).offset() <= offset) {
                    floor++;
                }
                OffsetPosition expected = floor < 0 ? new OffsetPosition(base, 0) : entries.get(floor);
                OffsetPosition found = index.lookup(offset);
                if (!found.equals(expected) && wrong.size() < 10) {
                    wrong.add("lookup(" + offset + ") = " + found + ", expected " + expected);
                }
            }

            assertThat(index.entries()).isEqualTo(count);
            assertThat(wrong).as("binary search agrees with a linear scan for every offset; check the boundaries "
                + "of the search (%s)", README).isEmpty();
        }
    }

    @Test
    void anIndexFileWithATornEntryIsRefusedWhenOpened() throws IOException {
        try (OffsetIndex index = open()) {
            index.append(55, 4120);
            index.append(83, 8301);
        }
        Files.write(file(), new byte[] {0, 0, 0}, StandardOpenOption.APPEND); // a crash mid-append

        assertThatThrownBy(this::open,
            "19 bytes are not whole 8-byte entries: the index is not trusted, and the segment rebuilds it "
                + "from the log (%s)", README)
            .isInstanceOf(StorageException.class)
            .hasMessageContaining(file().getFileName().toString());
    }
}

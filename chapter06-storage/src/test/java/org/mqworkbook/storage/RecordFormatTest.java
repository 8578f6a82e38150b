package org.mqworkbook.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mqworkbook.testkit.Exercise;

/**
 * Exercise 6.1, the record format: {@link RecordFormat#write} and {@link RecordFormat#read}, tested on
 * plain {@link ByteBuffer}s, without files. A reader of a log meets three kinds of bytes — a whole
 * record, the torn start of one, and garbage — and these tests show each, byte by byte. README section
 * "6.1 A record format with a checksum (文件存储 vs 数据库存储)".
 */
@Exercise("6.1")
@Tag("6.1")
@Timeout(20)
class RecordFormatTest {
    private static final String README = "README 6.1";
    private static final int MAX_RECORD_BYTES = LogConfig.DEFAULT.maxRecordBytes();

    /** One record with a key, a value and a header, small enough to draw byte by byte. */
    private static final Record SMALL = new Record(7, 1_000, bytes("k"), bytes("v"),
        List.of(new Header("h", bytes("x"))));
    // Where its fields are (the inner-length table below overwrites them):
    //   0 length   4 crc   8 attributes   9 offset   17 timestamp
    //  25 key length (1)   29 "k"   30 value length (1)   34 "v"   35 header count (1)
    //  39 header key length (1, two bytes)   41 "h"   42 header value length (1)   46 "x"   47 end

    /** Records that exercise every field: null and empty, ASCII and not, none, one and many. */
    static Stream<Named<Record>> records() {
        List<Header> manyHeaders = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            manyHeaders.add(new Header("h" + i, bytes("v" + i)));
        }
        return Stream.of(
            Named.of("no key, no headers (the Javadoc's example)", Record.of(5, 1_000, bytes("hi"))),
            Named.of("a key", new Record(6, 1_001, bytes("user-42"), bytes("hello"), List.of())),
            Named.of("a null value (a tombstone)", new Record(7, 1_002, bytes("user-42"), null, List.of())),
            Named.of("an empty value, which is not null", Record.of(8, 1_003, new byte[0])),
            Named.of("an empty key, which is not null", new Record(9, 1_004, new byte[0], bytes("v"), List.of())),
            Named.of("several headers: a null value, an empty one, non-ASCII keys",
                new Record(10, 1_005, bytes("k"), bytes("body"), List.of(
                    new Header("content-type", bytes("text/plain")),
                    new Header("trace", null),
                    new Header("", new byte[0]),
                    new Header("ключ-键-é", bytes("ü"))))),
            Named.of("300 headers: more than one byte can count", new Record(11, 1_006, null, bytes("x"), manyHeaders)),
            Named.of("a 70,000-byte value: more than 16 bits can count", Record.of(12, 1_007, new byte[70_000])),
            Named.of("the largest offset, a negative timestamp", Record.of(Long.MAX_VALUE, -1, bytes("edge"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("records")
    void aWrittenRecordReadsBackEqual(Record record) {
        ByteBuffer buffer = encode(record);

        RecordRead read = RecordFormat.read(buffer, MAX_RECORD_BYTES);

        assertThat(read).as("reading what write wrote gives a valid record (%s)", README)
            .isInstanceOf(RecordRead.Valid.class);
        assertThat(((RecordRead.Valid) read).record())
            .as("every field survives the round trip; null and empty stay different (%s)", README)
            .isEqualTo(record);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("records")
    void writeAdvancesThePositionByExactlySizeOf(Record record) {
        ByteBuffer buffer = ByteBuffer.allocate(3 + RecordFormat.sizeOf(record) + 5);
        buffer.position(3);

        RecordFormat.write(record, buffer);

        assertThat(buffer.position())
            .as("write starts at the buffer's position (3 here, not 0) and takes sizeOf bytes (%s)", README)
            .isEqualTo(3 + RecordFormat.sizeOf(record));
        assertThat(buffer.getInt(3)).as("the length field counts the bytes after itself (%s)", README)
            .isEqualTo(RecordFormat.sizeOf(record) - RecordFormat.LENGTH_BYTES);
    }

    @Test
    void encodesTheJavadocsWorkedExampleByteForByte() {
        byte[] expected = HexFormat.of().parseHex(""
            + "00000023"            // length 35: the bytes after this field
            + "00000000"            // crc32c, computed below
            + "00"                  // attributes: none
            + "0000000000000005"    // offset 5
            + "00000000000003e8"    // timestamp 1000
            + "ffffffff"            // key length -1: no key
            + "00000002" + "6869"   // value length 2, "hi"
            + "00000000");          // no headers
        CRC32C crc = new CRC32C();
        crc.update(expected, 8, expected.length - 8); // from the attributes to the end: 31 bytes
        ByteBuffer.wrap(expected).putInt(4, (int) crc.getValue());

        ByteBuffer buffer = encode(Record.of(5, 1_000, bytes("hi")));

        assertThat(buffer.remaining()).as("the worked example is 39 bytes (%s)", README).isEqualTo(39);
        assertThat(hex(buffer)).as("big-endian fields in the documented order; the CRC-32C covers bytes 8 to 38 "
            + "(%s)", README).isEqualTo(HexFormat.of().formatHex(expected));
    }

    @Test
    void readAdvancesThePositionPastAValidRecord() {
        byte[] encoded = bytesOf(encode(SMALL));
        ByteBuffer buffer = ByteBuffer.allocate(5 + encoded.length + 5);
        buffer.position(5);
        buffer.put(encoded).position(5);

        RecordRead read = RecordFormat.read(buffer, MAX_RECORD_BYTES);

        assertThat(read).as("a record may start anywhere in a buffer, here at 5 (%s)", README)
            .isEqualTo(new RecordRead.Valid(SMALL, encoded.length));
        assertThat(buffer.position()).as("the position moves past the record and no further (%s)", README)
            .isEqualTo(5 + encoded.length);
    }

    @Test
    void readsTwoRecordsBackToBackInOrder() {
        Record first = Record.of(1, 1_000, bytes("first"));
        Record second = new Record(2, 1_001, bytes("key"), bytes("second"), List.of(new Header("h", null)));
        ByteBuffer buffer = ByteBuffer.allocate(RecordFormat.sizeOf(first) + RecordFormat.sizeOf(second));
        RecordFormat.write(first, buffer);
        RecordFormat.write(second, buffer);
        buffer.flip();

        RecordRead one = RecordFormat.read(buffer, MAX_RECORD_BYTES);
        RecordRead two = RecordFormat.read(buffer, MAX_RECORD_BYTES);

        assertThat(one).as("the first record, and only it (%s)", README)
            .isEqualTo(new RecordRead.Valid(first, RecordFormat.sizeOf(first)));
        assertThat(two).as("the second starts where the first ends (%s)", README)
            .isEqualTo(new RecordRead.Valid(second, RecordFormat.sizeOf(second)));
        assertThat(buffer.hasRemaining()).as("both records consumed every byte").isFalse();
    }

    @Test
    void noSingleBitFlipIsEverReadAsAValidRecord() {
        Record record = new Record(42, 1_700_000_000_000L, bytes("user-42"), bytes("hello"),
            List.of(new Header("trace", null), new Header("é", bytes("x"))));
        byte[] encoded = bytesOf(encode(record));

        for (int at = 0; at < encoded.length; at++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] damaged = encoded.clone();
                damaged[at] ^= (byte) (1 << bit);
                ByteBuffer buffer = ByteBuffer.wrap(damaged);

                RecordRead read = readTrustingNothing(buffer, MAX_RECORD_BYTES);

                assertThat(read)
                    .as("bit %d of byte %d (%s) flipped: a damaged record is Corrupt or Incomplete, never returned "
                        + "as data — the CRC-32C catches every single-bit error (%s)", bit, at, fieldAt(at), README)
                    .isNotInstanceOf(RecordRead.Valid.class);
                assertThat(buffer.position()).as("a read that finds no valid record does not move the position")
                    .isZero();
            }
        }
    }

    @Test
    void aChecksumMismatchIsCorrupt() {
        byte[] damaged = bytesOf(encode(SMALL));
        damaged[34] ^= 0x01; // "v" becomes "w": every length still fits, only the checksum can tell

        RecordRead read = RecordFormat.read(ByteBuffer.wrap(damaged), MAX_RECORD_BYTES);

        assertThat(read).as("the bytes are all there but are not what was written: Corrupt, not Incomplete (%s)",
            README).isInstanceOf(RecordRead.Corrupt.class);
    }

    @Test
    void aTruncatedRecordIsIncompleteAtEveryLength() {
        byte[] encoded = bytesOf(encode(SMALL));

        for (int length = 0; length < encoded.length; length++) {
            ByteBuffer buffer = ByteBuffer.allocate(3 + length);
            buffer.put(new byte[] {9, 9, 9}).put(encoded, 0, length).position(3);

            RecordRead read = RecordFormat.read(buffer, MAX_RECORD_BYTES);

            assertThat(read).as("only the first %d of %d bytes: a torn write, more bytes are needed (%s)",
                length, encoded.length, README).isInstanceOf(RecordRead.Incomplete.class);
            RecordRead.Incomplete incomplete = (RecordRead.Incomplete) read;
            assertThat(incomplete.available()).as("available: the bytes after the position").isEqualTo(length);
            assertThat(incomplete.needed()).as("needed: more than is available").isGreaterThan(length);
            if (length >= RecordFormat.LENGTH_BYTES) {
                assertThat(incomplete.needed()).as("once the length field is there, it says how much is needed")
                    .isEqualTo(encoded.length);
            }
            assertThat(buffer.position()).as("Incomplete consumes nothing: the caller retries with more bytes "
                + "from the same position (%s)", README).isEqualTo(3);
        }
    }

    @ParameterizedTest(name = "length field {0}: {1} ({2})")
    @CsvSource(delimiter = '|', textBlock = """
        -2147483648          | CORRUPT    | the most negative int
        -1                   | CORRUPT    | negative
        0                    | CORRUPT    | zero
        MIN_LENGTH - 1       | CORRUPT    | too short to hold even the fixed fields
        MIN_LENGTH           | INCOMPLETE | the smallest plausible record; the buffer just ends early
        MAX_RECORD_BYTES     | INCOMPLETE | the largest plausible record; the buffer just ends early
        MAX_RECORD_BYTES + 1 | CORRUPT    | larger than any record the log accepts
        2147483647           | CORRUPT    | 2 GiB
        """)
    void theLengthFieldIsCheckedAgainstItsBoundsBeforeAnythingElse(String length, Kind expected, String why) {
        ByteBuffer buffer = ByteBuffer.allocate(12); // a length field and 8 more bytes, far from a whole record
        buffer.putInt(0, resolve(length));

        RecordRead read = readTrustingNothing(buffer, 1_024);

        assertThat(Kind.of(read)).as("length field %s with maxRecordBytes 1024: %s; a torn or damaged length "
            + "can claim anything (%s)", length, why, README).isEqualTo(expected);
        assertThat(buffer.position()).as("an invalid read does not move the position").isZero();
    }

    @Test
    @Timeout(2)
    void aTwoGigabyteLengthIsReportedAtOnceWithoutAllocatingIt() {
        ByteBuffer tiny = ByteBuffer.allocate(8).putInt(0, 0x7FFF_FFFF);

        RecordRead read = readTrustingNothing(tiny, MAX_RECORD_BYTES);

        assertThat(read).as("a record claiming 2 GiB is Corrupt; never allocate what a length claims before "
            + "checking it against maxRecordBytes (%s)", README).isInstanceOf(RecordRead.Corrupt.class);
        assertThat(((RecordRead.Corrupt) read).reason()).as("the reason names the impossible length")
            .contains("2147483647");
    }

    @ParameterizedTest(name = "attributes {0}")
    @ValueSource(ints = {0x01, 0x02, 0x40, 0x80})
    void unknownAttributesAreCorruptEvenWithAMatchingChecksum(int attributes) {
        ByteBuffer buffer = encode(SMALL);
        buffer.put(8, (byte) attributes);
        reseal(buffer);

        RecordRead read = RecordFormat.read(buffer, MAX_RECORD_BYTES);

        assertThat(read).as("attribute bits this chapter does not know (chapter 17 uses them for compression) "
            + "mean the record cannot be understood: Corrupt (%s)", README).isInstanceOf(RecordRead.Corrupt.class);
        assertThat(buffer.position()).isZero();
    }

    @ParameterizedTest(name = "{0} = {3}")
    @CsvSource(delimiter = '|', textBlock = """
        key length          | 25 | 4 | 1000
        key length          | 25 | 4 | 2147483647
        key length          | 25 | 4 | -2
        value length        | 30 | 4 | 1000
        value length        | 30 | 4 | 2147483647
        value length        | 30 | 4 | -2
        header count        | 35 | 4 | 2
        header count        | 35 | 4 | 1000
        header count        | 35 | 4 | 2147483647
        header count        | 35 | 4 | -1
        header key length   | 39 | 2 | 1000
        header key length   | 39 | 2 | 65535
        header value length | 42 | 4 | 1000
        header value length | 42 | 4 | 2147483647
        header value length | 42 | 4 | -2
        """)
    void anInnerLengthThatDoesNotFitTheRecordIsCorruptEvenWithAMatchingChecksum(String field, int at, int width,
                                                                                 int value) {
        ByteBuffer buffer = encode(SMALL);
        int was = width == 4 ? buffer.getInt(at) : buffer.getShort(at);
        assertThat(was).as("the %s of the record drawn at the top of this class is 1, at byte %d", field, at)
            .isEqualTo(1);
        if (width == 4) {
            buffer.putInt(at, value);
        } else {
            buffer.putShort(at, (short) value);
        }
        reseal(buffer);

        RecordRead read = readTrustingNothing(buffer, MAX_RECORD_BYTES);

        assertThat(read).as("%s %d does not fit the record's %d bytes: the checksum matches (a buggy writer, not "
            + "the disk), yet every inner length must be checked before it is trusted (%s)",
            field, value, buffer.limit(), README).isInstanceOf(RecordRead.Corrupt.class);
        assertThat(buffer.position()).isZero();
    }

    @Test
    void bytesLeftOverAfterTheLastHeaderAreCorrupt() {
        byte[] encoded = bytesOf(encode(SMALL));
        ByteBuffer buffer = ByteBuffer.allocate(encoded.length + 3);
        buffer.put(encoded).put(new byte[] {1, 2, 3}).flip();
        buffer.putInt(0, buffer.getInt(0) + 3); // the length claims the 3 extra bytes
        reseal(buffer);

        RecordRead read = RecordFormat.read(buffer, MAX_RECORD_BYTES);

        assertThat(read).as("the fields end 3 bytes before the length says the record does: the length and the "
            + "content disagree (%s)", README).isInstanceOf(RecordRead.Corrupt.class);
        assertThat(buffer.position()).isZero();
    }

    /** What a read found, for tables. */
    enum Kind {
        VALID, INCOMPLETE, CORRUPT;

        static Kind of(RecordRead read) {
            if (read instanceof RecordRead.Valid) {
                return VALID;
            }
            return read instanceof RecordRead.Incomplete ? INCOMPLETE : CORRUPT;
        }
    }

    /** "MIN_LENGTH - 1", "MAX_RECORD_BYTES + 1" (the 1024 of the length table) or a plain number. */
    private static int resolve(String expression) {
        String[] parts = expression.split(" ");
        int base = switch (parts[0]) {
            case "MIN_LENGTH" -> RecordFormat.MIN_LENGTH;
            case "MAX_RECORD_BYTES" -> 1_024;
            default -> Integer.parseInt(parts[0]);
        };
        if (parts.length == 1) {
            return base;
        }
        int delta = Integer.parseInt(parts[2]);
        return parts[1].equals("+") ? base + delta : base - delta;
    }

    /** The field of a record that byte {@code at} belongs to, for failure messages. */
    private static String fieldAt(int at) {
        if (at < 4) {
            return "the length";
        } else if (at < 8) {
            return "the crc";
        } else if (at == 8) {
            return "the attributes";
        } else if (at < 17) {
            return "the offset";
        } else if (at < 25) {
            return "the timestamp";
        }
        return "the key, value or headers";
    }

    /**
     * {@link RecordFormat#read}, turning an attempt to allocate what a damaged length claims into a failure
     * that says so. (Left alone, the {@link OutOfMemoryError} would stop the whole test run.)
     */
    private static RecordRead readTrustingNothing(ByteBuffer buffer, int maxRecordBytes) {
        try {
            return RecordFormat.read(buffer, maxRecordBytes);
        } catch (OutOfMemoryError e) {
            throw new AssertionError("read tried to allocate what a length field claims (" + e.getMessage()
                + "): check every length against maxRecordBytes and against the bytes actually there before "
                + "allocating anything (" + README + ")", e);
        }
    }

    /** Recomputes the CRC-32C, as a buggy writer would have: the damage is then only visible in the fields. */
    private static void reseal(ByteBuffer record) {
        CRC32C crc = new CRC32C();
        crc.update(record.slice(8, record.limit() - 8));
        record.putInt(4, (int) crc.getValue());
    }

    /** {@code record} written into a buffer of exactly its size, flipped for reading. */
    private static ByteBuffer encode(Record record) {
        ByteBuffer buffer = ByteBuffer.allocate(RecordFormat.sizeOf(record));
        RecordFormat.write(record, buffer);
        return buffer.flip();
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static String hex(ByteBuffer buffer) {
        return HexFormat.of().formatHex(bytesOf(buffer));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }
}

package org.mqworkbook.dispatch.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.mqworkbook.dispatch.partition.TopicPartition;
import org.mqworkbook.dispatch.routing.HeaderValue;
import org.mqworkbook.dispatch.topic.PartitionOffset;
import org.mqworkbook.inmemory.ErrorCode;
import org.mqworkbook.inmemory.protocol.Opcode;
import org.mqworkbook.inmemory.protocol.ProtocolException;
import org.mqworkbook.storage.Header;
import org.mqworkbook.storage.Record;

/**
 * Chapter 7's wire protocol ({@link Message}, {@link MessageCodec}) without sockets: bytes in and out of
 * a buffer or a Netty {@link EmbeddedChannel}. Given code: these tests use no exercise and pass on the
 * untouched skeleton too. What they pin down: every frame type survives a round trip, the worked example
 * in {@link Message}'s Javadoc is exact, and every count and length the peer sends is checked against
 * the bytes actually in the frame before anything is read or allocated.
 */
@Timeout(10)
class MessageCodecTest {
    /** A small limit for the boundary tests, so that "one byte too many" is a short frame. */
    /** One header of every type RabbitMQ's headers exchange compares. */
    private static Map<String, HeaderValue> typedHeaders() {
        Map<String, HeaderValue> headers = new LinkedHashMap<>();
        headers.put("x-match", new HeaderValue.Text("any"));
        headers.put("pages", new HeaderValue.Integral(-12));
        headers.put("ratio", new HeaderValue.Floating(0.5));
        headers.put("signed", new HeaderValue.Bool(true));
        headers.put("draft", new HeaderValue.NoValue());
        return headers;
    }

    private static final int SMALL_MAX = 64;
    private static final int MAX = MessageCodec.DEFAULT_MAX_FRAME_BYTES;

    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void closeChannels() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    // ---------------------------------------------------------------------------------------------
    // Round trips
    // ---------------------------------------------------------------------------------------------

    static Stream<Message> oneOfEachMessage() {
        Record keyed = new Record(5, 1_700_000_000_000L, utf8("order-17"), utf8("{\"total\":12}"),
            List.of(new Header("tag", utf8("TagA")), new Header("trace", new byte[0])));
        Record bare = new Record(6, 0, null, new byte[0], List.of());
        return Stream.of(
            new Message.CreateTopic(1, "orders", 3),
            new Message.CreateTopic(-1, "é-注文-\uD83D\uDCE6", Integer.MAX_VALUE),
            new Message.Produce(2, "orders", utf8("k"), utf8("v"), "TagA"),
            new Message.Produce(3, "orders", null, new byte[0], ""),
            new Message.Produce(Integer.MAX_VALUE, "t", new byte[0], everyByteValue(), ""),
            new Message.Fetch(4, "orders", 2, Long.MAX_VALUE, 1 << 20, "TagA || TagB"),
            new Message.Fetch(5, "orders", 0, 0, 0, "*"),
            new Message.Join(6, "billing", "m1", List.of("orders", "payments"), ""), // version 1, dynamic
            new Message.Join(7, "billing", "m2", List.of(), ""),
            new Message.Join(8, "billing", "m3-run2", List.of("orders"), "host-3"), // version 1: a static member
            new Message.Heartbeat(8, "billing", "m1", 3),
            new Message.Sync(9, "billing", "m1"),
            new Message.Commit(10, "billing", "m1", 2, "orders", 1, 42),
            new Message.Leave(11, "billing", "m1"),
            new Message.Committed(12, "billing", "orders", 0),
            new Message.Describe(13, "billing"),
            new Message.Poll(24, "TagA || TagB", 1 << 16, 500, List.of(
                new PartitionOffset(new TopicPartition("orders", 0), 0),
                new PartitionOffset(new TopicPartition("payments", 7), Long.MAX_VALUE))),
            new Message.Poll(25, "*", 0, 0, List.of()),
            new Message.CommitAll(28, "billing", "m1", 3, List.of(
                new PartitionOffset(new TopicPartition("orders", 0), 10),
                new PartitionOffset(new TopicPartition("orders", 1), 0))),
            new Message.CommitAll(29, "billing", "m1", 0, List.of()),
            new Message.Ok(14, -1),
            new Message.Ok(15, Long.MAX_VALUE),
            new Message.Produced(16, 3, 123_456_789_012L),
            new Message.Records(17, 7, 9, List.of(keyed, bare)),
            new Message.Records(18, 0, 0, List.of()),
            new Message.Assigned(19, 4, List.of(new TopicPartition("orders", 0), new TopicPartition("payments", 2))),
            new Message.Assigned(20, 0, List.of()),
            new Message.Assigned(21, 5, List.of(new TopicPartition("orders", 1)), Message.Assigned.COOPERATIVE, 1),
            new Message.DeclareExchange(30, "topic_logs", "topic"),
            new Message.Bind(31, "topic_logs", "Q1", "*.orange.*", Map.of()),
            new Message.Bind(32, "documents", "pdf", "", typedHeaders()),
            new Message.Publish(33, "topic_logs", "quick.orange.fox", null, utf8("v"), Map.of()),
            new Message.Publish(34, "documents", "", utf8("k"), new byte[0], typedHeaders()),
            new Message.Published(35, List.of(new PartitionOffset(new TopicPartition("Q1", 0), 7))),
            new Message.Published(36, List.of()),
            new Message.Assigned(22, 5, List.of(), Message.Assigned.EAGER, 1),
            new Message.Group(21, 3, List.of(
                new Message.Group.Member("m1", List.of(new TopicPartition("orders", 0))),
                new Message.Group.Member("m2", List.of()))),
            new Message.Group(22, 0, List.of()),
            new Message.Describe(24, "billing", 1),
            new Message.AddPartitions(29, "orders", 12),
            new Message.ListOffsets(37, "orders", 2, 1_765_116_300_000L),
            new Message.ListOffsets(38, "orders", 0, -2),
            new Message.OffsetAt(39, 123_456, 1_765_116_300_120L),
            new Message.OffsetAt(40, -1, -1),
            new Message.Group(25, 4, List.of(new Message.Group.Member("m1", List.of(new TopicPartition("orders", 1)))),
                List.of(new Message.Group.Lag(new TopicPartition("orders", 0), 3, 4),
                    new Message.Group.Lag(new TopicPartition("orders", 1), -1, 9)), 1),
            new Message.Group(28, 1, List.of(), List.of(), 1),
            new Message.Polled(26, List.of(
                new Message.Polled.Result(new TopicPartition("orders", 0), 7, 9, List.of(keyed, bare)),
                new Message.Polled.Result(new TopicPartition("payments", 7), 3, 3, List.of()))),
            new Message.Polled(27, List.of()),
            new Message.Error(23, ErrorKind.UNKNOWN_TOPIC, "unknown topic 'x': create it first"),
            new Message.Error(0, ErrorKind.MALFORMED_FRAME, ""));
    }

    @ParameterizedTest
    @MethodSource("oneOfEachMessage")
    void decodesWhatTheEncoderWrote(Message message) {
        ByteBuf frame = encode(message);
        try {
            assertThat(frame.readInt()).as("the length prefix counts every byte after itself")
                .isEqualTo(frame.readableBytes());
            ByteBuf fields = frame.slice();

            Message decoded = (Message) MessageCodec.decode(frame);

            // Records hold byte arrays: compare field by field, arrays by content.
            assertThat(decoded).as("%s after a round trip", message.api())
                .usingRecursiveComparison().isEqualTo(message);
            assertThat(ByteBufUtil.hexDump(encode(decoded))).as("re-encoding the decoded %s", message.api())
                .isEqualTo(ByteBufUtil.hexDump(Unpooled.buffer().writeInt(fields.readableBytes()).writeBytes(fields)));
        } finally {
            frame.release();
        }
    }

    @Test
    void roundTripCasesCoverEveryCommand() {
        Set<Message.Api> covered = oneOfEachMessage().map(Message::api).collect(Collectors.toSet());

        assertThat(covered).as("a new command needs a round-trip case in oneOfEachMessage()")
            .containsExactlyInAnyOrderElementsOf(EnumSet.allOf(Message.Api.class));
    }

    @Test
    void everyFrameTheEmbeddedCodecReceivesInOneReadIsDecodedInOrder() {
        EmbeddedChannel channel = codec(MAX);
        List<Message> messages = oneOfEachMessage().toList();
        ByteBuf all = Unpooled.buffer();
        for (Message message : messages) {
            ByteBuf encoded = encode(message);
            all.writeBytes(encoded);
            encoded.release();
        }

        channel.writeInbound(all);

        List<Message> decoded = new ArrayList<>();
        for (Message m = channel.readInbound(); m != null; m = channel.readInbound()) {
            decoded.add(m);
        }
        assertThat(decoded).usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(messages);
    }

    @Test
    void assemblesAFrameThatArrivesOneByteAtATime() {
        EmbeddedChannel channel = codec(MAX);
        Message message = new Message.Produce(5, "orders", utf8("k"), utf8("split me"), "TagA");
        ByteBuf whole = encode(message);
        int length = whole.readableBytes();

        for (int i = 0; i < length - 1; i++) {
            channel.writeInbound(whole.retainedSlice(i, 1));
            assertThat(channel.<Message>readInbound()).as("decoded after only %d of %d bytes", i + 1, length)
                .isNull();
        }
        channel.writeInbound(whole.retainedSlice(length - 1, 1));
        whole.release();

        assertThat(channel.<Message>readInbound()).usingRecursiveComparison().isEqualTo(message);
    }

    @ParameterizedTest
    @EnumSource(ErrorKind.class)
    void carriesEveryErrorKindByItsWireNumber(ErrorKind kind) {
        Message.Error decoded = (Message.Error) roundTrip(new Message.Error(1, kind, "why"));

        assertThat(decoded.kind()).isEqualTo(kind);
        assertThat(ErrorKind.fromCode(kind.code())).isEqualTo(kind);
    }

    @Test
    void decodesAnUnknownErrorNumberAsInternalError() {
        Message decoded = (Message) MessageCodec.decode(hex("8004 0000 00000002 00000063 0004 66756C6C")); // code 99

        assertThat(decoded).isEqualTo(new Message.Error(2, ErrorKind.INTERNAL_ERROR, "full"));
    }

    @Test
    void describeVersionOneAddsTheLagsAndVersionZeroStaysByteForByteAsItWas() {
        Message.Group v0 = new Message.Group(2, 1, List.of(new Message.Group.Member("m", List.of())));
        ByteBuf encoded = encode(v0);
        try {
            assertThat(ByteBufUtil.hexDump(encoded)).as("a version 0 client reads what it always read")
                .isEqualToIgnoringCase("00000017 8025 0000 00000002 00000001 00000001 00016D 00000000"
                    .replace(" ", ""));
        } finally {
            encoded.release();
        }
        Message.Group v1 = (Message.Group) roundTrip(new Message.Group(2, 1, List.of(),
            List.of(new Message.Group.Lag(new TopicPartition("t", 0), 5, 7)), 1));
        assertThat(v1.apiVersion()).isEqualTo(1);
        assertThat(v1.lags()).singleElement().satisfies(lag -> assertThat(lag.lag()).isEqualTo(2));
        assertThat(new Message.Group.Lag(new TopicPartition("t", 0), -1, 7).lag()).as("never committed")
            .isEqualTo(-1);
        assertThatThrownBy(() -> new Message.Group(2, 1, List.of(), v1.lags(), 0))
            .as("version 0 has no room for lags").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MessageCodec.decode(hex("002A 0002 00000005 000167")))
            .as("Describe version 2 does not exist yet").isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION));
    }

    @Test
    void aHeaderOfAnUnknownTypeOrARepeatedHeaderNameIsMalformed() {
        // Bind, correlation id 3: exchange "e", queue "q", key "", then the arguments.
        String bind = "002F 0000 00000003 000165 000171 0000 ";
        assertThatThrownBy(() -> MessageCodec.decode(hex(bind + "00000001 000161 0005")))
            .as("tag 5 is no header type").isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME))
            .hasMessageContaining("arguments[0].tag").hasMessageContaining("5");
        assertThatThrownBy(() -> MessageCodec.decode(hex(bind
                + "00000002 000161 0001 0000000000000001 000161 0001 0000000000000002")))
            .as("the same header twice").isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME))
            .hasMessageContaining("repeats the header 'a'");
    }

    @Test
    void cutsALongErrorMessageRatherThanFailingToReportTheError() {
        Message.Error decoded = (Message.Error) roundTrip(
            new Message.Error(1, ErrorKind.INVALID_ARGUMENT, "x".repeat(100_000)));

        assertThat(decoded.message()).hasSize(4003).endsWith("...");
    }

    @Test
    void sharesNoApiKeyWithChapterFiveButTheErrorFrame() {
        Set<Integer> chapterFive = Stream.of(Opcode.values()).map(Opcode::code).collect(Collectors.toSet());
        for (Message.Api api : Message.Api.values()) {
            assertThat(Message.Api.fromCode(api.code())).isEqualTo(api);
            if (api == Message.Api.ERROR) {
                assertThat(api.code()).as("the error frame is shared, so a client of either chapter reads why")
                    .isEqualTo(Opcode.ERROR.code());
                continue;
            }
            assertThat(chapterFive).as("%s (0x%04X): a chapter 5 client that connects here by mistake must get "
                + "UNKNOWN_COMMAND, not a misread frame", api, api.code()).doesNotContain(api.code());
            assertThat(api.code() & 0x7FFF).as("%s is in chapter 7's block of API keys", api).isBetween(0x20, 0x3F);
        }
        assertThat(Message.Api.PRODUCE.isRequest()).isTrue();
        assertThat(Message.Api.PRODUCED.isRequest()).isFalse();
        assertThat(Message.Api.fromCode(0x7E)).isNull();
    }

    // ---------------------------------------------------------------------------------------------
    // The worked example in Message's Javadoc
    // ---------------------------------------------------------------------------------------------

    /**
     * {@code Produce(7, "t", key "k", value "hi", no tag)}: header 8 + topic 3 + key 5 + value 6 + tag 2 =
     * 24 bytes after the length prefix, 28 bytes in all. If this fails, the Javadoc of {@link Message} and
     * the encoder disagree: the bytes here are what the protocol's field rules give.
     */
    private static final String WORKED_EXAMPLE = "00000018 0022 0000 00000007 000174 000000016B 000000026869 0000";

    @Test
    void encodesTheWorkedExampleByteForByte() {
        ByteBuf encoded = encode(new Message.Produce(7, "t", utf8("k"), utf8("hi"), ""));
        try {
            assertThat(ByteBufUtil.hexDump(encoded)).as("Produce(7, \"t\", \"k\", \"hi\", \"\") on the wire")
                .isEqualToIgnoringCase(WORKED_EXAMPLE.replace(" ", ""));
            assertThat(encoded.readableBytes()).isEqualTo(28);
        } finally {
            encoded.release();
        }
    }

    @Test
    void decodesTheWorkedExample() {
        EmbeddedChannel channel = codec(MAX);

        channel.writeInbound(hex(WORKED_EXAMPLE));

        assertThat(channel.<Message>readInbound()).usingRecursiveComparison()
            .isEqualTo(new Message.Produce(7, "t", utf8("k"), utf8("hi"), ""));
    }

    // ---------------------------------------------------------------------------------------------
    // Bad input: counts and lengths are the peer's claims, not facts
    // ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // Records: nextOffset, endOffset, count 2^31-1, then 5 bytes: a 30-byte frame
        "2^31-1 records in a 30-byte frame,"
            + " 8023 0000 00000011 0000000000000000 0000000000000000 7FFFFFFF 0102030405,"
            + " 17, records, 2147483647",
        // one record is at least 28 bytes: two cannot fit in 28
        "2 records where only 1 fits,"
            + " 8023 0000 00000011 0000000000000000 0000000000000000 00000002"
            + " 0000000000000000 0000000000000000 FFFFFFFF 00000000 00000000,"
            + " 17, records, 2",
        "2^31-1 headers in a record,"
            + " 8023 0000 00000012 0000000000000000 0000000000000000 00000001"
            + " 0000000000000000 0000000000000000 FFFFFFFF 00000000 7FFFFFFF,"
            + " 18, records[0].headers, 2147483647",
        "2^31-1 topics in a Join, "
            + " 0024 0001 00000006 000167 00016D 7FFFFFFF,"
            + " 6, topics, 2147483647",
        "a negative count of topics,"
            + " 0024 0001 00000006 000167 00016D FFFFFFFF,"
            + " 6, topics, -1",
        "2^30 partitions in an Assigned,"
            + " 8024 0000 00000013 00000001 40000000 0001740000000000,"
            + " 19, partitions, 1073741824",
        "2^31-1 members in a Group,"
            + " 8025 0000 00000015 00000001 7FFFFFFF,"
            + " 21, members, 2147483647",
    })
    void refusesACountTheFrameCannotHoldBeforeAllocatingForIt(String problem, String hex, int correlationId,
                                                              String field, String count) {
        // A list sized from the claim would be new ArrayList<>(2147483647): an OutOfMemoryError, not this.
        assertThatThrownBy(() -> MessageCodec.decode(hex(hex)))
            .as(problem + ": the count must be checked against the bytes left before any list is made")
            .isInstanceOfSatisfying(ProtocolException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
                assertThat(e.correlationId()).isEqualTo(correlationId);
                assertThat(e.closesConnection()).as("a malformed frame closes the connection").isTrue();
            })
            .hasMessageContaining("'" + field + "'")
            .hasMessageContaining(count)
            .hasMessageContaining("correlation id " + correlationId);
    }

    @Test
    void acceptsACountThatExactlyFits() {
        Message decoded = (Message) MessageCodec.decode(hex("8023 0000 00000011"
            + " 0000000000000000 0000000000000001 00000001"
            + " 0000000000000000 0000000000000000 FFFFFFFF 00000000 00000000"));

        assertThat(decoded).isEqualTo(new Message.Records(17, 0, 1, List.of(new Record(0, 0, null, new byte[0],
            List.of()))));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "string longer than the frame,         002A 0000 00000005 0005 67,                                  5, group",
        "string length cut in half,            002A 0000 00000005 00,                                       5, group",
        "int32 missing,                     0021 0000 00000004 000174,                                   4, partitions",
        "int32 cut short,                   0021 0000 00000004 000174 0000,                              4, partitions",
        "int64 cut short,                      0027 0000 00000004 000167 00016D 00000001 000174 00000000 00000000,"
            + " 4, offset",
        "value longer than the frame,          0022 0000 00000002 000174 FFFFFFFF 00000009 6869,            2, value",
        "value claiming 2 GiB,                 0022 0000 00000002 000174 FFFFFFFF 7FFFFFFF 6869,            2, value",
        "negative value length,                0022 0000 00000002 000174 FFFFFFFF FFFFFFFE 6869,            2, value",
        "null value (length -1),               0022 0000 00000002 000174 FFFFFFFF FFFFFFFF 0000,            2, value",
        "negative key length,                  0022 0000 00000002 000174 FFFFFFF0 00000000 0000,            2, key",
        "tag missing,                          0022 0000 00000002 000174 FFFFFFFF 00000000,                 2, tag",
        "negative offset in a poll,            002B 0000 00000006 0001 2A 00000001 00000000 00000001 000174 00000000"
            + " FFFFFFFFFFFFFFFF, 6, positions[0].offset",
        "negative partition in an assignment,  8024 0000 00000003 00000001 00000001 000174 FFFFFFFF,        3,"
            + " partitions[0].partition",
        "string that is not UTF-8,             002A 0000 00000005 0001 FF,                                  5, group",
        "UTF-8 sequence cut short,             002A 0000 00000005 0002 C328,                                5, group",
        "overlong UTF-8 encoding of '/',       002A 0000 00000005 0002 C0AF,                                5, group",
        "UTF-8 encoded surrogate,              002A 0000 00000005 0003 EDA080,                              5, group",
    })
    void refusesAFrameWhoseFieldsDoNotFitItsLayout(String problem, String hex, int correlationId, String field) {
        assertThatThrownBy(() -> MessageCodec.decode(hex(hex)))
            .as(problem)
            .isInstanceOfSatisfying(ProtocolException.class, e -> {
                assertThat(e.code()).as(problem).isEqualTo(ErrorCode.MALFORMED_FRAME);
                assertThat(e.correlationId()).isEqualTo(correlationId);
                assertThat(e.closesConnection()).isTrue();
            })
            .hasMessageContaining("field '" + field + "'");
    }

    @Test
    void refusesBytesLeftOverAfterTheLastField() {
        assertThatThrownBy(() -> MessageCodec.decode(hex("002A 0000 00000005 000167 FFFF")))
            .as("a Describe frame with 2 bytes after its only field")
            .isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME))
            .hasMessageContaining("2 bytes left over");
    }

    @Test
    void namesTheCommandTheCorrelationIdAndTheField() {
        assertThatThrownBy(() -> MessageCodec.decode(hex("0022 0000 00000002 000174 FFFFFFFF 7FFFFFFF 6869")))
            .hasMessageContaining("0x0022")
            .hasMessageContaining("PRODUCE")
            .hasMessageContaining("correlation id 2")
            .hasMessageContaining("'value'")
            .hasMessageContaining("2147483647");
    }

    @Test
    void reportsAnUnknownCommandWithoutClosingTheConnection() {
        assertThatThrownBy(() -> MessageCodec.decode(hex("007E 0000 0000002A ABCD")))
            .isInstanceOfSatisfying(ProtocolException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_COMMAND);
                assertThat(e.correlationId()).as("the answer must reach the request that caused it").isEqualTo(42);
                assertThat(e.closesConnection()).as("the length prefix said where the frame ended: the stream goes on")
                    .isFalse();
            })
            .hasMessageContaining("0x007E").hasMessageContaining("ApiVersions");
    }

    @Test
    void decodesTheFrameBehindAnUnknownCommand() {
        Caught caught = new Caught();
        EmbeddedChannel channel = codec(MAX, caught);
        ByteBuf unknownThenDescribe = hex("0000000A 007E 0000 0000002A ABCD" + "0000000B 002A 0000 00000003 000167");

        channel.writeInbound(unknownThenDescribe);

        assertThat(channel.<Message>readInbound()).as("the frame after the unknown one")
            .isEqualTo(new Message.Describe(3, "g"));
        assertThat(caught.errors).singleElement()
            .satisfies(e -> assertThat(((ProtocolException) e).code()).isEqualTo(ErrorCode.UNKNOWN_COMMAND));
    }

    @ParameterizedTest(name = "length prefix {0}: {1}")
    @CsvSource({
        "-2147483648, MALFORMED_FRAME",
        "         -1, MALFORMED_FRAME",
        "          0, MALFORMED_FRAME",
        "          4, MALFORMED_FRAME",
        "         65, FRAME_TOO_LARGE",
        " 2147483647, FRAME_TOO_LARGE",
    })
    void refusesALengthPrefixOutsideTheAcceptedRangeAsSoonAsItArrives(int lengthPrefix, ErrorKind expected) {
        Caught caught = new Caught();
        EmbeddedChannel channel = codec(SMALL_MAX, caught);

        // Only the 4 prefix bytes are sent: the decoder must decide without waiting for (or buffering)
        // the bytes the prefix claims.
        channel.writeInbound(Unpooled.buffer(4).writeInt(lengthPrefix));

        assertThat(caught.errors).as("length prefix %d", lengthPrefix).singleElement()
            .satisfies(e -> {
                ProtocolException error = (ProtocolException) e;
                assertThat(ErrorKind.of(error.code())).isEqualTo(expected);
                assertThat(error.closesConnection()).isTrue();
                assertThat(error.getMessage()).contains(String.valueOf(lengthPrefix));
            });
    }

    @ParameterizedTest(name = "{0}-byte value in a {1}-byte limit: accepted {2}")
    @CsvSource({
        // length prefix = 8 (header) + 3 (topic "t") + 4 (null key) + 4 + value + 2 (no tag) = 21 + value
        "43, 64, true",
        "44, 64, false",
    })
    void acceptsAFrameUpToExactlyTheMaximumLength(int valueBytes, int maxFrameBytes, boolean accepted) {
        Caught caught = new Caught();
        EmbeddedChannel channel = codec(maxFrameBytes, caught);
        Message message = new Message.Produce(1, "t", null, new byte[valueBytes], "");
        ByteBuf encoded = Unpooled.buffer();
        MessageCodec.encode(message, encoded, Integer.MAX_VALUE);

        channel.writeInbound(encoded);

        if (accepted) {
            assertThat(channel.<Message>readInbound()).usingRecursiveComparison().isEqualTo(message);
            assertThat(caught.errors).isEmpty();
        } else {
            assertThat(channel.<Message>readInbound()).isNull();
            assertThat(caught.errors).singleElement()
                .satisfies(e -> assertThat(((ProtocolException) e).code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE));
        }
    }

    @Test
    void discardsEverythingAfterAFatalErrorBecauseTheNextFrameBoundaryIsUnknown() {
        Caught caught = new Caught();
        EmbeddedChannel channel = codec(MAX, caught);
        channel.writeInbound(hex("0000000B 002A 0000 00000005 0009 67")); // a group name longer than the frame
        assertThat(caught.errors).hasSize(1);

        channel.writeInbound(encode(new Message.Describe(6, "g")));

        assertThat(channel.<Message>readInbound()).as("nothing is decoded once the frame boundaries are lost")
            .isNull();
    }

    @Test
    void refusesToEncodeAFrameLargerThanThePeerAcceptsAndWritesNothing() {
        ByteBuf out = Unpooled.buffer();
        out.writeByte(0x55); // something already in the buffer must stay as it was

        assertThatThrownBy(() -> MessageCodec.encode(new Message.Produce(1, "t", null, new byte[SMALL_MAX], ""),
            out, SMALL_MAX))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(String.valueOf(SMALL_MAX));
        assertThat(out.readableBytes()).as("the half-written frame is taken back").isEqualTo(1);
    }

    // ---------------------------------------------------------------------------------------------

    /** Records the exceptions the codec reports, as the server's handler would receive them. */
    private static final class Caught extends ChannelInboundHandlerAdapter {
        private final List<Throwable> errors = new ArrayList<>();

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A fatal error arrives wrapped by Netty's ByteToMessageDecoder, an unknown command as is.
            errors.add(cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause);
        }
    }

    private EmbeddedChannel codec(int maxFrameBytes) {
        return codec(maxFrameBytes, null);
    }

    private EmbeddedChannel codec(int maxFrameBytes, Caught caught) {
        EmbeddedChannel channel = new EmbeddedChannel();
        MessageCodec.install(channel.pipeline(), maxFrameBytes);
        if (caught != null) {
            channel.pipeline().addLast(caught);
        }
        channels.add(channel);
        return channel;
    }

    private static ByteBuf encode(Message message) {
        ByteBuf out = Unpooled.buffer();
        MessageCodec.encode(message, out, MAX);
        return out;
    }

    private static Message roundTrip(Message message) {
        ByteBuf frame = encode(message);
        try {
            frame.skipBytes(4);
            return (Message) MessageCodec.decode(frame);
        } finally {
            frame.release();
        }
    }

    private static ByteBuf hex(String hex) {
        return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex.replace(" ", "")));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(UTF_8);
    }

    private static byte[] everyByteValue() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        return all;
    }
}

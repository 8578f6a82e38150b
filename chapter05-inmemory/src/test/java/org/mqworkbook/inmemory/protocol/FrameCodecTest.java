package org.mqworkbook.inmemory.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.mqworkbook.inmemory.ErrorCode;

/**
 * The wire protocol's encoder and decoder, without sockets: bytes go in and out of a Netty
 * {@link EmbeddedChannel}. Given code: these tests pass on the untouched skeleton too.
 */
@Timeout(10)
class FrameCodecTest {
    /** A small limit for the boundary tests, so that "one byte too many" is a short frame. */
    private static final int SMALL_MAX = 64;

    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void closeChannels() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    // ---------------------------------------------------------------------------------------------
    // Round trips and the documented examples
    // ---------------------------------------------------------------------------------------------

    static Stream<Frame> oneOfEachFrame() {
        return Stream.of(
            new Frame.DeclareQueue(1, "orders", 100, 30_000),
            new Frame.DeclareQueue(-1, "q", Integer.MAX_VALUE, Long.MAX_VALUE),
            new Frame.Publish(2, "orders", "hello".getBytes(StandardCharsets.UTF_8)),
            new Frame.Publish(Integer.MAX_VALUE, "q", new byte[0]),
            new Frame.Publish(3, "é-注文-\uD83D\uDCE6", everyByteValue()),
            new Frame.Receive(4, "orders", 0),
            new Frame.Receive(5, "orders", Long.MIN_VALUE),
            new Frame.Subscribe(6, "orders", 10),
            new Frame.Cancel(7, ""),
            new Frame.Ack(8, "orders", Long.MAX_VALUE),
            new Frame.Reject(9, "orders", 1, true),
            new Frame.Reject(10, "orders", 2, false),
            new Frame.Ok(11, -1),
            new Frame.Deliver(12, "orders", 7, 3, 2, "hello".getBytes(StandardCharsets.UTF_8)),
            new Frame.Deliver(13, "q", 1, 0, 1, new byte[0]),
            new Frame.Empty(14),
            new Frame.Error(15, ErrorCode.QUEUE_FULL, "queue 'orders' is full"),
            new Frame.Error(0, ErrorCode.MALFORMED_FRAME, ""),
            new Frame.ApiVersions(16),
            Frame.Versions.ofChapter5(17),
            new Frame.Versions(18, "", List.of()));
    }

    @ParameterizedTest
    @MethodSource("oneOfEachFrame")
    void decodesWhatTheEncoderWrote(Frame frame) {
        EmbeddedChannel channel = codec(Protocol.DEFAULT_MAX_FRAME_BYTES);

        channel.writeInbound(encode(frame));

        Frame decoded = channel.readInbound();
        assertThat(decoded).isEqualTo(frame);
        assertThat(channel.<Frame>readInbound()).isNull();
    }

    @Test
    void roundTripCasesCoverEveryOpcode() {
        Set<Opcode> covered = oneOfEachFrame().map(Frame::opcode).collect(Collectors.toSet());

        assertThat(covered).containsExactlyInAnyOrderElementsOf(EnumSet.allOf(Opcode.class));
    }

    /** The worked examples in the Javadoc of {@link Frame}, byte for byte. */
    static Stream<Arguments> documentedExamples() {
        return Stream.of(
            Arguments.of(new Frame.DeclareQueue(1, "q", 100, 30_000),
                "00000017 0001 0000 00000001 000171 00000064 0000000000007530"),
            Arguments.of(new Frame.Publish(2, "q", "hi".getBytes(StandardCharsets.UTF_8)),
                "00000011 0002 0000 00000002 000171 00000002 6869"),
            Arguments.of(new Frame.Receive(3, "q", 5000),
                "00000013 0003 0000 00000003 000171 0000000000001388"),
            Arguments.of(new Frame.Subscribe(4, "q", 10),
                "0000000F 0004 0000 00000004 000171 0000000A"),
            Arguments.of(new Frame.Cancel(5, "q"),
                "0000000B 0005 0000 00000005 000171"),
            Arguments.of(new Frame.Ack(6, "q", 1),
                "00000013 0006 0000 00000006 000171 0000000000000001"),
            Arguments.of(new Frame.Reject(7, "q", 1, true),
                "00000014 0007 0000 00000007 000171 0000000000000001 01"),
            Arguments.of(new Frame.Ok(2, 0),
                "00000010 8001 0000 00000002 0000000000000000"),
            Arguments.of(new Frame.Deliver(3, "q", 1, 0, 1, "hi".getBytes(StandardCharsets.UTF_8)),
                "00000025 8002 0000 00000003 000171 0000000000000001 0000000000000000 00000001 00000002 6869"),
            Arguments.of(new Frame.Empty(3),
                "00000008 8003 0000 00000003"),
            Arguments.of(new Frame.Error(2, ErrorCode.QUEUE_FULL, "full"),
                "00000012 8004 0000 00000002 00000006 0004 66756C6C"));
    }

    @ParameterizedTest
    @MethodSource("documentedExamples")
    void encodesEachDocumentedExampleByteForByte(Frame frame, String hex) {
        ByteBuf encoded = encode(frame);
        try {
            assertThat(ByteBufUtil.hexDump(encoded)).isEqualToIgnoringCase(hex.replace(" ", ""));
        } finally {
            encoded.release();
        }
    }

    @ParameterizedTest
    @MethodSource("documentedExamples")
    void decodesEachDocumentedExample(Frame frame, String hex) {
        EmbeddedChannel channel = codec(Protocol.DEFAULT_MAX_FRAME_BYTES);

        channel.writeInbound(bytes(hex));

        Frame decoded = channel.readInbound();
        assertThat(decoded).isEqualTo(frame);
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void carriesEveryErrorCodeByItsWireNumber(ErrorCode code) {
        EmbeddedChannel channel = codec(Protocol.DEFAULT_MAX_FRAME_BYTES);

        channel.writeInbound(encode(new Frame.Error(1, code, "why")));

        Frame.Error decoded = channel.readInbound();
        assertThat(decoded.code()).isEqualTo(code);
    }

    @Test
    void decodesAnUnknownErrorCodeAsInternalError() {
        EmbeddedChannel channel = codec(Protocol.DEFAULT_MAX_FRAME_BYTES);

        channel.writeInbound(bytes("00000012 8004 0000 00000002 00000063 0004 66756C6C")); // code 99

        Frame.Error decoded = channel.readInbound();
        assertThat(decoded).isEqualTo(new Frame.Error(2, ErrorCode.INTERNAL_ERROR, "full"));
    }

    @Test
    void cutsLongErrorMessagesSoThatTheFrameStaysSmall() {
        Frame.Error error = new Frame.Error(1, ErrorCode.INVALID_ARGUMENT, "x".repeat(100_000));

        assertThat(error.message()).hasSize(Frame.Error.MAX_MESSAGE_CHARS).endsWith("...");
    }

    // ---------------------------------------------------------------------------------------------
    // Framing: partial and batched reads
    // ---------------------------------------------------------------------------------------------

    @Test
    void assemblesAFrameThatArrivesOneByteAtATime() {
        EmbeddedChannel channel = codec(Protocol.DEFAULT_MAX_FRAME_BYTES);
        Frame frame = new Frame.Deliver(5, "orders", 9, 4, 2, "split me".getBytes(StandardCharsets.UTF_8));
        ByteBuf whole = encode(frame);
        int length = whole.readableBytes();

        for (int i = 0; i < length - 1; i++) {
            channel.writeInbound(whole.retainedSlice(i, 1));
            assertThat(channel.<Frame>readInbound())
                .as("decoded after %d of %d bytes", i + 1, length)
                .isNull();
        }
        channel.writeInbound(whole.retainedSlice(length - 1, 1));
        whole.release();

        Frame decoded = channel.readInbound();
        assertThat(decoded).isEqualTo(frame);
    }

    @Test
    void decodesEveryFrameThatArrivesInOneRead() {
        EmbeddedChannel channel = codec(Protocol.DEFAULT_MAX_FRAME_BYTES);
        List<Frame> frames = oneOfEachFrame().toList();
        ByteBuf all = Unpooled.buffer();
        for (Frame frame : frames) {
            ByteBuf encoded = encode(frame);
            all.writeBytes(encoded);
            encoded.release();
        }

        channel.writeInbound(all);

        List<Frame> decoded = new ArrayList<>();
        for (Frame frame = channel.readInbound(); frame != null; frame = channel.readInbound()) {
            decoded.add(frame);
        }
        assertThat(decoded).containsExactlyElementsOf(frames);
    }

    @Test
    void decodesAFrameWhoseLastBytesArriveWithTheStartOfTheNext() {
        EmbeddedChannel channel = codec(Protocol.DEFAULT_MAX_FRAME_BYTES);
        byte[] two = concat(bytes("00000011 0002 0000 00000002 000171 00000002 6869"), // 21 bytes
            bytes("00000008 8003 0000 00000003"));                                          // 12 bytes

        channel.writeInbound(Unpooled.wrappedBuffer(two, 0, 10));
        assertThat(channel.<Frame>readInbound()).isNull();
        channel.writeInbound(Unpooled.wrappedBuffer(two, 10, 15)); // the end of Publish, 4 bytes of Empty
        Frame first = channel.readInbound();
        assertThat(channel.<Frame>readInbound()).isNull();
        channel.writeInbound(Unpooled.wrappedBuffer(two, 25, two.length - 25));
        Frame second = channel.readInbound();

        assertThat(first).isEqualTo(new Frame.Publish(2, "q", "hi".getBytes(StandardCharsets.UTF_8)));
        assertThat(second).isEqualTo(new Frame.Empty(3));
    }

    // ---------------------------------------------------------------------------------------------
    // Bad input: lengths, fields, opcodes
    // ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "length prefix {0}: {1}")
    @CsvSource({
        "-2147483648, MALFORMED_FRAME",
        "         -1, MALFORMED_FRAME",
        "          0, MALFORMED_FRAME",
        "          4, MALFORMED_FRAME",
        "          7, MALFORMED_FRAME",
        "         65, FRAME_TOO_LARGE",
        " 2147483647, FRAME_TOO_LARGE",
    })
    void rejectsALengthPrefixOutsideTheAcceptedRangeAsSoonAsItArrives(int lengthPrefix, ErrorCode expected) {
        EmbeddedChannel channel = codec(SMALL_MAX);

        // Only the 4 prefix bytes are sent: the decoder must decide without waiting for (or buffering)
        // the bytes the prefix claims.
        assertThatThrownBy(() -> channel.writeInbound(Unpooled.buffer(4).writeInt(lengthPrefix)))
            .isInstanceOfSatisfying(ProtocolException.class, e -> {
                assertThat(e.code()).isEqualTo(expected);
                assertThat(e.closesConnection()).isTrue();
                assertThat(e.getMessage()).contains(String.valueOf(lengthPrefix));
            });
    }

    @Test
    void rejectsANegativeLengthPrefix() {
        EmbeddedChannel channel = codec(Protocol.DEFAULT_MAX_FRAME_BYTES);

        assertThatThrownBy(() -> channel.writeInbound(bytes("FFFFFFFF 8003 0000 00000007")))
            .isInstanceOfSatisfying(ProtocolException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
                assertThat(e.correlationId()).isEqualTo(7);
            });
    }

    @ParameterizedTest(name = "{0}-byte body in a {1}-byte limit: accepted {2}")
    @CsvSource({
        // length prefix = 8 (header) + 3 (queue "q") + 4 (body length) + body
        "49, 64, true",
        "50, 64, false",
        "0,  15, true",
        "1,  15, false",
    })
    void acceptsAFrameUpToExactlyTheMaximumLength(int bodyBytes, int maxFrameBytes, boolean accepted) {
        EmbeddedChannel channel = codec(maxFrameBytes);
        Frame frame = new Frame.Publish(1, "q", new byte[bodyBytes]);
        ByteBuf encoded = encodeWithoutLimit(frame);

        if (accepted) {
            channel.writeInbound(encoded);
            Frame decoded = channel.readInbound();
            assertThat(decoded).isEqualTo(frame);
        } else {
            assertThatThrownBy(() -> channel.writeInbound(encoded))
                .isInstanceOfSatisfying(ProtocolException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "string longer than the frame,          0000000B 0005 0000 00000005 0005 71,                            5",
        "string length cut in half,             00000009 0005 0000 00000005 00,                                 5",
        "body longer than the frame,            00000011 0002 0000 00000002 000171 00000009 6869,               2",
        "body claiming 2 GiB,                   00000011 0002 0000 00000002 000171 7FFFFFFF 6869,               2",
        "negative body length,                  00000011 0002 0000 00000002 000171 FFFFFFFF 6869,               2",
        "int64 cut short,                       0000000F 0006 0000 00000006 000171 00000001,                    6",
        "int32 missing,                         0000000B 0004 0000 00000004 000171,                             4",
        "bytes left over after the last field,  00000009 8003 0000 00000003 FF,                                 3",
        "requeue flag neither 0 nor 1,          00000014 0007 0000 00000007 000171 0000000000000001 02,         7",
        "string that is not UTF-8,              0000000B 0005 0000 00000005 0001 FF,                            5",
        "overlong UTF-8 encoding of '/',        0000000C 0005 0000 00000005 0002 C0AF,                          5",
        "UTF-8 encoded surrogate,               0000000D 0005 0000 00000005 0003 EDA080,                        5",
    })
    void rejectsAFrameWhoseFieldsDoNotFitItsLayout(String problem, String hex, int correlationId) {
        EmbeddedChannel channel = codec(Protocol.DEFAULT_MAX_FRAME_BYTES);

        assertThatThrownBy(() -> channel.writeInbound(bytes(hex)))
            .as(problem)
            .isInstanceOfSatisfying(ProtocolException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
                assertThat(e.correlationId()).isEqualTo(correlationId);
                assertThat(e.closesConnection()).isTrue();
            });
    }

    @Test
    void namesTheFrameAndTheFieldThatDoNotFit() {
        EmbeddedChannel channel = codec(Protocol.DEFAULT_MAX_FRAME_BYTES);

        assertThatThrownBy(() -> channel.writeInbound(bytes("00000011 0002 0000 00000002 000171 7FFFFFFF 6869")))
            .hasMessageContaining("PUBLISH")
            .hasMessageContaining("correlation id 2")
            .hasMessageContaining("'body'")
            .hasMessageContaining("2147483647");
    }

    @Test
    void reportsAnUnknownVersionAndDecodesTheFrameBehindIt() {
        EmbeddedChannel channel = codec(Protocol.DEFAULT_MAX_FRAME_BYTES);
        // Publish, version 1: a layout this broker does not read. Then Empty, version 0.
        ByteBuf newerThenEmpty = bytes("00000011 0002 0001 00000002 000171 00000002 6869"
            + "00000008 8003 0000 00000003");

        assertThatThrownBy(() -> channel.writeInbound(newerThenEmpty))
            .isInstanceOfSatisfying(ProtocolException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
                assertThat(e.correlationId()).isEqualTo(2);
                assertThat(e.closesConnection()).isFalse();
                assertThat(e.getMessage()).contains("0x0002 PUBLISH version 1").contains("versions 0 to 0");
            });
        Frame next = channel.readInbound();
        assertThat(next).isEqualTo(new Frame.Empty(3));
    }

    @Test
    void readsAnApiKeyWithBit15SetAsUnsigned() {
        EmbeddedChannel channel = codec(Protocol.DEFAULT_MAX_FRAME_BYTES);

        assertThatThrownBy(() -> channel.writeInbound(bytes("00000008 FFFF 0000 00000009")))
            .isInstanceOfSatisfying(ProtocolException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_COMMAND);
                assertThat(e.getMessage()).contains("API key 0xFFFF (").doesNotContain("0xFFFFFFFF");
            });
    }

    @Test
    void reportsAnUnknownOpcodeAndDecodesTheFrameBehindIt() {
        EmbeddedChannel channel = codec(Protocol.DEFAULT_MAX_FRAME_BYTES);
        ByteBuf unknownThenEmpty = bytes("0000000A 007F 0000 0000002A ABCD" + "00000008 8003 0000 00000003");

        assertThatThrownBy(() -> channel.writeInbound(unknownThenEmpty))
            .isInstanceOfSatisfying(ProtocolException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_COMMAND);
                assertThat(e.correlationId()).isEqualTo(42);
                assertThat(e.closesConnection()).isFalse();
                assertThat(e.getMessage()).contains("0x007F").contains("ApiVersions");
            });
        Frame next = channel.readInbound();
        assertThat(next).isEqualTo(new Frame.Empty(3));
    }

    @Test
    void discardsEverythingAfterAFatalErrorBecauseTheNextFrameBoundaryIsUnknown() {
        EmbeddedChannel channel = codec(Protocol.DEFAULT_MAX_FRAME_BYTES);
        assertThatThrownBy(() -> channel.writeInbound(bytes("80000000")))
            .isInstanceOf(ProtocolException.class);

        channel.writeInbound(encode(new Frame.Empty(3)));

        assertThat(channel.<Frame>readInbound()).isNull();
    }

    // ---------------------------------------------------------------------------------------------
    // Encoder limits
    // ---------------------------------------------------------------------------------------------

    @Test
    void refusesToEncodeAFrameLargerThanThePeerAccepts() {
        EmbeddedChannel channel = codec(SMALL_MAX);

        assertThatThrownBy(() -> channel.writeOutbound(new Frame.Publish(1, "q", new byte[SMALL_MAX])))
            .isInstanceOf(EncoderException.class)
            .hasRootCauseInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(String.valueOf(SMALL_MAX));
        assertThat(channel.<ByteBuf>readOutbound()).isNull();
    }

    @Test
    void refusesToEncodeAStringLongerThanItsLengthFieldCanSay() {
        EmbeddedChannel channel = codec(Protocol.DEFAULT_MAX_FRAME_BYTES);
        String tooLong = "q".repeat(Protocol.MAX_STRING_BYTES + 1);

        assertThatThrownBy(() -> channel.writeOutbound(new Frame.Cancel(1, tooLong)))
            .isInstanceOf(EncoderException.class)
            .hasRootCauseInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------------------------------------

    private EmbeddedChannel codec(int maxFrameBytes) {
        EmbeddedChannel channel =
            new EmbeddedChannel(new FrameDecoder(maxFrameBytes), new FrameEncoder(maxFrameBytes));
        channels.add(channel);
        return channel;
    }

    private ByteBuf encode(Frame frame) {
        EmbeddedChannel encoder = codec(Protocol.DEFAULT_MAX_FRAME_BYTES);
        encoder.writeOutbound(frame);
        return encoder.readOutbound();
    }

    private ByteBuf encodeWithoutLimit(Frame frame) {
        EmbeddedChannel encoder = codec(Integer.MAX_VALUE);
        encoder.writeOutbound(frame);
        return encoder.readOutbound();
    }

    private static ByteBuf bytes(String hex) {
        return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex.replace(" ", "")));
    }

    private static byte[] concat(ByteBuf first, ByteBuf second) {
        byte[] all = new byte[first.readableBytes() + second.readableBytes()];
        first.readBytes(all, 0, first.readableBytes());
        second.readBytes(all, all.length - second.readableBytes(), second.readableBytes());
        return all;
    }

    private static byte[] everyByteValue() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        return all;
    }
}

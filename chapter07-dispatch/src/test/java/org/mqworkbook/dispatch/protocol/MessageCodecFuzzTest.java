package org.mqworkbook.dispatch.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mqworkbook.inmemory.ErrorCode;
import org.mqworkbook.inmemory.protocol.ProtocolException;
import org.mqworkbook.inmemory.protocol.WireFrame;
import org.mqworkbook.testkit.Seeded;
import org.mqworkbook.testkit.fuzz.FrameMutator;

/**
 * Fuzzes chapter 7's codec (given code) with seeded inputs: every message of the round-trip table, bent by
 * {@link FrameMutator} (bits flipped, cut short, a lying length, an unknown command, junk after it, noise)
 * and delivered in random pieces. Whatever arrives, the codec produces messages that encode back to
 * themselves or refuses with a {@link ProtocolException} naming its kind — never another exception, never an
 * allocation the frame's own length did not allow.
 *
 * <p>The build runs {@value #DEFAULT_INPUTS} inputs; {@code -Dfuzz.inputs=1000000} soaks. A failure names the
 * seed and the input in hex; {@code -Dseed=} replays it.
 */
@Timeout(120)
@ExtendWith(Seeded.class)
class MessageCodecFuzzTest {
    static final int DEFAULT_INPUTS = 3_000;
    private static final int MAX_FRAME_BYTES = 64 * 1024;

    @Test
    void anyBytesDecodeToMessagesOrANamedRefusalNeverAnotherException(Random random) {
        List<byte[]> corpus = new ArrayList<>();
        MessageCodecTest.oneOfEachMessage().forEach(message -> corpus.add(bytes(message)));
        int decoded = 0;
        int refused = 0;
        for (int i = 0, inputs = FrameMutator.inputs(DEFAULT_INPUTS); i < inputs; i++) {
            List<byte[]> frames = new ArrayList<>();
            for (int f = 1 + random.nextInt(3); f > 0; f--) {
                frames.add(corpus.get(random.nextInt(corpus.size())));
            }
            byte[] input = FrameMutator.mutate(FrameMutator.concat(frames), random, MAX_FRAME_BYTES);
            EmbeddedChannel channel = new EmbeddedChannel();
            MessageCodec.install(channel.pipeline(), MAX_FRAME_BYTES);
            try {
                for (byte[] piece : FrameMutator.pieces(input, random)) {
                    channel.writeInbound(Unpooled.wrappedBuffer(piece));
                    for (Object message = channel.readInbound(); message != null; message = channel.readInbound()) {
                        WireFrame again = MessageCodec.decode(withoutLength(encode((WireFrame) message)));
                        assertThat(again).as("input %s: a decoded message encodes to itself",
                            HexFormat.of().formatHex(input)).usingRecursiveComparison().isEqualTo(message);
                        decoded++;
                    }
                }
            } catch (RuntimeException e) {
                ProtocolException refusal = refusalIn(e);
                assertThat(refusal).as("input %d (%s): only a ProtocolException may come out of the codec, not %s", i,
                    HexFormat.of().formatHex(input), e).isNotNull();
                assertThat(refusal.code()).isIn(ErrorCode.MALFORMED_FRAME, ErrorCode.FRAME_TOO_LARGE,
                    ErrorCode.UNKNOWN_COMMAND, ErrorCode.UNSUPPORTED_VERSION);
                assertThat(refusal.getMessage()).isNotBlank();
                refused++;
            } finally {
                channel.finishAndReleaseAll();
            }
        }
        assertThat(decoded).as("the inputs exercise decoding").isPositive();
        assertThat(refused).as("and refusing").isPositive();
    }

    private static ProtocolException refusalIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProtocolException error) {
                return error;
            }
            if (!(t instanceof DecoderException)) {
                return null;
            }
        }
        return null;
    }

    private static ByteBuf encode(WireFrame message) {
        EmbeddedChannel channel = new EmbeddedChannel();
        MessageCodec.install(channel.pipeline(), MAX_FRAME_BYTES);
        channel.writeOutbound(message);
        ByteBuf encoded = channel.readOutbound();
        channel.finish();
        return encoded;
    }

    /** The frame after its 4-byte length prefix, as {@link MessageCodec#decode} takes it. */
    private static ByteBuf withoutLength(ByteBuf frame) {
        frame.skipBytes(4);
        return frame;
    }

    private static byte[] bytes(Message message) {
        ByteBuf encoded = encode(message);
        byte[] bytes = ByteBufUtil.getBytes(encoded);
        encoded.release();
        return bytes;
    }
}

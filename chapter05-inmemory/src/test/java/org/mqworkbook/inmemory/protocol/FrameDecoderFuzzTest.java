package org.mqworkbook.inmemory.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
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
import org.mqworkbook.testkit.Seeded;
import org.mqworkbook.testkit.fuzz.FrameMutator;

/**
 * Fuzzes {@link FrameDecoder} (given code) with seeded inputs ({@link FrameMutator}): valid frames, valid
 * frames with bits flipped, cut short, with a lying length, an unknown command or junk appended, and plain
 * random bytes, each delivered in random pieces. Whatever arrives, the decoder must either produce frames that encode back to themselves or
 * refuse with a {@link ProtocolException} that names an error code — never another exception (an index
 * out of bounds, a negative array size, an out-of-memory), and never a frame it could not have read.
 *
 * <p>The build runs {@value #DEFAULT_INPUTS} inputs; {@code -Dfuzz.inputs=1000000} soaks (about a minute
 * per million). A failure names the seed and the input in hex; {@code -Dseed=} replays it.
 */
@Timeout(120)
@ExtendWith(Seeded.class)
class FrameDecoderFuzzTest {
    static final int DEFAULT_INPUTS = 3_000;
    private static final int MAX_FRAME_BYTES = 4096;

    @Test
    void anyBytesDecodeToFramesOrANamedRefusalNeverAnotherException(Random random) {
        int inputs = FrameMutator.inputs(DEFAULT_INPUTS);
        int frames = 0;
        int refusals = 0;
        for (int i = 0; i < inputs; i++) {
            byte[] input = FrameMutator.mutate(validFrames(random), random, MAX_FRAME_BYTES);
            EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX_FRAME_BYTES));
            try {
                for (byte[] piece : FrameMutator.pieces(input, random)) {
                    channel.writeInbound(Unpooled.wrappedBuffer(piece));
                    for (Object decoded = channel.readInbound(); decoded != null; decoded = channel.readInbound()) {
                        assertRoundTrips((Frame) decoded, input);
                        frames++;
                    }
                }
            } catch (RuntimeException e) {
                ProtocolException refusal = refusalIn(e);
                assertThat(refusal).as("input %d (%s): only a ProtocolException may come out of the decoder, not %s",
                    i, HexFormat.of().formatHex(input), e).isNotNull();
                assertThat(refusal.code()).isIn(ErrorCode.MALFORMED_FRAME, ErrorCode.FRAME_TOO_LARGE,
                    ErrorCode.UNKNOWN_COMMAND, ErrorCode.UNSUPPORTED_VERSION);
                assertThat(refusal.getMessage()).as("a refusal says what was wrong").isNotBlank();
                refusals++;
            } finally {
                channel.finishAndReleaseAll();
            }
        }
        assertThat(frames).as("the inputs exercise decoding, not only refusing").isPositive();
        assertThat(refusals).as("and refusing").isPositive();
    }

    private static ProtocolException refusalIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProtocolException protocol) {
                return protocol;
            }
            if (!(t instanceof DecoderException)) {
                return null;
            }
        }
        return null;
    }

    private static void assertRoundTrips(Frame frame, byte[] input) {
        EmbeddedChannel codec =
            new EmbeddedChannel(new FrameEncoder(MAX_FRAME_BYTES), new FrameDecoder(MAX_FRAME_BYTES));
        codec.writeOutbound(frame);
        ByteBuf encoded = codec.readOutbound();
        codec.writeInbound(encoded);
        Frame again = codec.readInbound();
        assertThat(again).as("a decoded frame encodes to bytes that decode to it again (input %s)",
            HexFormat.of().formatHex(input)).usingRecursiveComparison().isEqualTo(frame);
        codec.finishAndReleaseAll();
    }

    /** One to three random valid frames, encoded back to back. */
    private static byte[] validFrames(Random random) {
        EmbeddedChannel encoder = new EmbeddedChannel(new FrameEncoder(MAX_FRAME_BYTES));
        List<byte[]> frames = new ArrayList<>();
        for (int f = 1 + random.nextInt(3); f > 0; f--) {
            encoder.writeOutbound(randomFrame(random));
            ByteBuf encoded = encoder.readOutbound();
            byte[] bytes = new byte[encoded.readableBytes()];
            encoded.readBytes(bytes);
            encoded.release();
            frames.add(bytes);
        }
        encoder.finishAndReleaseAll();
        return FrameMutator.concat(frames);
    }

    private static Frame randomFrame(Random random) {
        int id = random.nextInt();
        String queue = random.nextBoolean() ? "orders" : "q-" + random.nextInt(1000) + "-é";
        byte[] body = new byte[random.nextInt(100)];
        random.nextBytes(body);
        return switch (random.nextInt(11)) {
            case 0 -> new Frame.DeclareQueue(id, queue, random.nextInt(), random.nextLong());
            case 1 -> new Frame.Publish(id, queue, body);
            case 2 -> new Frame.Receive(id, queue, random.nextLong());
            case 3 -> new Frame.Subscribe(id, queue, random.nextInt());
            case 4 -> new Frame.Cancel(id, queue);
            case 5 -> new Frame.Ack(id, queue, random.nextLong());
            case 6 -> new Frame.Reject(id, queue, random.nextLong(), random.nextBoolean());
            case 7 -> new Frame.Ok(id, random.nextLong());
            case 8 -> new Frame.Deliver(id, queue, random.nextLong(), random.nextLong(), random.nextInt(), body);
            case 9 -> new Frame.Empty(id);
            default -> new Frame.Error(id, ErrorCode.QUEUE_FULL, "full " + random.nextInt());
        };
    }
}

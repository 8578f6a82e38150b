package org.mqworkbook.testkit.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Fuzz inputs for a decoder of length-prefixed frames (a 4-byte big-endian length, then a 2-byte API key and
 * a 2-byte version, then the rest, as every chapter's protocol frames are): valid frames bent in the ways a broken or hostile
 * client bends them. Each input is drawn from the caller's seeded {@link Random}, so a failing input
 * replays from its seed.
 *
 * <pre>
 *  flip      a few bits anywhere           length   a length prefix that lies: 2^31-1, -1, 0, off by a few
 *  cut       the input cut short            junk     random bytes after the frames
 *  key       a random API key or version byte   as is    the valid frames themselves
 *  noise     plain random bytes (instead of frames)
 * </pre>
 *
 * <p>{@link #pieces} then splits an input into random reads, as TCP may deliver it. This class has no state
 * and is thread-safe.
 */
public final class FrameMutator {
    /** The system property that sets how many inputs a fuzz test tries: {@code -Dfuzz.inputs=1000000}. */
    public static final String INPUTS_PROPERTY = "fuzz.inputs";

    private FrameMutator() {
    }

    /** How many inputs to try: {@code -Dfuzz.inputs} if set (a soak), else {@code byDefault} (the build). */
    public static int inputs(int byDefault) {
        return Integer.getInteger(INPUTS_PROPERTY, byDefault);
    }

    /** Random bytes, 0 to 199 of them. */
    public static byte[] noise(Random random) {
        byte[] noise = new byte[random.nextInt(200)];
        random.nextBytes(noise);
        return noise;
    }

    /**
     * {@code frames} (one or more valid frames, back to back) bent in one of the ways of the class comment,
     * or left as they are; one time in five, plain noise instead. {@code frames} is not changed.
     *
     * @param maxFrameBytes the decoder's limit, so that some lies land just above it
     */
    public static byte[] mutate(byte[] frames, Random random, int maxFrameBytes) {
        if (random.nextInt(5) == 0 || frames.length < 8) {
            return noise(random);
        }
        byte[] input = frames.clone();
        switch (random.nextInt(6)) {
            case 0 -> {
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    input[random.nextInt(input.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> input = Arrays.copyOf(input, random.nextInt(input.length));
            case 2 -> {
                int[] lies = {Integer.MAX_VALUE, -1, 0, 1, 4, maxFrameBytes + 1, Integer.MIN_VALUE};
                int truth = (input[0] & 0xFF) << 24 | (input[1] & 0xFF) << 16 | (input[2] & 0xFF) << 8
                    | (input[3] & 0xFF);
                int lie = random.nextBoolean() ? lies[random.nextInt(lies.length)] : truth + random.nextInt(9) - 4;
                input[0] = (byte) (lie >>> 24);
                input[1] = (byte) (lie >>> 16);
                input[2] = (byte) (lie >>> 8);
                input[3] = (byte) lie;
            }
            case 3 -> {
                int length = input.length;
                input = Arrays.copyOf(input, length + 1 + random.nextInt(40));
                for (int i = length; i < input.length; i++) {
                    input[i] = (byte) random.nextInt(256);
                }
            }
            case 4 -> input[4 + random.nextInt(4)] = (byte) random.nextInt(256); // the API key or its version
            default -> {
                // valid as it is
            }
        }
        return input;
    }

    /** {@code input} split into 1 to 64-byte pieces at random places, in order. */
    public static List<byte[]> pieces(byte[] input, Random random) {
        List<byte[]> pieces = new ArrayList<>();
        for (int at = 0; at < input.length; ) {
            int piece = 1 + random.nextInt(Math.min(64, input.length - at));
            pieces.add(Arrays.copyOfRange(input, at, at + piece));
            at += piece;
        }
        return pieces;
    }

    /** The frames one after another, as one input. */
    public static byte[] concat(List<byte[]> frames) {
        int total = frames.stream().mapToInt(f -> f.length).sum();
        byte[] all = new byte[total];
        int at = 0;
        for (byte[] frame : frames) {
            System.arraycopy(frame, 0, all, at, frame.length);
            at += frame.length;
        }
        return all;
    }
}

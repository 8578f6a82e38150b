package org.mqworkbook.testkit.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FrameMutatorTest {
    private static final byte[] FRAME = {0, 0, 0, 6, 0x02, 0, 0, 0, 7, 0x41};

    @Test
    void theSameSeedGivesTheSameInputs() {
        Random a = new Random(42);
        Random b = new Random(42);
        for (int i = 0; i < 200; i++) {
            assertThat(FrameMutator.mutate(FRAME, a, 4096)).isEqualTo(FrameMutator.mutate(FRAME, b, 4096));
        }
    }

    @Test
    void bendsFramesInManyWaysAndLeavesTheOriginalAlone() {
        byte[] original = FRAME.clone();
        Random random = new Random(7);
        Set<String> shapes = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            byte[] input = FrameMutator.mutate(FRAME, random, 4096);
            shapes.add(input.length < FRAME.length ? "shorter" : input.length > FRAME.length ? "longer" : "same");
        }
        assertThat(shapes).containsExactlyInAnyOrder("shorter", "longer", "same");
        assertThat(FRAME).as("the caller's frame is not changed").isEqualTo(original);
    }

    @Test
    void piecesPutBackTogetherAreTheInput() {
        Random random = new Random(3);
        byte[] input = new byte[1000];
        random.nextBytes(input);
        List<byte[]> pieces = FrameMutator.pieces(input, random);
        assertThat(pieces).allSatisfy(p -> assertThat(p.length).isBetween(1, 64));
        assertThat(FrameMutator.concat(pieces)).isEqualTo(input);
    }

    @Test
    void theSystemPropertySetsTheNumberOfInputs() {
        assertThat(FrameMutator.inputs(123)).as("unset in the build: the default").isEqualTo(
            Integer.getInteger(FrameMutator.INPUTS_PROPERTY, 123));
    }
}

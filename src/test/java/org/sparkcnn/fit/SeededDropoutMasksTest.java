package org.sparkcnn.fit;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The training step's dropout masks: the same seed gives the same masks (runs repeat exactly), other seeds
 * and successive steps other masks, each value kept with the retain probability and scaled as DL4J's
 * inverted dropout.
 */
class SeededDropoutMasksTest {
    private static final double RETAIN = 0.6;
    /** batch 128 x 1,024 hidden units, and an odd count for the last value's own draw */
    private static final int VALUES = 128 * 1024 + 1;

    private static float[][] steps(long seed, int count) {
        DropoutMasks masks = DropoutMasks.random(seed);
        float[][] steps = new float[count][VALUES];
        for (int step = 0; step < count; step++) {
            masks.draw(step, RETAIN, steps[step]);
        }
        return steps;
    }

    @Test
    void theSameSeedRepeatsTheMasks() {
        float[][] first = steps(42, 3);
        float[][] again = steps(42, 3);
        for (int step = 0; step < first.length; step++) {
            assertArrayEquals(first[step], again[step], "step " + step);
        }
        assertFalse(Arrays.equals(first[0], first[1]), "successive steps drew the same mask");
        assertFalse(Arrays.equals(first[0], steps(43, 1)[0]), "another seed drew the same mask");
    }

    @Test
    void keepsTheRetainShareScaledByItsInverse() {
        float kept = (float) (1.0 / RETAIN);
        int keptCount = 0;
        for (float value : steps(7, 1)[0]) {
            assertTrue(value == 0f || value == kept, "mask value " + value);
            keptCount += value == kept ? 1 : 0;
        }
        // 131,073 draws at p = 0.6: standard deviation 177
        assertEquals(RETAIN * VALUES, keptCount, 5 * 177, "values kept");
    }

    @Test
    void keepsEverythingAtRetainOne() {
        float[] mask = new float[1001];
        DropoutMasks.random(1).draw(0, 1.0, mask);
        for (float value : mask) {
            assertEquals(1f, value);
        }
    }
}

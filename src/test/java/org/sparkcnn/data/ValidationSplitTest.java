package org.sparkcnn.data;

import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValidationSplitTest {
    private static int[] held(ValidationSplit split, int count) {
        return IntStream.range(0, count).filter(split::isValidation).toArray();
    }

    @Test
    void holdsOutExactlyTheRequestedNumberTheSameWayForTheSameSeed() {
        ValidationSplit split = ValidationSplit.choose(60_000, 5_000, 12345);
        assertEquals(5_000, split.validationCount());
        assertEquals(55_000, split.trainingCount());
        assertEquals(5_000, held(split, 60_000).length);
        assertEquals(java.util.Arrays.toString(held(split, 60_000)),
                java.util.Arrays.toString(held(ValidationSplit.choose(60_000, 5_000, 12345), 60_000)));
        assertNotEquals(java.util.Arrays.toString(held(split, 60_000)),
                java.util.Arrays.toString(held(ValidationSplit.choose(60_000, 5_000, 54321), 60_000)));
        // spread over the whole file, not one block
        int[] h = held(split, 60_000);
        assertTrue(h[0] < 1_000 && h[h.length - 1] > 59_000, h[0] + ".." + h[h.length - 1]);
    }

    @Test
    void trainingAndValidationFiltersPartitionTheExamples() {
        ValidationSplit split = ValidationSplit.choose(100, 30, 1);
        ExecutorShards.IndexFilter training = split.training();
        ExecutorShards.IndexFilter validation = split.validation();
        for (int i = 0; i < 100; i++) {
            assertTrue(training.keep(i) != validation.keep(i), "index " + i);
        }
        assertTrue(ValidationSplit.choose(100, 0, 1).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> ValidationSplit.choose(100, 100, 1));
    }

    @Test
    void selectKeepsTheChosenExamplesInOrder() {
        byte[] pixels = new byte[5 * 4];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i / 4);
        }
        LabeledImages images = new LabeledImages(5, 2, 2, pixels, new byte[]{0, 1, 2, 3, 4});
        LabeledImages odd = images.select(i -> i % 2 == 1);
        assertEquals(2, odd.count());
        assertEquals(1, odd.label(0));
        assertEquals(3, odd.label(1));
        assertEquals(3, odd.pixels()[7]);
    }
}

package org.sparkcnn.data;

import java.io.Serializable;
import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * Which of the training file's first {@code count} examples are held out as the validation set: exactly
 * {@code size} of them, drawn at random from the seed (a partial Fisher-Yates shuffle on the driver), so
 * every run and every resume of the same job holds out the same examples. Executors keep or drop examples
 * by index while they read their ranges ({@link ExecutorShards}); the driver ships only this bit set
 * (count / 8 bytes).
 */
public final class ValidationSplit implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int count;
    private final BitSet validation;
    private final int size;

    private ValidationSplit(int count, BitSet validation, int size) {
        this.count = count;
        this.validation = validation;
        this.size = size;
    }

    /**
     * @param count examples available (after the training limit)
     * @param size  examples to hold out, 0 = none; must be less than {@code count}
     */
    public static ValidationSplit choose(int count, int size, long seed) {
        if (size < 0 || (size > 0 && size >= count)) {
            throw new IllegalArgumentException("validation size " + size + " of " + count + " examples");
        }
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        BitSet chosen = new BitSet(count);
        for (int i = 0; i < size; i++) {
            int j = i + random.nextInt(count - i);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
            chosen.set(order[i]);
        }
        return new ValidationSplit(count, chosen, size);
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Examples held out for validation. */
    public int validationCount() {
        return size;
    }

    /** Examples left for training. */
    public int trainingCount() {
        return count - size;
    }

    public boolean isValidation(int index) {
        return validation.get(index);
    }

    /** Keeps the training examples. */
    public ExecutorShards.IndexFilter training() {
        return index -> !isValidation(index);
    }

    /** Keeps the validation examples. */
    public ExecutorShards.IndexFilter validation() {
        return this::isValidation;
    }
}

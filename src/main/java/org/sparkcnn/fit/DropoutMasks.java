package org.sparkcnn.fit;

/**
 * Dropout's masks in the oneDNN step, one per optimiser step. Training draws them from a seeded stream
 * ({@link SeededDropoutMasks}); a test hands the oneDNN step and DL4J's the same masks through this, so
 * that the default network (dropout 0.4) can be checked against DL4J.
 */
@FunctionalInterface
interface DropoutMasks {
    /**
     * Fills {@code mask} with step {@code iteration}'s inverted-dropout multipliers, as DL4J's dropout
     * applies them: {@code (float) (1 / retainProbability)} for a kept value, 0 for a dropped one. Value
     * {@code i} is image {@code i / dense}, unit {@code i % dense}. Asked only when the network has dropout.
     *
     * @param iteration         DL4J's iteration count at this step
     * @param retainProbability the chance a value is kept
     */
    void draw(int iteration, double retainProbability, float[] mask);

    /** Independent draws from one stream seeded with {@code seed}. */
    static DropoutMasks random(long seed) {
        return new SeededDropoutMasks(seed);
    }
}

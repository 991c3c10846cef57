package org.sparkcnn.fit;

import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * Dropout's decisions in the oneDNN step, one mask per optimiser step. Training draws them from a seeded
 * stream; a test hands the oneDNN step and DL4J's the same masks through this, so that the default
 * network (dropout 0.4) can be checked against DL4J.
 */
@FunctionalInterface
interface DropoutMasks {
    /**
     * @param iteration         DL4J's iteration count at this step
     * @param retainProbability the chance a value is kept
     * @return whether hidden value {@code i} (image {@code i / dense}, unit {@code i % dense}) is kept; asked
     *         once per value, in order, and only when the network has dropout
     */
    IntPredicate forStep(int iteration, double retainProbability);

    /** Independent draws from one seeded stream, in the order the step asks. */
    static DropoutMasks random(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return (iteration, retain) -> value -> random.nextDouble() < retain;
    }
}

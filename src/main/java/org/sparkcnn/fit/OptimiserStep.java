package org.sparkcnn.fit;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optimiser step of one minibatch: from the summed gradient in the network's gradient view to updated
 * parameters and optimiser state. {@link #of} picks {@link FusedAdam} where it reproduces DL4J's step, and
 * DL4J's own updater ({@link Dl4jOptimiserStep}) everywhere else.
 */
interface OptimiserStep {
    /**
     * Updates the parameters from the gradient view's sums over {@code batchSize} examples, at the network's
     * {@code iteration} and {@code epoch} (for learning-rate schedules and Adam's bias correction).
     */
    void step(int iteration, int epoch, int batchSize);

    /**
     * Whether the step sets the optimiser state's subnormal values to zero as it writes them, so that the
     * periodic {@link org.sparkcnn.model.SubnormalFlush} has nothing left to do.
     */
    default boolean flushesSubnormals() {
        return false;
    }

    static OptimiserStep of(MultiLayerNetwork network) {
        FusedAdam.Result fused = FusedAdam.of(network);
        if (fused.step().isPresent()) {
            return fused.step().get();
        }
        Logger log = LoggerFactory.getLogger(OptimiserStep.class);
        log.debug("DL4J's optimiser step (the fused Adam step does not apply: {})", fused.unsupportedBecause());
        return new Dl4jOptimiserStep(network);
    }
}

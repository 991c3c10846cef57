package org.sparkcnn.fit;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Takes one optimiser step of a DL4J network on one minibatch, on this worker's device. The network stays
 * the model of record: its parameters, optimiser state and iteration count are what every implementation
 * updates, so averaging, checkpoints, evaluation and saving never see which one trained it.
 */
public interface MinibatchFitter extends AutoCloseable {
    /** @return the minibatch's loss (mean over its images, plus regularisation) before the step */
    double fit(DataSet minibatch);

    MultiLayerNetwork network();

    /**
     * Whether each step leaves the optimiser state free of subnormal values, so that the caller's periodic
     * {@link org.sparkcnn.model.SubnormalFlush} (~20 ms every 20 minibatches, ~2% of a batch-128 step on one
     * core) can be skipped. Values an averaging makes subnormal (the mean of a tiny moment and zero) are then
     * overwritten, flushed, by the next step.
     */
    default boolean flushesSubnormalState() {
        return false;
    }

    /** Frees native memory of the step itself (not the network's), if it has any. */
    @Override
    default void close() {
    }
}

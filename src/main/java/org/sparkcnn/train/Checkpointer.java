package org.sparkcnn.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** Saves the training state; called by {@link CnnTrainer} at every checkpoint boundary. */
@FunctionalInterface
public interface Checkpointer {
    Checkpointer NONE = (network, position) -> { };

    void save(MultiLayerNetwork network, TrainingPosition position);

    /**
     * Saves a new best model (measured by {@code validation}) before any checkpoint refers to it; the
     * positions saved afterwards name it through their validation state.
     */
    default void saveBest(MultiLayerNetwork network, ValidationRecord validation) {
    }
}

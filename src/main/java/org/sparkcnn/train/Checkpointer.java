package org.sparkcnn.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** Saves the training state; called by {@link CnnTrainer} at every checkpoint boundary. */
@FunctionalInterface
public interface Checkpointer {
    Checkpointer NONE = (network, position) -> { };

    void save(MultiLayerNetwork network, TrainingPosition position);
}

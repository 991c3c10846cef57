package org.sparkcnn.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** The result of {@link CnnTrainer#fit}: the model and how it was trained. */
public record TrainedModel(MultiLayerNetwork network, TrainingHistory history) {
}

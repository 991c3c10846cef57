package org.sparkcnn.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** Measures the model during training (WHAT is done when a validation {@link Trigger} fires). */
@FunctionalInterface
public interface Validator {
    Score validate(MultiLayerNetwork network);

    /** @param loss mean cross-entropy */
    record Score(double accuracy, double loss) {
    }
}

package org.sparkcnn.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.Optional;

/**
 * Where a rerun continues: the checkpointed model (with optimiser state) and its training position.
 *
 * @param best   the best model so far by validation accuracy (the one the position's validation state
 *               names), null when there is none
 * @param source where it came from, for logs and the report
 */
public record ResumePoint(MultiLayerNetwork network, TrainingPosition position, MultiLayerNetwork best,
                          String source) {
    public Optional<MultiLayerNetwork> bestNetwork() {
        return Optional.ofNullable(best);
    }
}

package org.sparkcnn.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Where a rerun continues: the checkpointed model (with optimiser state) and its training position.
 *
 * @param source where it came from, for logs and the report
 */
public record ResumePoint(MultiLayerNetwork network, TrainingPosition position, String source) {
}

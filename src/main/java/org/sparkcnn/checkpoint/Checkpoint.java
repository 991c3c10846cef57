package org.sparkcnn.checkpoint;

import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparkcnn.train.ResumePoint;
import org.sparkcnn.train.TrainingPosition;

/**
 * A complete checkpoint read back from the file system.
 *
 * @param path     its folder
 * @param network  model with optimiser state
 * @param position where training stood
 * @param best     the best model its position names, null when it names none
 */
public record Checkpoint(Path path, MultiLayerNetwork network, TrainingPosition position, MultiLayerNetwork best) {
    public ResumePoint toResumePoint() {
        return new ResumePoint(network, position, best, path.toString());
    }
}

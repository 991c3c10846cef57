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
 */
public record Checkpoint(Path path, MultiLayerNetwork network, TrainingPosition position) {
    public ResumePoint toResumePoint() {
        return new ResumePoint(network, position, path.toString());
    }
}

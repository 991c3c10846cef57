package org.sparkcnn.fit;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Class probabilities of a trained network for batches of images: evaluation and prediction call it batch
 * after batch. {@link BatchPredictors#create} picks oneDNN's forward pass or DL4J's, as the training step
 * is picked. Not thread-safe: one per task.
 */
public interface BatchPredictor extends AutoCloseable {
    /**
     * @param features [images, channels * rows * cols], each image channel-major then row-major, as the
     *                 network's input takes it; any number of images
     * @return the softmax output, [images, classes]
     */
    INDArray probabilities(INDArray features);

    /** Frees native memory held for the batches seen; the predictor is not used after this. */
    @Override
    void close();
}

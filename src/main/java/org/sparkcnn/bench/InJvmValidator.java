package org.sparkcnn.bench;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.data.MinibatchFactory;
import org.sparkcnn.eval.DistributedEvaluator;
import org.sparkcnn.fit.BatchPredictor;
import org.sparkcnn.fit.BatchPredictors;
import org.sparkcnn.train.Validator;

import java.util.List;

/**
 * Measures a network on images held in this JVM, with the forward pass the evaluator runs on the executors
 * ({@link BatchPredictors}) and its loss: the single-JVM cases' validation, which has no Spark to run on.
 */
public final class InJvmValidator implements Validator {
    private final List<DataSet> batches;
    private final long images;

    /** @param batchSize images per forward pass (evaluation.batch-size, as the evaluator's) */
    public InJvmValidator(LabeledImages images, int numClasses, int batchSize) {
        // built once: a case validates many times, and the images do not change
        this.batches = new MinibatchFactory(numClasses).toDataSets(images, batchSize, -1);
        this.images = images.count();
    }

    @Override
    public Score validate(MultiLayerNetwork network) {
        long correct = 0;
        double lossSum = 0;
        try (BatchPredictor predictor = BatchPredictors.create(network)) {
            for (DataSet batch : batches) {
                INDArray probabilities = predictor.probabilities(batch.getFeatures());
                int[] predicted = probabilities.argMax(1).toIntVector();
                int[] labels = batch.getLabels().argMax(1).toIntVector();
                for (int i = 0; i < labels.length; i++) {
                    correct += predicted[i] == labels[i] ? 1 : 0;
                    lossSum += DistributedEvaluator.crossEntropy(probabilities.getDouble(i, labels[i]));
                }
            }
        }
        return new Score((double) correct / images, lossSum / images);
    }
}

package org.sparkcnn.eval;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.mllib.evaluation.MulticlassMetrics;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.data.MinibatchFactory;
import org.sparkcnn.fit.BatchPredictor;
import org.sparkcnn.fit.BatchPredictors;
import org.sparkcnn.output.ModelStore;
import scala.Tuple2;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Evaluates a model on executor-resident test shards. The model is broadcast once; each executor predicts
 * its shards in minibatches of {@code batchSize} ({@link BatchPredictors}: oneDNN's forward pass for
 * sparkcnn's CNN on CPUs); Spark MLlib's {@link MulticlassMetrics} turns the
 * (prediction, label) pairs into per-class metrics and the confusion matrix, on the executors. Only the
 * metrics and a few misclassified images come back to the driver.
 */
public final class DistributedEvaluator {
    private final JavaSparkContext sc;
    private final int batchSize;
    private final int numClasses;
    private final int maxMisclassified;

    /**
     * @param maxMisclassified how many misclassified images (with pixels) to bring back for the report
     */
    public DistributedEvaluator(JavaSparkContext sc, int batchSize, int numClasses, int maxMisclassified) {
        this.sc = sc;
        this.batchSize = batchSize;
        this.numClasses = numClasses;
        this.maxMisclassified = maxMisclassified;
    }

    public EvaluationResult evaluate(MultiLayerNetwork network, JavaRDD<LabeledImages> shards) {
        Broadcast<byte[]> model = sc.broadcast(ModelStore.toBytes(network));
        int batch = batchSize;
        int classes = numClasses;
        JavaRDD<Prediction> predictions = shards
                .mapPartitions(it -> predict(model.value(), it, batch, classes))
                .persist(StorageLevel.MEMORY_ONLY());
        try {
            MulticlassMetrics metrics = new MulticlassMetrics(predictions
                    .map(p -> new Tuple2<Object, Object>((double) p.predicted(), (double) p.label())).rdd());
            // summed partition by partition in partition order: RDD.sum() adds the partitions' sums in the
            // order their tasks finish, which changes the last bits of the loss from run to run
            double lossSum = 0;
            for (double partitionSum : predictions.mapPartitions(DistributedEvaluator::lossSum).collect()) {
                lossSum += partitionSum;
            }
            long count = predictions.count();
            // converted to records on the driver: Kryo, which ships RDD elements, cannot build records
            List<Misclassified> misclassified = predictions.zipWithIndex()
                    .filter(p -> !p._1().correct())
                    .take(maxMisclassified).stream()
                    .map(p -> new Misclassified(p._2(), p._1().label(), p._1().predicted(),
                            p._1().probabilities()[p._1().predicted()], p._1().pixels()))
                    .toList();
            return EvaluationResult.from(metrics, numClasses, count, count == 0 ? Double.NaN : lossSum / count,
                    misclassified);
        } finally {
            predictions.unpersist(false);
            model.destroy();
        }
    }

    private static Iterator<Double> lossSum(Iterator<Prediction> predictions) {
        double sum = 0;
        while (predictions.hasNext()) {
            sum += crossEntropy(predictions.next());
        }
        return List.of(sum).iterator();
    }

    /** Predicts every image of the partition's shards, keeping the pixels of the ones it gets wrong. */
    private static Iterator<Prediction> predict(byte[] modelBytes, Iterator<LabeledImages> shards, int batchSize,
                                                int numClasses) throws IOException {
        MultiLayerNetwork net = ModelStore.fromBytes(modelBytes);
        MinibatchFactory factory = new MinibatchFactory(numClasses);
        List<Prediction> out = new ArrayList<>();
        try (BatchPredictor predictor = BatchPredictors.create(net)) {
            predictShards(predictor, factory, shards, batchSize, out);
        }
        return out.iterator();
    }

    private static void predictShards(BatchPredictor predictor, MinibatchFactory factory,
                                      Iterator<LabeledImages> shards, int batchSize, List<Prediction> out) {
        while (shards.hasNext()) {
            LabeledImages shard = shards.next();
            int pixelsPerImage = shard.pixelsPerImage();
            int offset = 0;
            for (DataSet batch : factory.toDataSets(shard, batchSize, -1)) {
                INDArray probabilities = predictor.probabilities(batch.getFeatures());
                int[] predicted = probabilities.argMax(1).toIntVector();
                for (int i = 0; i < predicted.length; i++) {
                    int index = offset + i;
                    int label = shard.label(index);
                    byte[] pixels = label == predicted[i] ? null : Arrays.copyOfRange(shard.pixels(),
                            index * pixelsPerImage, (index + 1) * pixelsPerImage);
                    out.add(new Prediction(label, predicted[i], probabilities.getRow(i).toFloatVector(), pixels));
                }
                offset += predicted.length;
            }
        }
    }

    static double crossEntropy(Prediction p) {
        return crossEntropy(p.probabilities()[p.label()]);
    }

    /**
     * -ln p(true class), with p clamped so that a confident mistake stays finite: the loss of every
     * evaluation, the bench's in-JVM one included.
     */
    public static double crossEntropy(double trueClassProbability) {
        return -Math.log(Math.max(trueClassProbability, 1e-10));
    }
}

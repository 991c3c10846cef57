package org.sparkcnn.eval;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.evaluation.classification.ConfusionMatrix;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.data.MinibatchFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Evaluates a model on executor-resident test shards: the model is broadcast once, each partition is
 * scored in minibatches of {@code batchSize}, and only per-partition metrics come back to the driver.
 */
public final class DistributedEvaluator {
    private final JavaSparkContext sc;
    private final int batchSize;
    private final int numClasses;

    public DistributedEvaluator(JavaSparkContext sc, int batchSize, int numClasses) {
        this.sc = sc;
        this.batchSize = batchSize;
        this.numClasses = numClasses;
    }

    public EvaluationResult evaluate(MultiLayerNetwork network, JavaRDD<LabeledImages> shards) {
        Broadcast<byte[]> model = sc.broadcast(serialize(network));
        int batch = batchSize;
        int classes = numClasses;
        Partial total = shards
                .mapPartitions(it -> Collections.singletonList(scorePartition(model.value(), it, batch, classes)).iterator())
                .reduce(Partial::merge);
        model.destroy();
        return total.toResult(numClasses);
    }

    private static Partial scorePartition(byte[] modelBytes, java.util.Iterator<LabeledImages> shards, int batchSize,
                                          int numClasses) throws IOException {
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(modelBytes), false);
        MinibatchFactory factory = new MinibatchFactory(numClasses);
        Partial partial = new Partial(new Evaluation(numClasses), 0, 0);
        while (shards.hasNext()) {
            for (DataSet batch : factory.toDataSets(shards.next(), batchSize, -1)) {
                INDArray probabilities = net.output(batch.getFeatures(), false);
                partial.evaluation.eval(batch.getLabels(), probabilities);
                partial.lossSum += crossEntropySum(probabilities, batch.getLabels());
                partial.count += batch.numExamples();
            }
        }
        return partial;
    }

    /** Sum over examples of -ln p(true class), with p clamped so a confident mistake stays finite. */
    static double crossEntropySum(INDArray probabilities, INDArray oneHotLabels) {
        INDArray pTrue = probabilities.mul(oneHotLabels).sum(1);
        double sum = 0;
        for (long i = 0; i < pTrue.length(); i++) {
            sum -= Math.log(Math.max(pTrue.getDouble(i), 1e-10));
        }
        return sum;
    }

    private static byte[] serialize(MultiLayerNetwork network) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ModelSerializer.writeModel(network, out, false);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Metrics of some partitions, mergeable. */
    static final class Partial implements Serializable {
        final Evaluation evaluation;
        double lossSum;
        long count;

        Partial(Evaluation evaluation, double lossSum, long count) {
            this.evaluation = evaluation;
            this.lossSum = lossSum;
            this.count = count;
        }

        Partial merge(Partial other) {
            evaluation.merge(other.evaluation);
            return new Partial(evaluation, lossSum + other.lossSum, count + other.count);
        }

        EvaluationResult toResult(int numClasses) {
            ConfusionMatrix<Integer> cm = evaluation.getConfusionMatrix();
            long[][] matrix = new long[numClasses][numClasses];
            List<EvaluationResult.ClassMetrics> classes = new ArrayList<>(numClasses);
            for (int actual = 0; actual < numClasses; actual++) {
                for (int predicted = 0; predicted < numClasses; predicted++) {
                    matrix[actual][predicted] = cm.getCount(actual, predicted);
                }
                classes.add(new EvaluationResult.ClassMetrics(actual, evaluation.precision(actual),
                        evaluation.recall(actual), evaluation.f1(actual), cm.getActualTotal(actual)));
            }
            double macroPrecision = classes.stream().mapToDouble(EvaluationResult.ClassMetrics::precision).average().orElse(0);
            double macroRecall = classes.stream().mapToDouble(EvaluationResult.ClassMetrics::recall).average().orElse(0);
            double macroF1 = classes.stream().mapToDouble(EvaluationResult.ClassMetrics::f1).average().orElse(0);
            return new EvaluationResult(count, evaluation.accuracy(), count == 0 ? Double.NaN : lossSum / count,
                    classes, macroPrecision, macroRecall, macroF1, matrix);
        }
    }
}

package org.sparkcnn.bench;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkcnn.config.JobConfig;
import org.sparkcnn.config.JobConfigLoader;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.MinibatchFactory;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.fit.BatchPredictor;
import org.sparkcnn.fit.BatchPredictors;
import org.sparkcnn.model.CnnArchitecture;
import org.sparkcnn.model.NativeRuntime;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The time to predict MNIST's 10,000 test digits on one thread, in minibatches of
 * {@code evaluation.batch-size}, with DL4J's {@code output(features, false)} and with oneDNN's forward pass
 * ({@link BatchPredictors}): the work one evaluation does. Not a test: run it by hand (docs/benchmarks.md)
 * with {@code SPARKCNN_MNIST_DIR} set; argument: repeats (default 5).
 */
public final class PredictionSpeed {
    private PredictionSpeed() {
    }

    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        NativeRuntime.enableLayerHelpers();
        NativeRuntime.limitThreads(1);
        JobConfig config = JobConfigLoader.load(Optional.empty(), List.of());
        int batchSize = config.evaluation().batchSize();
        MultiLayerNetwork network = new MultiLayerNetwork(CnnArchitecture.build(config.model(), DatasetShape.MNIST));
        network.init();
        List<DataSet> batches = new MinibatchFactory(10).toDataSets(MnistFixture.testSet(), batchSize, -1);
        try (BatchPredictor oneDnn = BatchPredictors.create(network)) {
            if (!BatchPredictors.usesOneDnn(network)) {
                throw new IllegalStateException("the default network does not run on oneDNN's forward pass");
            }
            INDArray first = batches.get(0).getFeatures();
            double difference = network.output(first, false).sub(oneDnn.probabilities(first)).amaxNumber().doubleValue();
            System.out.printf("batch size %d, %d batches; largest probability difference on the first: %.2e%n",
                    batchSize, batches.size(), difference);
            time("DL4J output(x, false)", batches, repeats, features -> network.output(features, false));
            time("oneDNN forward_inference", batches, repeats, oneDnn::probabilities);
        }
    }

    private static void time(String what, List<DataSet> batches, int repeats, Function<INDArray, INDArray> predict) {
        double[] seconds = new double[repeats + 1];
        for (int r = 0; r <= repeats; r++) {
            long start = System.nanoTime();
            for (DataSet batch : batches) {
                predict.apply(batch.getFeatures()).argMax(1);
            }
            seconds[r] = (System.nanoTime() - start) / 1e9;
        }
        double[] timed = Arrays.copyOfRange(seconds, 1, seconds.length);
        Arrays.sort(timed);
        System.out.printf("%s: first pass %.3f s; then best %.3f s, median %.3f s of %d passes of 10,000 images%n",
                what, seconds[0], timed[0], timed[timed.length / 2], repeats);
    }
}

package org.sparkcnn.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.SparkConf;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.config.JobConfig;
import org.sparkcnn.config.JobConfigLoader;
import org.sparkcnn.model.CnnArchitecture;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Spark aborts a job whose barrier result stage failed instead of retrying it, so a lost executor would
 * end an all-reduce training run: the trainer runs the pass again itself. Here one worker's task fails
 * once (like an executor killed in the middle of a pass); the pass still completes, and every round
 * reaches the driver's listener exactly once.
 */
class AllReducePassRetryTest {
    /** Set to make the next computation of a training partition fail (this test's JVM runs the tasks). */
    private static final AtomicBoolean FAIL_ONCE = new AtomicBoolean();

    private static DataSet randomBatch(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray features = Nd4j.rand(DataType.FLOAT, n, 28 * 28);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, 10);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, (int) ((seed + i) % 10), 1f);
        }
        return new DataSet(features, labels);
    }

    @Test
    void aPassWhoseBarrierStageFailedIsRunAgainFromItsStart() {
        JobConfig config = JobConfigLoader.load(Optional.empty(), List.of("training.engine=allreduce",
                "training.averaging-frequency=1", "training.peer-timeout-seconds=60"));
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("retry").set("spark.ui.enabled", "false");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            MultiLayerNetwork network = new MultiLayerNetwork(CnnArchitecture.build(config.model(), 28, 28, 10));
            network.init();
            INDArray before = network.params().dup();
            List<DataSet> batches = IntStream.range(0, 4).mapToObj(i -> randomBatch(4, i)).toList();
            JavaRDD<DataSet> minibatches = sc.parallelize(batches, 2).mapPartitions(it -> {
                if (FAIL_ONCE.getAndSet(false)) {
                    throw new IllegalStateException("injected: worker lost in the middle of the pass");
                }
                return it;
            });
            List<Integer> rounds = new ArrayList<>();
            AllReduceTrainer trainer = new AllReduceTrainer(sc, network, config.training(), 2);

            FAIL_ONCE.set(true);
            trainer.fitPass(minibatches, (round, total, loss) -> rounds.add(round), 7L);

            assertFalse(FAIL_ONCE.get(), "the injected failure happened");
            assertEquals(List.of(1, 2), rounds, "each round delivered once, in order");
            assertNotEquals(before, network.params(), "the retried pass trained the model");
        }
    }
}

package org.sparkcnn.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.stats.CommonSparkTrainingStats;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.stats.ParameterAveragingTrainingMasterStats;
import org.deeplearning4j.spark.stats.EventStats;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkcnn.config.TrainingConfig;
import org.sparkcnn.device.TaskDevice;

import java.util.Optional;

/**
 * {@link DistributedTrainer} on dl4j-spark's synchronous parameter averaging: every round, each worker
 * fits {@code averagingFrequency} minibatches from its partition starting from the same parameters, and
 * the driver averages the resulting parameters (and optimiser state) and broadcasts them again.
 */
public final class ParameterAveragingTrainer implements DistributedTrainer {
    private final SparkDl4jMultiLayer sparkNetwork;
    private final ObservedParameterAveragingMaster master;
    private final int workers;

    public ParameterAveragingTrainer(JavaSparkContext sc, MultiLayerNetwork network, TrainingConfig training,
                                     int workers, long seed) {
        this.workers = workers;
        this.master = new ObservedParameterAveragingMaster(workers, training.batchSizePerWorker(),
                training.averagingFrequency(), training.parameterAveraging(), training.averageUpdaterState(), seed);
        this.sparkNetwork = new SparkDl4jMultiLayer(sc, network, master);
    }

    @Override
    public void fitPass(JavaRDD<DataSet> minibatches, RoundListener listener, long seed) {
        master.setRoundListener(listener);
        master.reseed(seed);
        // each worker task binds to its Spark-assigned GPU before DL4J builds its copy of the network
        sparkNetwork.fit(TaskDevice.trainingTasks(minibatches));
    }

    @Override
    public MultiLayerNetwork network() {
        return sparkNetwork.getNetwork();
    }

    @Override
    public Optional<TimeSplit> timeSplit() {
        SparkTrainingStats stats = sparkNetwork.getSparkTrainingStats();
        if (stats == null) {
            return Optional.empty();
        }
        long total = sum(stats, ParameterAveragingTrainingMasterStats.PARAMETER_AVERAGING_MASTER_FIT_TIMES_MS);
        // workers run in parallel: their summed minibatch time divided by the workers is wall time
        long compute = sum(stats, CommonSparkTrainingStats.WORKER_FLAT_MAP_PROCESS_MINI_BATCH_TIMES_MS) / workers;
        long aggregation = sum(stats, ParameterAveragingTrainingMasterStats.PARAMETER_AVERAGING_MASTER_AGGREGATE_TIMES_MS)
                + sum(stats, ParameterAveragingTrainingMasterStats.PARAMETER_AVERAGING_MASTER_PROCESS_PARAMS_UPDATER_TIMES_MS)
                + sum(stats, ParameterAveragingTrainingMasterStats.PARAMETER_AVERAGING_MASTER_BROADCAST_CREATE_TIMES_MS);
        // the aggregate job's time includes the workers' compute (it is the action that runs them)
        long averaging = Math.max(0, aggregation - compute);
        return Optional.of(new TimeSplit(total, compute, averaging, Math.max(0, total - compute - averaging)));
    }

    /** Total duration of the events under {@code key}; the top-level stats already include the workers'. */
    private static long sum(SparkTrainingStats stats, String key) {
        long sum = 0;
        if (stats.getKeySet().contains(key)) {
            for (EventStats e : stats.getValue(key)) {
                sum += e.getDurationMs();
            }
        }
        return sum;
    }
}

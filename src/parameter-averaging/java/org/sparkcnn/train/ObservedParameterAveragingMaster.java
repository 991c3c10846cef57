package org.sparkcnn.train;

import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.RepartitionStrategy;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.sparkcnn.config.ParameterAveragingSettings;
import org.sparkcnn.model.SubnormalFlush;

import java.util.Random;

/**
 * DL4J's parameter-averaging master with three changes that its builder cannot express:
 * <ul>
 *   <li>the driver hears about every averaging round (loss, position), for progress logs and reports;</li>
 *   <li>data stays where it is: minibatches are used straight from the executors' cached partitions
 *   (Direct approach, no export to disk, no repartitioning shuffle while partitions == workers);</li>
 *   <li>the averaged optimiser state is cleared of subnormal values ({@link SubnormalFlush}).</li>
 * </ul>
 */
final class ObservedParameterAveragingMaster extends ParameterAveragingTrainingMaster {
    private transient RoundListener listener = (round, rounds, loss) -> { };

    ObservedParameterAveragingMaster(int workers, int batchSizePerWorker, int averagingFrequency,
                                     ParameterAveragingSettings settings, boolean averageUpdaterState, long seed) {
        super(averageUpdaterState, workers, batchSizePerWorker, batchSizePerWorker, averagingFrequency,
                2, settings.prefetchBatches(), Repartition.NumPartitionsWorkersDiffers, RepartitionStrategy.Balanced,
                null, true);
        this.rddTrainingApproach = RDDTrainingApproach.Direct;
        this.rng = new Random(seed);
    }

    void setRoundListener(RoundListener listener) {
        this.listener = listener;
    }

    /** Seeds how the next fit deals minibatches to rounds (DL4J draws it from this generator). */
    void reseed(long seed) {
        this.rng = new Random(seed);
    }

    @Override
    protected void processResults(SparkDl4jMultiLayer network, SparkComputationGraph graph,
                                  JavaRDD<ParameterAveragingTrainingResult> results, int splitNum, int totalSplits) {
        super.processResults(network, graph, results, splitNum, totalSplits);
        // the averaged state is what every worker starts the next round from (rounds here cost ~1 s of
        // Spark overhead, so flushing every round costs nothing noticeable)
        SubnormalFlush.optimizerState(network.getNetwork());
        listener.roundCompleted(splitNum, totalSplits, network.getScore());
    }
}

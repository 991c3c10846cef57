package org.sparkcnn.train;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparkcnn.config.TrainingConfig;
import org.sparkcnn.config.TrainingEngine;
import org.sparkcnn.report.BuildInfo;

/** dl4j-spark's parameter averaging ({@link ParameterAveragingTrainer}): in the Spark 3.5 build only. */
public final class ParameterAveragingEngineFactory implements TrainingEngineFactory {
    @Override
    public TrainingEngine engine() {
        return TrainingEngine.PARAMETER_AVERAGING;
    }

    @Override
    public String builtOn() {
        return "dl4j-spark " + BuildInfo.property("dl4j.spark.version");
    }

    /** dl4j-spark ships INDArrays between driver and executors every round: Kryo with nd4j's registrator. */
    @Override
    public void configure(SparkConf conf) {
        conf.set("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator");
    }

    @Override
    public DistributedTrainer create(JavaSparkContext sc, MultiLayerNetwork network, TrainingConfig training,
                                     int workers, long seed) {
        return new ParameterAveragingTrainer(sc, network, training, workers, seed);
    }
}

package org.sparkcnn.train;

import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparkcnn.config.TrainingConfig;
import org.sparkcnn.config.TrainingEngine;

/** The core's engine, in every build: {@link AllReduceTrainer}. */
public final class AllReduceEngineFactory implements TrainingEngineFactory {
    @Override
    public TrainingEngine engine() {
        return TrainingEngine.ALLREDUCE;
    }

    @Override
    public String builtOn() {
        return "sparkcnn ring all-reduce";
    }

    @Override
    public DistributedTrainer create(JavaSparkContext sc, MultiLayerNetwork network, TrainingConfig training,
                                     int workers, long seed) {
        return new AllReduceTrainer(sc, network, training, workers);
    }
}

package org.sparkcnn.train;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparkcnn.config.TrainingConfig;
import org.sparkcnn.config.TrainingEngine;

/**
 * A training engine this jar carries, found by {@link java.util.ServiceLoader} (see {@link TrainingEngines}).
 * The allreduce engine is in the core; parameter-averaging (dl4j-spark, Scala 2.12 only) is compiled into
 * the Spark 3.5 build alone, from src/parameter-averaging.
 */
public interface TrainingEngineFactory {
    /** The {@code training.engine} value this factory builds. */
    TrainingEngine engine();

    /** What the engine is built on, for {@code --version} and the report, e.g. "dl4j-spark 1.0.0-M2". */
    String builtOn();

    /**
     * Spark settings the engine needs in every JVM of the application (e.g. a Kryo registrator for the
     * arrays it ships). Applied whenever the jar has the engine, whichever engine the job uses.
     */
    default void configure(SparkConf conf) {
    }

    /** A trainer for one training run; {@code seed} seeds the engine's own randomness. */
    DistributedTrainer create(JavaSparkContext sc, MultiLayerNetwork network, TrainingConfig training, int workers,
                              long seed);
}

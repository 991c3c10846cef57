package org.sparkcnn.train;

import org.apache.spark.SparkConf;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.config.TrainingEngine;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The training engines this jar has: the {@link TrainingEngineFactory} implementations listed in
 * META-INF/services. The Spark 3.5 build has allreduce and parameter-averaging, the Spark 4 build (no
 * dl4j-spark for Scala 2.13) allreduce only.
 */
public final class TrainingEngines {
    private static final List<TrainingEngineFactory> FACTORIES = ServiceLoader.load(TrainingEngineFactory.class)
            .stream().map(ServiceLoader.Provider::get).sorted(Comparator.comparing(TrainingEngineFactory::engine))
            .toList();

    private TrainingEngines() {
    }

    /** Whether this jar has {@code engine}. */
    public static boolean has(TrainingEngine engine) {
        return find(engine).isPresent();
    }

    /**
     * @param setting the setting that asked for the engine, named in the refusal
     * @throws BadInputException (exit 2) when this jar does not have {@code engine}
     */
    public static TrainingEngineFactory require(TrainingEngine engine, String setting) {
        return find(engine).orElseThrow(() -> new BadInputException(setting + ": this sparkcnn jar (Spark "
                + org.apache.spark.package$.MODULE$.SPARK_VERSION() + " build) has no " + engine.configValue()
                + " engine; it has " + FACTORIES.stream().map(f -> f.engine().configValue()).collect(Collectors.joining(", "))
                + (engine == TrainingEngine.PARAMETER_AVERAGING
                ? " (parameter-averaging needs dl4j-spark, built for Scala 2.12: use the Spark 3.5 build)" : "")));
    }

    /** Adds every engine's Spark settings to {@code conf}. */
    public static void configure(SparkConf conf) {
        FACTORIES.forEach(f -> f.configure(conf));
    }

    /** The engines and what they are built on, e.g. "allreduce (sparkcnn ring), parameter-averaging (dl4j-spark 1.0.0-M2)". */
    public static String describe() {
        return FACTORIES.stream().map(f -> f.engine().configValue() + " (" + f.builtOn() + ")").collect(Collectors.joining(", "));
    }

    private static Optional<TrainingEngineFactory> find(TrainingEngine engine) {
        return FACTORIES.stream().filter(f -> f.engine() == engine).findFirst();
    }
}

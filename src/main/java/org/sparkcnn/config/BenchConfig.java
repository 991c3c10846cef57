package org.sparkcnn.config;

import java.util.List;
import java.util.Optional;

/**
 * What {@code sparkcnn bench} compares, each case trained from scratch on the same data and budget.
 *
 * @param epochs                         training budget of every case, in passes over the training set
 * @param singleJvmThreads               one single-JVM case (no Spark) per native thread count
 * @param allreduceAveragingFrequencies  one all-reduce case per averaging frequency
 * @param parameterAveraging             also run dl4j-spark's parameter averaging at training.averaging-frequency;
 *                                       empty (auto): when the jar has that engine (the Spark 3.5 build)
 * @param ringPeers                      group sizes at which one all-reduce call is timed on its own
 * @param perCoreBatchSizes              batch sizes at which one core's fit time is measured, [] to skip
 * @param simulatedStepMillis            0, or the compute-free mode: every all-reduce worker waits this long per
 *                                       minibatch instead of training (the ring and Spark's barrier measured at
 *                                       more workers than cores; the model learns nothing; train refuses it)
 * @param validationEveryRounds          how often every case is measured on the test set while it trains, for
 *                                       its time to each accuracy target: every N rounds of
 *                                       training.averaging-frequency minibatches per worker (the same number of
 *                                       training images in every case); 0 = after each epoch
 * @param accuracyTargets                test accuracies (fractions in (0, 1]) whose training time to reach is
 *                                       reported; [] = nothing is measured while the cases train
 */
public record BenchConfig(int epochs, List<Integer> singleJvmThreads, List<Integer> allreduceAveragingFrequencies,
                          Optional<Boolean> parameterAveraging, List<Integer> ringPeers, List<Integer> perCoreBatchSizes,
                          int simulatedStepMillis, int validationEveryRounds, List<Double> accuracyTargets) {
    public BenchConfig {
        perCoreBatchSizes = List.copyOf(perCoreBatchSizes);
        ringPeers = List.copyOf(ringPeers);
        singleJvmThreads = List.copyOf(singleJvmThreads);
        allreduceAveragingFrequencies = List.copyOf(allreduceAveragingFrequencies);
        accuracyTargets = List.copyOf(accuracyTargets);
    }

    /**
     * Whether the cases are measured on the test set while they train: when there are accuracy targets,
     * except in the compute-free mode, whose models learn nothing.
     */
    public boolean validatesWhileTraining() {
        return !accuracyTargets.isEmpty() && simulatedStepMillis == 0;
    }

    /** What bench.validation.every said, for logs and the table. */
    public String describeValidationEvery() {
        return ValidationConfig.describeEvery(validationEveryRounds, "rounds");
    }

    /**
     * Whether the bench runs a parameter-averaging case: as set, or (auto) when the jar has that engine,
     * except in the compute-free mode, which times the allreduce cases only.
     */
    public boolean runsParameterAveraging(boolean jarHasTheEngine) {
        return parameterAveraging.orElse(simulatedStepMillis == 0 && jarHasTheEngine);
    }
}

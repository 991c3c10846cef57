package org.sparkcnn.train;

import java.util.List;
import java.util.Optional;

/**
 * Where training stood when a checkpoint was taken: enough to continue exactly there, with the same data
 * order (every epoch's shuffle and segmentation derive from {@code seed} and the epoch number).
 *
 * @param epoch             the epoch in progress (1-based)
 * @param segmentsDone      segments of that epoch already fitted
 * @param segmentsPerEpoch  segments an epoch is split into (checkpoint granularity)
 * @param seed              the run's seed
 * @param completedEpochs   records of the epochs finished before
 * @param roundLosses       training loss of every round so far
 * @param validation        validations so far, the best one and the early-stopping state (absent in
 *                          checkpoints written before validation existed: read as none)
 * @param bestModel         name of the stored best model this checkpoint relies on (see
 *                          {@link ValidationRecord#modelName()}), null when the run keeps none (no
 *                          validation set: the best validation is only reported, never stored)
 */
public record TrainingPosition(int epoch, int segmentsDone, int segmentsPerEpoch, long seed,
                               List<EpochRecord> completedEpochs, List<Double> roundLosses,
                               ValidationState validation, String bestModel) {
    public TrainingPosition {
        completedEpochs = List.copyOf(completedEpochs);
        roundLosses = List.copyOf(roundLosses);
        validation = validation == null ? ValidationState.INITIAL : validation;
    }

    /** The stored best model this checkpoint needs to resume, if any. */
    public Optional<String> storedBestModel() {
        return Optional.ofNullable(bestModel);
    }
}

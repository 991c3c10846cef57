package org.sparkcnn.train;

import java.util.List;

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
 */
public record TrainingPosition(int epoch, int segmentsDone, int segmentsPerEpoch, long seed,
                               List<EpochRecord> completedEpochs, List<Double> roundLosses,
                               ValidationState validation) {
    public TrainingPosition {
        completedEpochs = List.copyOf(completedEpochs);
        roundLosses = List.copyOf(roundLosses);
        validation = validation == null ? ValidationState.INITIAL : validation;
    }
}

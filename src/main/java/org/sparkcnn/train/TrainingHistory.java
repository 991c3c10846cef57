package org.sparkcnn.train;

import java.util.List;
import java.util.Optional;

/**
 * Record of a training run: per-epoch figures, the loss of every averaging round, the time split, and the
 * validations during training.
 */
public record TrainingHistory(List<EpochRecord> epochs, List<Double> roundLosses, int workers,
                              Optional<TimeSplit> timeSplit, ValidationSummary validation) {
    public TrainingHistory {
        epochs = List.copyOf(epochs);
        roundLosses = List.copyOf(roundLosses);
    }

    public double totalSeconds() {
        return epochs.stream().mapToDouble(EpochRecord::seconds).sum();
    }

    public long totalImages() {
        return epochs.stream().mapToLong(EpochRecord::images).sum();
    }
}

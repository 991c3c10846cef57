package org.sparkcnn.train;

import java.util.List;
import java.util.Optional;

/**
 * The validation history and early-stopping state of a run; part of every checkpoint's
 * {@link TrainingPosition}, so that a resumed run knows its best model and its patience left.
 *
 * @param history                       every validation so far, in order
 * @param bestIndex                     index in {@code history} of the best validation, -1 = none yet
 * @param validationsWithoutImprovement validations since the best one
 * @param stopped                       early stopping ended training
 * @param stopReason                    why, for log and report; empty when not stopped
 */
public record ValidationState(List<ValidationRecord> history, int bestIndex, int validationsWithoutImprovement,
                              boolean stopped, String stopReason) {
    public static final ValidationState INITIAL = new ValidationState(List.of(), -1, 0, false, "");

    public ValidationState {
        history = List.copyOf(history);
        stopReason = stopReason == null ? "" : stopReason;
        if (bestIndex < -1 || bestIndex >= history.size()) {
            throw new IllegalArgumentException("best index " + bestIndex + " outside history of " + history.size());
        }
    }

    public Optional<ValidationRecord> best() {
        return bestIndex < 0 ? Optional.empty() : Optional.of(history.get(bestIndex));
    }

    /** The validation taken at the end of {@code epoch}, if any. */
    public Optional<ValidationRecord> atEndOf(int epoch) {
        return history.stream().filter(v -> v.epoch() == epoch && v.epochEnd()).reduce((a, b) -> b);
    }
}

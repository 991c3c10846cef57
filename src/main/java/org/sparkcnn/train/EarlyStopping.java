package org.sparkcnn.train;

import java.util.ArrayList;
import java.util.List;

/**
 * The early-stopping rule: a validation improves when its accuracy beats the best so far by more than
 * {@code minDelta} (the first one always does); after {@code patience} validations in a row without
 * improvement, training stops. The best model is the one of the last improving validation. A pure state
 * machine over {@link ValidationState}, so the state can be checkpointed and resumed.
 *
 * @param patience 0 = never stop (the best model is still tracked)
 */
public record EarlyStopping(int patience, double minDelta) {
    public static final EarlyStopping OFF = new EarlyStopping(0, 0);

    public EarlyStopping {
        if (patience < 0 || !(minDelta >= 0)) {
            throw new IllegalArgumentException("patience " + patience + ", min delta " + minDelta);
        }
    }

    /** The state after one more validation. */
    public ValidationState observe(ValidationState state, int epoch, long round, boolean epochEnd, double accuracy,
                                   double loss) {
        if (state.stopped()) {
            throw new IllegalStateException("training already stopped early: " + state.stopReason());
        }
        boolean improved = state.best().map(b -> accuracy > b.accuracy() + minDelta).orElse(true);
        List<ValidationRecord> history = new ArrayList<>(state.history());
        history.add(new ValidationRecord(epoch, round, epochEnd, accuracy, loss, improved));
        if (improved) {
            return new ValidationState(history, history.size() - 1, 0, false, "");
        }
        int without = state.validationsWithoutImprovement() + 1;
        boolean stop = patience > 0 && without >= patience;
        String reason = "";
        if (stop) {
            ValidationRecord best = state.best().orElseThrow();
            reason = String.format("validation accuracy did not improve by more than %s for %d validation%s "
                            + "(best %.4f at epoch %d, round %d)", minDelta, without, without == 1 ? "" : "s",
                    best.accuracy(), best.epoch(), best.round());
        }
        return new ValidationState(history, state.bestIndex(), without, stop, reason);
    }
}

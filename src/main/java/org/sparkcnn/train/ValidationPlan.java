package org.sparkcnn.train;

import org.sparkcnn.config.ValidationConfig;
import org.sparkcnn.data.ValidationSplit;

/**
 * How {@link CnnTrainer} measures the model while it trains: WHEN ({@code when}), WHAT ({@code validator},
 * on {@code dataset}) and what follows from it ({@code stopping}, and whether the best model is kept).
 *
 * @param examples    images in {@code dataset}
 * @param everyRounds the round interval of {@code when} (0 = epoch based): epochs are cut into checkpoint
 *                    segments no longer than this, since triggers fire only at segment boundaries
 * @param keepBest    the trained model is the best one by this measurement, not the last one; only with a
 *                    validation set (choosing a model by its test accuracy would tune it to the test set)
 */
public record ValidationPlan(Validator validator, String dataset, long examples, Trigger when, int everyRounds,
                             EarlyStopping stopping, boolean keepBest) {
    public static final String VALIDATION = "validation";
    public static final String TEST = "test";
    public static final String TRAINING = "training";

    /**
     * WHEN to validate (the configured trigger), on WHAT, and the early-stopping rule: on the held-out
     * validation set when {@code split} has one (and the best model is kept), else on {@code otherDataset}.
     *
     * @param otherDataset  what {@code validator} measures when there is no validation set (TEST, TRAINING)
     * @param otherExamples images in it
     */
    public static ValidationPlan of(ValidationConfig config, Validator validator, ValidationSplit split,
                                    String otherDataset, long otherExamples) {
        Trigger when = config.everyRounds() == 0 ? Trigger.everyEpoch() : Trigger.severalIteration(config.everyRounds());
        boolean held = !split.isEmpty();
        return new ValidationPlan(validator, held ? VALIDATION : otherDataset,
                held ? split.validationCount() : otherExamples, when, config.everyRounds(),
                new EarlyStopping(config.patience(), config.minDelta()), held);
    }
}

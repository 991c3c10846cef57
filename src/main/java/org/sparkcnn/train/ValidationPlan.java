package org.sparkcnn.train;

import org.sparkcnn.config.ValidationConfig;

import java.util.Optional;

/**
 * How {@link CnnTrainer} measures the model while it trains: WHEN ({@code when}), WHAT ({@code validator},
 * on {@code dataset}) and what follows from it ({@code stopping}, and whether the best model is kept).
 * {@link #NONE} measures nothing.
 *
 * @param validator   empty: nothing is measured, not even at the end of training ({@link #NONE})
 * @param examples    images in {@code dataset}
 * @param everyRounds the round interval of {@code when} (0 = epoch based): epochs are cut into checkpoint
 *                    segments no longer than this, since triggers fire only at segment boundaries
 * @param keepBest    the trained model is the best one by this measurement, not the last one; only with a
 *                    validation set (choosing a model by its test accuracy would tune it to the test set)
 */
public record ValidationPlan(Optional<Validator> validator, String dataset, long examples, Trigger when,
                             int everyRounds, EarlyStopping stopping, boolean keepBest) {
    public static final String VALIDATION = "validation";
    public static final String TEST = "test";
    /** The dataset of {@link #NONE}. */
    public static final String NOTHING = "nothing";

    /**
     * Nothing measured while training: no validation, no early stopping, the model is the last one. For a
     * caller that does not use a measurement (the Estimator without a validation set, the bench's cases
     * without accuracy targets).
     */
    public static final ValidationPlan NONE = new ValidationPlan(Optional.empty(), NOTHING, 0, Trigger.never(), 0,
            EarlyStopping.OFF, false);

    public ValidationPlan {
        if (validator.isEmpty() && (keepBest || !stopping.equals(EarlyStopping.OFF))) {
            throw new IllegalArgumentException("a plan without a validator can neither keep a best model nor stop "
                    + "early");
        }
    }

    /**
     * WHEN to validate (the configured trigger), on WHAT, and the early-stopping rule.
     *
     * @param dataset  what {@code validator} measures: {@link #VALIDATION} (then the best model is kept) or
     *                 {@link #TEST}
     * @param examples images in it
     */
    public static ValidationPlan of(ValidationConfig config, Validator validator, String dataset, long examples) {
        Trigger when = config.everyRounds() == 0 ? Trigger.everyEpoch()
                : Trigger.severalIteration(config.everyRounds());
        return new ValidationPlan(Optional.of(validator), dataset, examples, when, config.everyRounds(),
                new EarlyStopping(config.patience(), config.minDelta()), VALIDATION.equals(dataset));
    }

    /** Whether anything is measured while training (and at its end). */
    public boolean measures() {
        return validator.isPresent();
    }
}

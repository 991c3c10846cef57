package org.sparkcnn.train;

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

}

package org.sparkcnn.train;

/**
 * How a run was validated while training, and what came of it, for the report.
 *
 * @param dataset   {@link ValidationPlan#VALIDATION}, {@link ValidationPlan#TEST} or
 *                  {@link ValidationPlan#NOTHING}
 * @param examples  images in {@code dataset}
 * @param every     the validation schedule as configured ("epoch" or "N rounds")
 * @param stopping  the early-stopping rule
 * @param state     every validation, the best one and whether (and why) training stopped early
 * @param bestModel the trained model is the best validated one (not the last one)
 */
public record ValidationSummary(String dataset, long examples, String every, EarlyStopping stopping, ValidationState state,
                                boolean bestModel) {
}

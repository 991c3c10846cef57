package org.sparkcnn.bench;

/**
 * One measurement of a bench case on the test set while it trained.
 *
 * @param trainingSeconds the case's training time when it was taken: wall clock since the case started, less
 *                        the time spent in the validations before it
 * @param accuracy        test accuracy of the model at that time
 */
public record ValidationPoint(double trainingSeconds, double accuracy) {
}

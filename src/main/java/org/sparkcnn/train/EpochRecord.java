package org.sparkcnn.train;

/**
 * What one pass over the training set did.
 *
 * @param epoch           1-based
 * @param rounds          parameter-averaging rounds in it
 * @param images          training images fitted
 * @param seconds         wall time
 * @param imagesPerSecond images / seconds
 * @param meanLoss        training loss averaged over its rounds
 * @param testAccuracy    accuracy on the test set after this epoch, NaN when not measured (always when
 *                        there is a validation set: the test set is kept for the final evaluation)
 * @param validationAccuracy accuracy on the validation set after this epoch, NaN when not measured
 */
public record EpochRecord(int epoch, int rounds, long images, double seconds, double imagesPerSecond,
                          double meanLoss, double testAccuracy, double validationAccuracy) {
}

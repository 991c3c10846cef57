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
 */
public record EpochRecord(int epoch, int rounds, long images, double seconds, double imagesPerSecond,
                          double meanLoss) {
}

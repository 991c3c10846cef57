package org.sparkcnn.eval;

/**
 * A test image the model got wrong.
 *
 * @param index       position in the test set
 * @param label       true class
 * @param predicted   predicted class
 * @param confidence  softmax probability of the predicted class
 * @param pixels      unsigned pixels, channel-major then row-major (as {@link org.sparkcnn.data.LabeledImages})
 */
public record Misclassified(long index, int label, int predicted, double confidence, byte[] pixels) {
}

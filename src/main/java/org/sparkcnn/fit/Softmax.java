package org.sparkcnn.fit;

/**
 * The softmax of the output layer's logits, and its cross-entropy, computed in Java in double precision
 * (one value per class per image): 0.2 us per image, 0.05% of a training step on one core (issue #18's
 * StepBreakdown), too little to move into oneDNN or to trade precision for.
 */
final class Softmax {
    private Softmax() {
    }

    /**
     * {@code ln(sum_c exp(values[from + c]))} over {@code count} values, shifted by their maximum so that no
     * exponential overflows: each class's log-probability is its logit minus this.
     */
    static double logSumExp(float[] values, int from, int count) {
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < count; c++) {
            max = Math.max(max, values[from + c]);
        }
        double sum = 0;
        for (int c = 0; c < count; c++) {
            sum += Math.exp(values[from + c] - max);
        }
        return Math.log(sum) + max;
    }

    /**
     * The cross-entropy summed over the images and, in place of the logits, its gradient at them
     * ({@code softmax - target} per image).
     *
     * @param logits [images, classes] row-major; overwritten by the gradient
     * @param labels the targets, one-hot or soft, same shape
     */
    static double crossEntropy(float[] logits, float[] labels, int images, int classes) {
        double lossSum = 0;
        for (int row = 0; row < images * classes; row += classes) {
            double logSum = logSumExp(logits, row, classes);
            for (int c = 0; c < classes; c++) {
                double logProbability = logits[row + c] - logSum;
                lossSum -= labels[row + c] * logProbability;
                logits[row + c] = (float) (Math.exp(logProbability) - labels[row + c]);
            }
        }
        return lossSum;
    }
}

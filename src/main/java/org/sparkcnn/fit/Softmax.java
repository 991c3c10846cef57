package org.sparkcnn.fit;

/** The softmax of the output layer's logits, computed in Java (one value per class per image). */
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
}

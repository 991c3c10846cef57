package org.sparkcnn.eval;

import java.io.Serializable;

/**
 * The model's answer for one test image. A class, not a record: RDD elements go through Kryo, which
 * cannot instantiate records.
 */
public final class Prediction implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int label;
    private final int predicted;
    private final float[] probabilities;
    /** The image's pixels, kept only for misclassified images (the report shows them). */
    private final byte[] pixels;

    public Prediction(int label, int predicted, float[] probabilities, byte[] pixels) {
        this.label = label;
        this.predicted = predicted;
        this.probabilities = probabilities;
        this.pixels = pixels;
    }

    public int label() {
        return label;
    }

    public int predicted() {
        return predicted;
    }

    public boolean correct() {
        return label == predicted;
    }

    /** Softmax output, one value per class. */
    public float[] probabilities() {
        return probabilities;
    }

    /** Row-major unsigned pixels, or null for a correct prediction. */
    public byte[] pixels() {
        return pixels;
    }
}

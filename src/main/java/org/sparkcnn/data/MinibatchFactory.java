package org.sparkcnn.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Turns raw {@link LabeledImages} into DL4J {@link DataSet}s: features as floats in [0, 1], shape
 * [n, channels*rows*cols], each image channel-major as stored (the flat layout DL4J's
 * {@code InputType.convolutionalFlat(rows, cols, channels)} reshapes to NCHW, and the oneDNN step reads
 * as NCHW), and one-hot float labels [n, numClasses].
 *
 * <p>Arrays are filled on the Java heap and handed to ND4J in one {@code Nd4j.create} call: per-element
 * {@code putScalar} crosses into native code for every value and is orders of magnitude slower.
 */
public final class MinibatchFactory {
    /** byte value -> pixel intensity, so the hot loop is a table lookup instead of a division. */
    private static final float[] SCALE = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            SCALE[i] = i / 255f;
        }
    }

    private final int numClasses;

    public MinibatchFactory(int numClasses) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be at least 2, got " + numClasses);
        }
        this.numClasses = numClasses;
    }

    public int numClasses() {
        return numClasses;
    }

    /** All examples, in order, as one DataSet. */
    public DataSet toDataSet(LabeledImages data) {
        return batch(data, identity(data.count()), 0, data.count());
    }

    /**
     * Splits {@code data} into minibatches of {@code batchSize} examples (the last one may be smaller).
     *
     * @param shuffleSeed negative: keep the stored order; otherwise the example order is shuffled with
     *                    {@code new java.util.Random(shuffleSeed)} first (Fisher-Yates), so the same seed
     *                    always gives the same batches, which makes training runs reproducible
     */
    public List<DataSet> toDataSets(LabeledImages data, int batchSize, long shuffleSeed) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        int[] order = identity(data.count());
        if (shuffleSeed >= 0) {
            shuffle(order, new Random(shuffleSeed));
        }
        List<DataSet> batches = new ArrayList<>((data.count() + batchSize - 1) / batchSize);
        for (int from = 0; from < data.count(); from += batchSize) {
            batches.add(batch(data, order, from, Math.min(batchSize, data.count() - from)));
        }
        return batches;
    }

    /** One DataSet of the examples order[from .. from+n). */
    DataSet batch(LabeledImages data, int[] order, int from, int n) {
        int ppi = data.pixelsPerImage();
        byte[] pixels = data.pixels();
        float[] features = new float[n * ppi];
        float[] labels = new float[n * numClasses];
        for (int i = 0; i < n; i++) {
            int example = order[from + i];
            int src = example * ppi;
            toIntensities(pixels, src, features, i * ppi, ppi);
            int label = data.label(example);
            if (label >= numClasses) {
                throw new IllegalArgumentException("label " + label + " of example " + example
                        + " is not in 0.." + (numClasses - 1));
            }
            labels[i * numClasses + label] = 1f;
        }
        INDArray f = Nd4j.create(features, new long[] {n, ppi}, DataType.FLOAT);
        INDArray l = Nd4j.create(labels, new long[] {n, numClasses}, DataType.FLOAT);
        return new DataSet(f, l);
    }

    /**
     * Pixels (unsigned bytes) to the network's input intensities in [0, 1]: {@code count} values of
     * {@code pixels} from {@code from} into {@code out} from {@code to}. Prediction calls it too, so that a
     * model sees exactly the floats it was trained on.
     */
    public static void toIntensities(byte[] pixels, int from, float[] out, int to, int count) {
        for (int p = 0; p < count; p++) {
            out[to + p] = SCALE[pixels[from + p] & 0xff];
        }
    }

    static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}

package org.sparkcnn.data;

import java.io.Serializable;
import java.util.Objects;

/**
 * A block of labelled images as unsigned 8-bit values, no scaling: grey (1 channel, as IDX files store them)
 * or colour (3 channels, RGB). Each image is stored channel-major (all of channel 0's rows, then channel 1's...),
 * the NCHW order the networks take, so a minibatch is one copy per image.
 * Keeping bytes (not floats) makes a shard four times smaller to ship to executors and to cache;
 * {@link MinibatchFactory} converts to floats when batches are built.
 *
 * <p>Immutable by convention: the accessors return the internal arrays without copying (the training set
 * is 47 MB), so callers must not modify them.
 */
public final class LabeledImages implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int count;
    private final int rows;
    private final int cols;
    private final int channels;
    /** count*channels*rows*cols unsigned bytes: example-major, then channel, then row-major. */
    private final byte[] pixels;
    /** count unsigned bytes. */
    private final byte[] labels;

    /** Grey-scale images; takes ownership of the arrays (no copy); their lengths must match count, rows and cols. */
    public LabeledImages(int count, int rows, int cols, byte[] pixels, byte[] labels) {
        this(count, rows, cols, 1, pixels, labels);
    }

    /** Takes ownership of the arrays (no copy); their lengths must match count, rows, cols and channels. */
    public LabeledImages(int count, int rows, int cols, int channels, byte[] pixels, byte[] labels) {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        if (count < 0 || rows <= 0 || cols <= 0 || channels <= 0) {
            throw new IllegalArgumentException("bad shape: count=" + count + ", rows=" + rows + ", cols=" + cols
                    + ", channels=" + channels);
        }
        if ((long) count * rows * cols * channels != pixels.length) {
            throw new IllegalArgumentException("pixels has " + pixels.length + " bytes, expected " + count + "*"
                    + channels + "*" + rows + "*" + cols + " = " + ((long) count * channels * rows * cols));
        }
        if (labels.length != count) {
            throw new IllegalArgumentException("labels has " + labels.length + " entries, expected " + count);
        }
        this.count = count;
        this.rows = rows;
        this.cols = cols;
        this.channels = channels;
        this.pixels = pixels;
        this.labels = labels;
    }

    public int count() {
        return count;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** 1 (grey) or 3 (RGB). */
    public int channels() {
        return channels;
    }

    /** Values (bytes) per image: channels * rows * cols. */
    public int pixelsPerImage() {
        return channels * rows * cols;
    }

    /** The raw pixel bytes (not a copy: do not modify). Read them as unsigned: {@code b & 0xff}. */
    public byte[] pixels() {
        return pixels;
    }

    /** The raw label bytes (not a copy: do not modify). Read them as unsigned: {@code b & 0xff}. */
    public byte[] labels() {
        return labels;
    }

    /** The label of example {@code i} as an unsigned value. */
    public int label(int i) {
        return labels[i] & 0xff;
    }

    /** A copy of examples [from, from + n). */
    public LabeledImages slice(int from, int n) {
        if (from < 0 || n < 0 || from > count - n) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + ((long) from + n) + ") of " + count + " examples");
        }
        int ppi = pixelsPerImage();
        byte[] p = new byte[n * ppi];
        System.arraycopy(pixels, from * ppi, p, 0, p.length);
        byte[] l = new byte[n];
        System.arraycopy(labels, from, l, 0, n);
        return new LabeledImages(n, rows, cols, channels, p, l);
    }

    /** A copy of the examples whose index {@code keep} accepts, in order. */
    public LabeledImages select(java.util.function.IntPredicate keep) {
        int ppi = pixelsPerImage();
        byte[] p = new byte[pixels.length];
        byte[] l = new byte[count];
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (keep.test(i)) {
                System.arraycopy(pixels, i * ppi, p, n * ppi, ppi);
                l[n++] = labels[i];
            }
        }
        return new LabeledImages(n, rows, cols, channels, java.util.Arrays.copyOf(p, n * ppi), java.util.Arrays.copyOf(l, n));
    }

    /** How many examples carry each label 0..numClasses-1 (e.g. to log class balance of a shard). */
    public int[] classCounts(int numClasses) {
        int[] counts = new int[numClasses];
        for (int i = 0; i < count; i++) {
            int label = labels[i] & 0xff;
            if (label >= numClasses) {
                throw new IllegalArgumentException("label " + label + " at index " + i + " is not in 0.." + (numClasses - 1));
            }
            counts[label]++;
        }
        return counts;
    }

    @Override
    public String toString() {
        return "LabeledImages[" + count + " x " + channels + "x" + rows + "x" + cols + "]";
    }
}

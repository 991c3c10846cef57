package org.sparkcnn.data;

import java.io.Serializable;

/**
 * The image size and number of classes a dataset must have. The reader checks files against it so that a
 * wrong file (say a 32x32 CIFAR-like IDX) fails at load time with a clear message, not deep inside the
 * network with a shape mismatch. Serializable because Spark tasks that read shards capture it.
 */
public record DatasetShape(int rows, int cols, int channels, int numClasses) implements Serializable {

    /** MNIST: 28x28 grey-scale digits 0-9. */
    public static final DatasetShape MNIST = new DatasetShape(28, 28, 10);

    /** Grey-scale images (one channel). */
    public DatasetShape(int rows, int cols, int numClasses) {
        this(rows, cols, 1, numClasses);
    }

    public DatasetShape {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + rows + "x" + cols);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 (grey) or 3 (RGB), got " + channels);
        }
        // labels are stored as one unsigned byte each
        if (numClasses < 2 || numClasses > 256) {
            throw new IllegalArgumentException("numClasses must be in 2..256, got " + numClasses);
        }
    }

    /** Values (bytes) per image: channels * rows * cols. */
    public int pixelsPerImage() {
        return channels * rows * cols;
    }
}

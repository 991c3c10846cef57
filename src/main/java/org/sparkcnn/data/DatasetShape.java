package org.sparkcnn.data;

import java.io.Serializable;

/**
 * The image size and number of classes a dataset must have. The reader checks files against it so that a
 * wrong file (say a 32x32 CIFAR-like IDX) fails at load time with a clear message, not deep inside the
 * network with a shape mismatch. Serializable because Spark tasks that read shards capture it.
 */
public record DatasetShape(int rows, int cols, int numClasses) implements Serializable {

    /** MNIST: 28x28 grey-scale digits 0-9. */
    public static final DatasetShape MNIST = new DatasetShape(28, 28, 10);

    public DatasetShape {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + rows + "x" + cols);
        }
        // labels are stored as one unsigned byte each
        if (numClasses < 2 || numClasses > 256) {
            throw new IllegalArgumentException("numClasses must be in 2..256, got " + numClasses);
        }
    }

    /** Pixels per image. */
    public int pixelsPerImage() {
        return rows * cols;
    }
}

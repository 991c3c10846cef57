package org.sparkcnn.bench;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.config.CpuKernels;
import org.sparkcnn.config.ModelConfig;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.data.MinibatchFactory;
import org.sparkcnn.fit.MinibatchFitter;
import org.sparkcnn.fit.MinibatchFitters;
import org.sparkcnn.model.CnnArchitecture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * What one core can do with the native kernels, apart from any distribution: the time to fit one
 * minibatch, measured in this JVM on the calling thread at several batch sizes and fitted with
 * {@code fixed + marginal x batch size}. The fixed part is what every optimiser step costs whatever its
 * size (the optimiser update of all 3.3M parameters, per-op overheads); the marginal part is the kernels'
 * cost per image (convolutions, matrix products), so {@code 1000 / marginal} is the most a core can fit
 * per second at any batch size. Set the native thread count to 1 before measuring.
 */
public final class PerCoreCost {
    private static final Logger LOG = LoggerFactory.getLogger(PerCoreCost.class);
    /** Unmeasured minibatches first: JIT compilation and oneDNN's kernel generation. */
    private static final int WARM_UP_MINIBATCHES = 5;
    /** Images timed per batch size: ~10 s per point on one core. */
    public static final int IMAGES_PER_POINT = 8192;

    /** One measured batch size: the mean wall time of one {@code fit} call. */
    public record Point(int batchSize, int minibatches, double millisPerMinibatch) {
        public double imagesPerSecond() {
            return batchSize * 1000.0 / millisPerMinibatch;
        }
    }

    /**
     * The least-squares line through the points.
     *
     * @param kernels what computed the forward and backward passes ({@code training.cpu-kernels})
     */
    public record Fit(String kernels, List<Point> points, double fixedMillisPerMinibatch, double marginalMillisPerImage) {
        public Fit {
            points = List.copyOf(points);
        }

        /** The kernels' own limit: one core at an unbounded batch size. */
        public double ceilingImagesPerSecond() {
            return 1000.0 / marginalMillisPerImage;
        }
    }

    private PerCoreCost() {
    }

    /**
     * @param batchSizes     at least two different sizes
     * @param imagesPerPoint images timed per batch size (at least one minibatch; fewer if the data is smaller)
     */
    public static Fit measure(CpuKernels kernels, ModelConfig model, LabeledImages data, int numClasses,
                              List<Integer> batchSizes, int imagesPerPoint) {
        if (batchSizes.stream().distinct().count() < 2) {
            throw new IllegalArgumentException("the per-core cost needs at least two batch sizes, got " + batchSizes);
        }
        MinibatchFactory factory = new MinibatchFactory(numClasses);
        DatasetShape shape = new DatasetShape(data.rows(), data.cols(), data.channels(), numClasses);
        List<Point> points = new ArrayList<>();
        for (int batchSize : batchSizes) {
            MultiLayerNetwork network = new MultiLayerNetwork(CnnArchitecture.build(model, shape));
            network.init();
            // as many as asked for, or as the training set holds
            int timed = Math.min(Math.max(1, imagesPerPoint / batchSize), data.count() / batchSize - WARM_UP_MINIBATCHES);
            if (timed < 1) {
                throw new BadInputException("bench.per-core-batch-sizes: batch size " + batchSize + " needs at least "
                        + (WARM_UP_MINIBATCHES + 1) * batchSize + " training images, the training set has " + data.count());
            }
            int needed = (WARM_UP_MINIBATCHES + timed) * batchSize;
            List<DataSet> batches = factory.toDataSets(data.slice(0, needed), batchSize, model.seed());
            Point point;
            try (MinibatchFitter fitter = MinibatchFitters.create(kernels, network, model.seed())) {
                for (int i = 0; i < WARM_UP_MINIBATCHES; i++) {
                    fitter.fit(batches.get(i));
                }
                long start = System.nanoTime();
                for (int i = 0; i < timed; i++) {
                    fitter.fit(batches.get(WARM_UP_MINIBATCHES + i));
                }
                point = new Point(batchSize, timed, (System.nanoTime() - start) / 1e6 / timed);
            }
            LOG.info(String.format("per-core cost: batch %d  %.1f ms per minibatch  %.0f images/s", batchSize,
                    point.millisPerMinibatch(), point.imagesPerSecond()));
            points.add(point);
        }
        return fit(kernels.name().toLowerCase(java.util.Locale.ROOT), points);
    }

    /** Ordinary least squares of milliseconds per minibatch against batch size. */
    static Fit fit(String kernels, List<Point> points) {
        double n = points.size();
        double meanX = points.stream().mapToDouble(Point::batchSize).sum() / n;
        double meanY = points.stream().mapToDouble(Point::millisPerMinibatch).sum() / n;
        double sxy = 0;
        double sxx = 0;
        for (Point p : points) {
            sxy += (p.batchSize() - meanX) * (p.millisPerMinibatch() - meanY);
            sxx += (p.batchSize() - meanX) * (p.batchSize() - meanX);
        }
        double marginal = sxy / sxx;
        return new Fit(kernels, points, meanY - marginal * meanX, marginal);
    }
}

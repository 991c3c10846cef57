package org.sparkcnn.bench;

import org.apache.hadoop.conf.Configuration;
import org.sparkcnn.config.CpuKernels;
import org.sparkcnn.config.JobConfig;
import org.sparkcnn.config.JobConfigLoader;
import org.sparkcnn.data.ColouredDigits;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.IdxDatasetReader;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.model.NativeRuntime;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The per-core cost of the training step ({@link PerCoreCost}, as {@code sparkcnn bench} measures it)
 * for another image geometry: MNIST's training digits as-is (1x28x28) or painted into RGB images of
 * another size ({@link ColouredDigits}). Not a test: run it by hand (docs/benchmarks.md) with
 * {@code SPARKCNN_MNIST_DIR} set; arguments: channels rows cols [kernels [batch sizes...]].
 */
public final class GeometryThroughput {
    private GeometryThroughput() {
    }

    public static void main(String[] args) {
        int channels = Integer.parseInt(args[0]);
        int rows = Integer.parseInt(args[1]);
        int cols = Integer.parseInt(args[2]);
        CpuKernels kernels = args.length > 3 ? CpuKernels.valueOf(args[3].toUpperCase()) : CpuKernels.ONEDNN;
        List<Integer> batchSizes = args.length > 4
                ? Arrays.stream(args, 4, args.length).map(Integer::valueOf).toList() : List.of(64, 128);
        JobConfig config = JobConfigLoader.load(Optional.empty(), List.of());
        LabeledImages digits = new IdxDatasetReader(new Configuration(), DatasetShape.MNIST)
                .readRange(MnistFixture.trainImages(), MnistFixture.trainLabels(), 0, 12_000);
        LabeledImages data = channels == 1 && rows == 28 && cols == 28 ? digits
                : ColouredDigits.paint(digits, rows, cols, channels, 1, digit -> digit);
        NativeRuntime.limitThreads(1);
        PerCoreCost.Fit fit = PerCoreCost.measure(kernels, config.model(), data, 10, batchSizes,
                PerCoreCost.IMAGES_PER_POINT);
        for (PerCoreCost.Point p : fit.points()) {
            System.out.printf("%dx%dx%d %s batch %d: %.1f ms per minibatch, %.0f images/s on one core%n", channels, rows,
                    cols, fit.kernels(), p.batchSize(), p.millisPerMinibatch(), p.imagesPerSecond());
        }
        System.out.printf("%dx%dx%d %s: fixed %.2f ms per minibatch, marginal %.3f ms per image (ceiling %.0f images/s)%n",
                channels, rows, cols, fit.kernels(), fit.fixedMillisPerMinibatch(), fit.marginalMillisPerImage(),
                fit.ceilingImagesPerSecond());
    }
}

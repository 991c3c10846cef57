package org.sparkcnn.fit;

import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkcnn.config.JobConfigLoader;
import org.sparkcnn.config.ModelConfig;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.IdxDatasetReader;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.data.MinibatchFactory;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.model.CnnArchitecture;
import org.sparkcnn.model.NativeRuntime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a oneDNN training step's time goes: the default model (conf/sparkcnn.conf) on MNIST's training
 * digits, one native thread, each {@link StepPhase} of {@link OneDnnFitter#fit} timed through its
 * {@link StepTimer} seam (the production step itself) over many steps after a warm-up, at several batch
 * sizes; then each phase's time fitted as {@code fixed + marginal x batch size}, as {@code sparkcnn
 * bench}'s per-core case fits the whole step. Not a test: run it by hand from the project directory,
 * arguments [steps [batch sizes...]]:
 *
 * <pre>
 * mvn -B -o -q test-compile
 * SPARKCNN_MNIST_DIR=../shared/data/mnist OMP_NUM_THREADS=1 java @conf/java-module-options -Xmx6g \
 *   -cp "target/classes:target/test-classes:target/lib/*" org.sparkcnn.fit.StepBreakdown 50 32 128 512
 * </pre>
 */
public final class StepBreakdown {
    private static final int WARM_UP_STEPS = 10;

    private StepBreakdown() {
    }

    /** Sums each phase's wall time over the steps it is told of. */
    private static final class PhaseClock implements StepTimer {
        private final long[] nanos = new long[StepPhase.values().length];
        private long last;

        void stepStarts() {
            last = System.nanoTime();
        }

        @Override
        public void ended(StepPhase phase) {
            long now = System.nanoTime();
            nanos[phase.ordinal()] += now - last;
            last = now;
        }

        void reset() {
            Arrays.fill(nanos, 0);
        }
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        List<Integer> batchSizes = args.length > 1
                ? Arrays.stream(args, 1, args.length).map(Integer::valueOf).toList() : List.of(32, 128, 512);
        ModelConfig model = JobConfigLoader.load(Optional.of(Path.of("conf/sparkcnn.conf")), List.of()).model();
        int largest = batchSizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
        LabeledImages digits = new IdxDatasetReader(new Configuration(), DatasetShape.MNIST)
                .readRange(MnistFixture.trainImages(), MnistFixture.trainLabels(), 0,
                        Math.min(60_000, (WARM_UP_STEPS + steps) * largest));
        NativeRuntime.limitThreads(1);

        Map<Integer, double[]> millis = new java.util.LinkedHashMap<>();
        Map<Integer, Double> totals = new java.util.LinkedHashMap<>();
        for (int batchSize : batchSizes) {
            MultiLayerNetwork network = new MultiLayerNetwork(CnnArchitecture.build(model, DatasetShape.MNIST));
            network.init();
            List<DataSet> batches = new MinibatchFactory(10).toDataSets(digits, batchSize, model.seed());
            PhaseClock clock = new PhaseClock();
            long totalNanos = 0;
            try (OneDnnFitter fitter = new OneDnnFitter(network, DropoutMasks.random(model.seed()), clock)) {
                for (int step = 0; step < WARM_UP_STEPS + steps; step++) {
                    if (step == WARM_UP_STEPS) {
                        clock.reset();
                    }
                    DataSet minibatch = batches.get(step % batches.size());
                    long start = System.nanoTime();
                    clock.stepStarts();
                    fitter.fit(minibatch);
                    if (step >= WARM_UP_STEPS) {
                        totalNanos += System.nanoTime() - start;
                    }
                }
            }
            double[] perStep = new double[StepPhase.values().length];
            for (int p = 0; p < perStep.length; p++) {
                perStep[p] = clock.nanos[p] / 1e6 / steps;
            }
            millis.put(batchSize, perStep);
            totals.put(batchSize, totalNanos / 1e6 / steps);
        }
        print(batchSizes, millis, totals, steps);
    }

    private static void print(List<Integer> batchSizes, Map<Integer, double[]> millis, Map<Integer, Double> totals,
                              int steps) {
        StringBuilder header = new StringBuilder(String.format("%-16s", "ms per step"));
        for (int batchSize : batchSizes) {
            header.append(String.format(" | %9s", "batch " + batchSize));
        }
        header.append(String.format(" | %8s | %12s", "fixed ms", "ms per image"));
        System.out.printf("%d steps per batch size after %d warm-up steps, one native thread%n", steps, WARM_UP_STEPS);
        System.out.println(header);
        double[] x = batchSizes.stream().mapToDouble(Integer::doubleValue).toArray();
        for (StepPhase phase : StepPhase.values()) {
            double[] y = batchSizes.stream().mapToDouble(b -> millis.get(b)[phase.ordinal()]).toArray();
            row(phase.name().toLowerCase(java.util.Locale.ROOT), x, y);
        }
        double[] sum = batchSizes.stream().mapToDouble(b -> Arrays.stream(millis.get(b)).sum()).toArray();
        row("sum of phases", x, sum);
        row("step (wall)", x, batchSizes.stream().mapToDouble(totals::get).toArray());
    }

    private static void row(String name, double[] x, double[] y) {
        StringBuilder line = new StringBuilder(String.format("%-16s", name));
        for (double v : y) {
            line.append(String.format(" | %9.3f", v));
        }
        double[] line2 = leastSquares(x, y);
        line.append(String.format(" | %8.3f | %12.5f", line2[0], line2[1]));
        System.out.println(line);
    }

    /** {intercept, slope} of the ordinary least-squares line through the points. */
    private static double[] leastSquares(double[] x, double[] y) {
        double meanX = Arrays.stream(x).average().orElseThrow();
        double meanY = Arrays.stream(y).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - meanX) * (y[i] - meanY);
            sxx += (x[i] - meanX) * (x[i] - meanX);
        }
        double slope = sxy / sxx;
        return new double[] {meanY - slope * meanX, slope};
    }
}

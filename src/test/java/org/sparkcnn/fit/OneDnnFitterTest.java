package org.sparkcnn.fit;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.config.ModelConfig;
import org.sparkcnn.config.Optimizer;
import org.sparkcnn.data.ColouredDigits;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.data.MinibatchFactory;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.model.CnnArchitecture;
import org.sparkcnn.model.NativeRuntime;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The oneDNN step must compute what DL4J computes: the same loss and gradients for the same parameters and
 * minibatch (every layer, checked on real MNIST images), and the same parameters and optimiser state after
 * several optimiser steps. Both run the default network's dropout (0.4) with the same masks
 * ({@link GivenMaskDropout} on DL4J's side, {@link DropoutMasks} on oneDNN's).
 *
 * <p>Each check runs for MNIST's 28x28 grey digits in 10 classes and for the same digits as non-square
 * RGB 20x28 images ({@link ColouredDigits}) in 17 classes. The single-step check of the loss and every
 * gradient also runs for odd-sized RGB 21x27 images in 3 classes (each pooling drops a row and a
 * column). That case is left out of the several-step comparisons because its trajectories part without
 * any step computing otherwise: its first steps are large (output-bias gradients of 5), and where float32
 * rounding flips a ReLU or a pooling window's maximum, the next step's gradient goes elsewhere and the
 * steps after amplify it. Measured: after 3 SGD steps its conv1 biases differed by 1.4e-4 (relative L2;
 * 7e-7 for the other geometries) and one conv1 weight of 2,400 by 1.13 times the bound; in an earlier
 * run with digits of random polarity, Adam's relative L2 difference of all parameters grew from 3e-7
 * after 3 steps to 3e-5 after 4 and 5e-4 after 5, while each step's gradients, computed by both at the
 * same parameters, agreed to 1e-7.
 */
@Timeout(120)
class OneDnnFitterTest {
    private static final int BATCH = 32;
    private static final double DROPOUT = 0.4;
    /** The default preset's optimiser and learning rate (conf/sparkcnn.conf), plus L2. */
    private static final ModelConfig ADAM_L2 = new ModelConfig(7, Optimizer.ADAM, /* learning rate */ 0.002,
            /* momentum */ 0, /* l2 */ 5e-4, DROPOUT, /* decay */ 1.0);
    private static final ModelConfig SGD = new ModelConfig(7, Optimizer.SGD, /* learning rate */ 0.05,
            /* momentum */ 0, /* l2 */ 0, DROPOUT, /* decay */ 1.0);
    /** Each step's mask from its own seeded stream, so that either side can ask for step n's mask. */
    private static final DropoutMasks MASKS = (iteration, retain, mask) -> {
        SplittableRandom random = new SplittableRandom(1_000_003L * iteration + 11);
        for (int i = 0; i < mask.length; i++) {
            mask[i] = random.nextDouble() < retain ? (float) (1.0 / retain) : 0f;
        }
    };

    @Test
    void theGivenMaskDropsAboutTheConfiguredShare() {
        float[] mask = new float[BATCH * 1024];
        MASKS.draw(0, 1 - DROPOUT, mask);
        int kept = 0;
        for (float m : mask) {
            kept += m != 0 ? 1 : 0;
        }
        // 32,768 draws at p = 0.6: standard deviation 89
        assertEquals(0.6 * BATCH * 1024, kept, 500, "values kept");
    }

    /**
     * An image geometry and class count, with the real digits to feed it.
     *
     * @param relabel maps a digit to its class in this case
     */
    record Geometry(DatasetShape shape, IntUnaryOperator relabel) {
        @Override
        public String toString() {
            return shape.channels() + "x" + shape.rows() + "x" + shape.cols() + ", " + shape.numClasses() + " classes";
        }
    }

    /** The geometries of the several-step comparisons. */
    static List<Geometry> geometries() {
        return List.of(new Geometry(DatasetShape.MNIST, IntUnaryOperator.identity()),
                // non-square RGB, 17 classes: digit d is class 5d mod 17, so targets reach the last classes
                new Geometry(new DatasetShape(20, 28, 3, 17), digit -> digit * 5 % 17));
    }

    /** The geometries of the single-step check: those, and odd sizes (pooled to 10x13, then 5x6) in 3 classes. */
    static List<Geometry> singleStepGeometries() {
        return java.util.stream.Stream.concat(geometries().stream(),
                java.util.stream.Stream.of(new Geometry(new DatasetShape(21, 27, 3, 3), digit -> digit % 3))).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("singleStepGeometries")
    void gradientsAndLossWithDropoutMatchDl4j(Geometry geometry) {
        NativeRuntime.enableLayerHelpers();
        MultiLayerNetwork reference = network(SGD, geometry);
        MultiLayerNetwork ours = reference.clone();
        DataSet minibatch = minibatches(geometry, 1).get(0);

        reference.setInput(minibatch.getFeatures());
        reference.setLabels(minibatch.getLabels());
        reference.computeGradientAndScore();
        INDArray expected = reference.getFlattenedGradients().dup();

        ours.initGradientsView();
        CnnLayout layout = CnnLayout.of(ours).layout().orElseThrow();
        assertEquals(1 - DROPOUT, layout.retainProbability(), 1e-12, "the oneDNN step sees the dropout");
        double loss;
        try (OneDnnGraph graph = new OneDnnGraph(layout, BATCH, ours.params().data().addressPointer(),
                ours.getFlattenedGradients().data().addressPointer())) {
            loss = graph.forwardBackward(minibatch.getFeatures().data().addressPointer(),
                    minibatch.getLabels().dup('c').data().asFloat(), MASKS, 0);
        }

        assertEquals(reference.score(), loss, 1e-5 * reference.score(), "loss");
        // and the mask mattered: the same weights without dropout score otherwise
        MultiLayerNetwork undropped = network(new ModelConfig(SGD.seed(), SGD.optimizer(), SGD.learningRate(),
                SGD.momentum(), SGD.l2(), /* dropout */ 0, SGD.learningRateDecay()), geometry);
        undropped.setParams(reference.params());
        undropped.setInput(minibatch.getFeatures());
        undropped.setLabels(minibatch.getLabels());
        undropped.computeGradientAndScore();
        assertTrue(Math.abs(undropped.score() - loss) > 1e-3, "dropout changed nothing: " + loss + " vs "
                + undropped.score());
        // float32 sums in another order, and a ReLU that flips where a pre-activation is ~0: measured up to
        // 2e-3 of the largest value (dense layer), 5e-4 elsewhere
        assertClose("gradient", perParameter(reference, expected), perParameter(ours, ours.getFlattenedGradients()),
                new Bounds(1e-3, 5e-3, FLOAT32_SUMS, 0));
    }

    /**
     * Five Adam steps with L2 and dropout: DL4J's own fit against the oneDNN step (with its fused Adam step,
     * which {@link FusedAdamTest} holds to DL4J's updater within a few ulp, so any difference beyond that
     * comes from the gradients). Compared: each step's loss, then every parameter array and every Adam
     * moment array.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void adamStepsWithL2AndDropoutMatchDl4j(Geometry geometry) {
        NativeRuntime.enableLayerHelpers();
        MultiLayerNetwork reference = network(ADAM_L2, geometry);
        Dl4jFitter theirs = new Dl4jFitter(reference);
        try (OneDnnFitter ours = new OneDnnFitter(reference.clone(), MASKS)) {
            for (DataSet minibatch : minibatches(geometry, 5)) {
                double expectedLoss = theirs.fit(minibatch);
                // the score includes the L2 term of the parameters before the step, as DL4J's does (the oneDNN
                // step once added the term after the update: 0.016 low at the first step)
                assertEquals(expectedLoss, ours.fit(minibatch), 1e-5 * expectedLoss, "loss of a step");
            }
            assertEquals(5, ours.network().getLayerWiseConfigurations().getIterationCount());
            // Adam moves a parameter by at most about the learning rate per step whatever its gradient, and by
            // that much for a gradient near zero, where float32's rounding decides it: a parameter that
            // crosses zero may differ by a little of that movement (measured: 30 of 3.2 million dense
            // weights beyond 1e-3 relative, the worst by 1.1e-6), hence a floor of 1e-3 of 5 steps' movement
            assertClose("parameters", perParameter(theirs.network(), theirs.network().params()),
                    perParameter(ours.network(), ours.network().params()),
                    new Bounds(1e-3, 1e-3, FLOAT32_SUMS, 1e-3 * 5 * ADAM_L2.learningRate()));
            // a moment sums a parameter's gradients over the steps, and cancels to near zero for some: those
            // carry the gradients' absolute differences (measured up to 2.2e-6 of the array's largest value)
            assertClose("Adam state", adamState(theirs.network()), adamState(ours.network()),
                    new Bounds(1e-3, 1e-3, 1e-5, 0));
        }
    }

    /** The same for plain SGD (no optimiser state): parameters after three steps. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void sgdStepsWithDropoutMatchDl4j(Geometry geometry) {
        NativeRuntime.enableLayerHelpers();
        MultiLayerNetwork reference = network(SGD, geometry);
        Dl4jFitter theirs = new Dl4jFitter(reference);
        try (OneDnnFitter ours = new OneDnnFitter(reference.clone(), MASKS)) {
            for (DataSet minibatch : minibatches(geometry, 3)) {
                double expectedLoss = theirs.fit(minibatch);
                assertEquals(expectedLoss, ours.fit(minibatch), 1e-5 * expectedLoss, "loss of a step");
            }
            assertClose("parameters", perParameter(theirs.network(), theirs.network().params()),
                    perParameter(ours.network(), ours.network().params()), new Bounds(1e-3, 1e-3, FLOAT32_SUMS, 0));
        }
    }

    /**
     * The periodic SubnormalFlush is skipped only where the step flushes Adam's moments itself: with the fused
     * Adam step no subnormal is left in the state after steps that start from subnormal moments; DL4J's SGD
     * step (no state, nothing flushed) keeps the periodic flush.
     */
    @Test
    void onlyTheFusedAdamStepTakesOverTheSubnormalFlush() {
        Geometry mnist = geometries().get(0);
        try (OneDnnFitter adam = new OneDnnFitter(network(ADAM_L2, mnist), MASKS);
             OneDnnFitter sgd = new OneDnnFitter(network(SGD, mnist), MASKS)) {
            assertTrue(adam.flushesSubnormalState());
            assertFalse(sgd.flushesSubnormalState());
            INDArray state = adam.network().getUpdater().getStateViewArray();
            state.assign(Float.MIN_NORMAL / 4); // every moment subnormal
            for (DataSet minibatch : minibatches(mnist, 2)) {
                adam.fit(minibatch);
            }
            float[] values = state.toFloatVector();
            long subnormal = IntStream.range(0, values.length)
                    .filter(i -> values[i] != 0 && Math.abs(values[i]) < Float.MIN_NORMAL).count();
            assertEquals(0, subnormal, "subnormal moments left after two fused steps");
            // every moment started non-zero: a zero is one the step flushed (a bias of a unit that got no gradient)
            long flushed = IntStream.range(0, values.length).filter(i -> values[i] == 0).count();
            assertTrue(flushed > 0, "no moment was flushed: the test did not reach the flush");
        }
    }

    /**
     * float32 carries 6e-8 relative, and a sum of a few thousand terms in another order loses some ten
     * times that: an absolute tolerance of 1e-6 of an array's largest value.
     */
    private static final double FLOAT32_SUMS = 1e-6;

    /**
     * Per array: the relative L2 error at most {@code relativeL2}, and every element within
     * {@code rtol * |expected| + atol}, atol being {@code atolOfLargest} times the array's largest value or
     * {@code atolFloor}, whichever is larger.
     */
    private record Bounds(double relativeL2, double rtol, double atolOfLargest, double atolFloor) {
    }

    private static void assertClose(String what, Map<String, float[]> expected, Map<String, float[]> actual,
                                    Bounds bounds) {
        assertEquals(expected.keySet(), actual.keySet());
        for (Map.Entry<String, float[]> entry : expected.entrySet()) {
            String name = what + " " + entry.getKey();
            float[] e = entry.getValue();
            float[] a = actual.get(entry.getKey());
            double scale = 0;
            double norm = 0;
            double differenceNorm = 0;
            for (int j = 0; j < e.length; j++) {
                scale = Math.max(scale, Math.abs(e[j]));
                norm += (double) e[j] * e[j];
                differenceNorm += (double) (e[j] - a[j]) * (e[j] - a[j]);
            }
            assertTrue(scale > 0, name + ": all zero");
            double atol = Math.max(bounds.atolOfLargest() * scale, bounds.atolFloor());
            int outside = 0;
            int worst = 0;
            double worstExcess = 0;
            for (int j = 0; j < e.length; j++) {
                double excess = Math.abs(e[j] - a[j]) / (bounds.rtol() * Math.abs(e[j]) + atol);
                if (excess > 1) {
                    outside++;
                }
                if (excess > worstExcess) {
                    worstExcess = excess;
                    worst = j;
                }
            }
            double relative = Math.sqrt(differenceNorm / norm);
            System.out.printf("%s: relative L2 error %.2e, worst element %d: %.6e vs %.6e (%.2f x its bound), "
                    + "%d of %d outside%n", name, relative, worst, e[worst], a[worst], worstExcess, outside, e.length);
            assertTrue(relative <= bounds.relativeL2(), name + ": relative L2 error " + relative);
            assertEquals(0, outside, name + ": elements outside rtol " + bounds.rtol() + " * |expected| + " + atol
                    + "; worst element " + worst + ": expected " + e[worst] + ", got " + a[worst]);
        }
    }

    /** A flat parameter-shaped array cut into each layer's parameters, named "layer:param". */
    private static Map<String, float[]> perParameter(MultiLayerNetwork network, INDArray flat) {
        float[] all = flat.toFloatVector();
        Map<String, float[]> arrays = new LinkedHashMap<>();
        for (int i = 0; i < network.getnLayers(); i++) {
            for (String param : network.getLayer(i).paramTable().keySet()) {
                int offset = (int) network.getLayer(i).getParam(param).offset();
                int length = (int) network.getLayer(i).getParam(param).length();
                float[] out = new float[length];
                System.arraycopy(all, offset, out, 0, length);
                arrays.put(i + ":" + param, out);
            }
        }
        return arrays;
    }

    /**
     * Adam's moments per parameter array, "m layer:param" and "v layer:param": an updater block's view holds
     * m for the block's parameters, then v.
     */
    private static Map<String, float[]> adamState(MultiLayerNetwork network) {
        float[] all = network.getUpdater().getStateViewArray().toFloatVector();
        Map<String, float[]> arrays = new LinkedHashMap<>();
        for (UpdaterBlock block : ((BaseMultiLayerUpdater<?>) network.getUpdater()).getUpdaterBlocks()) {
            int blockParameters = block.getParamOffsetEnd() - block.getParamOffsetStart();
            assertEquals(2 * blockParameters, block.getUpdaterViewOffsetEnd() - block.getUpdaterViewOffsetStart(),
                    "Adam keeps two values per parameter");
            for (UpdaterBlock.ParamState param : block.getLayersAndVariablesInBlock()) {
                String name = param.getLayer().getConfig().getLayerName() + ":" + param.getParamName();
                int length = param.getParamOffsetEnd() - param.getParamOffsetStart();
                int m = block.getUpdaterViewOffsetStart() + param.getParamOffsetStart() - block.getParamOffsetStart();
                arrays.put("m " + name, Arrays.copyOfRange(all, m, m + length));
                arrays.put("v " + name, Arrays.copyOfRange(all, m + blockParameters, m + blockParameters + length));
            }
        }
        return arrays;
    }

    /** sparkcnn's CNN with the given-mask dropout on the output layer's input. */
    private static MultiLayerNetwork network(ModelConfig model, Geometry geometry) {
        MultiLayerConfiguration conf = CnnArchitecture.build(model, geometry.shape());
        BaseLayer output = (BaseLayer) conf.getConf(conf.getConfs().size() - 1).getLayer();
        output.setIDropout(new GivenMaskDropout(1 - model.dropoutRate(), MASKS));
        MultiLayerNetwork network = new MultiLayerNetwork(conf);
        network.init();
        return network;
    }

    private static List<DataSet> minibatches(Geometry geometry, int count) {
        LabeledImages digits = MnistFixture.testSet().slice(0, BATCH * count);
        DatasetShape shape = geometry.shape();
        LabeledImages images = shape.equals(DatasetShape.MNIST) ? digits
                : ColouredDigits.paint(digits, shape.rows(), shape.cols(), shape.channels(), 5, geometry.relabel());
        return new MinibatchFactory(shape.numClasses()).toDataSets(images, BATCH, 3);
    }
}

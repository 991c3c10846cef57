package org.sparkcnn.fit;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkcnn.config.ModelConfig;
import org.sparkcnn.config.Optimizer;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.model.CnnArchitecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused Adam step against DL4J's updater on the same gradients: the default network with L2 and a
 * learning rate halved every 3 steps, over 8 steps (so across two halvings and an epoch change), compared
 * after every step on all 3.27M parameters and both moment arrays.
 */
@Timeout(120)
class FusedAdamTest {
    private static final int BATCH = 64;
    private static final int STEPS_PER_EPOCH = 3;

    private static ModelConfig model(Optimizer optimizer, double l2) {
        return new ModelConfig(7, optimizer, /* learning rate */ 0.002, /* momentum */ 0.9, l2, /* dropout */ 0.4,
                /* decay */ 0.5);
    }

    private static MultiLayerNetwork network(ModelConfig model) {
        MultiLayerNetwork network = new MultiLayerNetwork(CnnArchitecture.build(model, DatasetShape.MNIST, STEPS_PER_EPOCH));
        network.init();
        network.initGradientsView();
        return network;
    }

    @Test
    void takesDl4jsAdamStepWithL2AndASchedule() {
        MultiLayerNetwork reference = network(model(Optimizer.ADAM, 5e-4));
        MultiLayerNetwork fused = reference.clone();
        fused.initGradientsView();
        OptimiserStep theirs = new Dl4jOptimiserStep(reference);
        OptimiserStep ours = OptimiserStep.of(fused);
        assertInstanceOf(FusedAdam.class, ours, "the default network's Adam is fused");

        INDArray before = reference.params().dup();
        for (int step = 0; step < 8; step++) {
            // summed gradients of a 64-image batch, of the size real ones have; the first 1,000 stay zero, so
            // those moments only decay
            INDArray gradient = Nd4j.randn(DataType.FLOAT, reference.params().shape()).muli(BATCH * 0.05);
            gradient.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1000)).assign(0);
            int epoch = step / STEPS_PER_EPOCH;
            reference.getFlattenedGradients().assign(gradient);
            fused.getFlattenedGradients().assign(gradient);
            theirs.step(step, epoch, BATCH);
            ours.step(step, epoch, BATCH);
            // the same float operations in the same order, but for the bias-corrected rate (computed in double
            // here, in float by DL4J: 1 ulp) and the native compiler's fused multiply-adds: each value within
            // a few ulp, or, where two terms cancel (a parameter crossing zero, a moment b1 m + (1 - b1) g
            // near zero), within an ulp or two of the terms, bounded by 1e-7 of the array's largest value
            // (measured: 2,284 of 6.5M moments beyond 1e-5 relative at step 2, by up to 4.6e-10 = 2e-8 of
            // the largest moment)
            assertClose("parameters after step " + step, reference.params(), fused.params(), 1e-5, 1e-7);
            assertClose("Adam state after step " + step, reference.getUpdater().getStateViewArray(),
                    fused.getUpdater().getStateViewArray(), 1e-5, 1e-7);
        }
        // and the steps did something: the learning rate's scale, 8 steps, halved twice
        double moved = reference.params().sub(before).norm2Number().doubleValue() / Math.sqrt(before.length());
        assertTrue(moved > 1e-4, "parameters moved by " + moved + " per value (rms)");
    }

    /** The branch-free subnormal flush: exactly 0 for zero and subnormal magnitudes, 1 from MIN_NORMAL up. */
    @Test
    void flushesExactlyTheSubnormals() {
        float[] flushed = {0f, Float.MIN_VALUE, Float.MIN_NORMAL / 2, Math.nextDown(Float.MIN_NORMAL)};
        float[] kept = {Float.MIN_NORMAL, Math.nextUp(Float.MIN_NORMAL), 1e-30f, 1f, Float.MAX_VALUE,
                Float.POSITIVE_INFINITY};
        for (float magnitude : flushed) {
            assertEquals(0f, FusedAdam.oneIfNormal(magnitude), "at " + magnitude);
        }
        for (float magnitude : kept) {
            assertEquals(1f, FusedAdam.oneIfNormal(magnitude), "at " + magnitude);
        }
        assertTrue(Float.isNaN(FusedAdam.oneIfNormal(Float.NaN)), "NaN stays NaN");
    }

    @Test
    void otherOptimisersKeepDl4jsStep() {
        for (Optimizer optimizer : Optimizer.values()) {
            if (optimizer == Optimizer.ADAM) {
                continue;
            }
            FusedAdam.Result result = FusedAdam.of(network(model(optimizer, 5e-4)));
            assertFalse(result.step().isPresent(), optimizer.name());
            assertTrue(result.unsupportedBecause().startsWith("the optimiser is "), result.unsupportedBecause());
            assertInstanceOf(Dl4jOptimiserStep.class, OptimiserStep.of(network(model(optimizer, 0))));
        }
    }

    /**
     * Every element within {@code rtol * |expected| + atolOfLargest * max|expected|} (which also covers the
     * moments the fused step flushes from the subnormal range to zero).
     */
    private static void assertClose(String what, INDArray expected, INDArray actual, double rtol,
                                    double atolOfLargest) {
        double atol = atolOfLargest * expected.amaxNumber().doubleValue();
        float[] e = expected.toFloatVector();
        float[] a = actual.toFloatVector();
        assertEquals(e.length, a.length, what);
        int outside = 0;
        int worst = -1;
        for (int i = 0; i < e.length; i++) {
            if (Math.abs(e[i] - a[i]) > rtol * Math.abs(e[i]) + atol) {
                outside++;
                worst = worst < 0 || Math.abs(e[i] - a[i]) > Math.abs(e[worst] - a[worst]) ? i : worst;
            }
        }
        assertEquals(0, outside, what + ": " + outside + " of " + e.length + " values beyond " + rtol
                + " relative + " + atol + (worst < 0 ? "" : "; worst at " + worst + ": " + e[worst] + " vs " + a[worst]));
    }
}

package org.sparkcnn.fit;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkcnn.config.ModelConfig;
import org.sparkcnn.config.Optimizer;
import org.sparkcnn.data.MinibatchFactory;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.model.CnnArchitecture;
import org.sparkcnn.model.NativeRuntime;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The oneDNN step must compute what DL4J computes: the same loss and gradients for the same parameters and
 * minibatch (every layer, checked on real MNIST images), and the same parameters after an optimiser step.
 */
@Timeout(120)
class OneDnnFitterTest {
    /** No dropout, so that both steps see the same network function. */
    private static final ModelConfig NO_DROPOUT_SGD = new ModelConfig(7, Optimizer.SGD, 0.05, 0.9, 0, 0, 1.0);

    @Test
    void gradientsAndLossMatchDl4j() {
        NativeRuntime.enableLayerHelpers();
        MultiLayerNetwork reference = network(NO_DROPOUT_SGD);
        MultiLayerNetwork ours = reference.clone();
        DataSet minibatch = minibatches(32).get(0);

        reference.setInput(minibatch.getFeatures());
        reference.setLabels(minibatch.getLabels());
        reference.computeGradientAndScore();
        INDArray expected = reference.getFlattenedGradients().dup();

        ours.initGradientsView();
        CnnLayout layout = CnnLayout.of(ours).layout().orElseThrow();
        double loss;
        try (OneDnnGraph graph = new OneDnnGraph(layout, 32, ours.params().data().addressPointer(),
                ours.getFlattenedGradients().data().addressPointer())) {
            loss = graph.forwardBackward(minibatch.getFeatures().data().addressPointer(),
                    minibatch.getLabels().dup('c').data().asFloat(), new SplittableRandom(1));
        }

        assertEquals(reference.score(), loss, 1e-4);
        INDArray actual = ours.getFlattenedGradients();
        for (int i = 0; i < ours.getnLayers(); i++) {
            for (String param : ours.getLayer(i).paramTable().keySet()) {
                long offset = ours.getLayer(i).getParam(param).offset();
                long length = ours.getLayer(i).getParam(param).length();
                float[] e = slice(expected, offset, length);
                float[] a = slice(actual, offset, length);
                double scale = 0;
                double worst = 0;
                double norm = 0;
                double differenceNorm = 0;
                for (int j = 0; j < e.length; j++) {
                    scale = Math.max(scale, Math.abs(e[j]));
                    worst = Math.max(worst, Math.abs(e[j] - a[j]));
                    norm += (double) e[j] * e[j];
                    differenceNorm += (double) (e[j] - a[j]) * (e[j] - a[j]);
                }
                String name = "layer " + i + " " + param;
                assertTrue(scale > 0, name + ": DL4J's gradient is all zero");
                // float32 sums in another order, and a ReLU that flips where a pre-activation is ~0: measured
                // up to 2e-3 of the largest value (dense layer), 5e-4 elsewhere
                assertTrue(worst <= 5e-3 * scale, name + ": largest difference " + worst + ", largest value " + scale);
                assertTrue(Math.sqrt(differenceNorm) <= 1e-3 * Math.sqrt(norm), name + ": relative difference "
                        + Math.sqrt(differenceNorm / norm));
            }
        }
    }

    private static float[] slice(INDArray flat, long offset, long length) {
        float[] all = flat.toFloatVector();
        float[] out = new float[(int) length];
        System.arraycopy(all, (int) offset, out, 0, (int) length);
        return out;
    }

    @Test
    void anSgdStepMatchesDl4j() {
        NativeRuntime.enableLayerHelpers();
        MultiLayerNetwork reference = network(NO_DROPOUT_SGD);
        Dl4jFitter theirs = new Dl4jFitter(reference);
        try (OneDnnFitter ours = new OneDnnFitter(reference.clone(), 1)) {
            for (DataSet minibatch : minibatches(32).subList(0, 3)) {
                double expectedLoss = theirs.fit(minibatch);
                assertEquals(expectedLoss, ours.fit(minibatch), 1e-4);
            }
            assertSameParameters(theirs.network(), ours.network());
            assertEquals(3, ours.network().getLayerWiseConfigurations().getIterationCount());
        }
    }

    private static void assertSameParameters(MultiLayerNetwork theirs, MultiLayerNetwork ours) {
        float[] expected = theirs.params().toFloatVector();
        float[] actual = ours.params().toFloatVector();
        double worst = 0;
        for (int j = 0; j < expected.length; j++) {
            worst = Math.max(worst, Math.abs(expected[j] - actual[j]));
        }
        // learning rate 0.05 x the gradients' float32 differences above, over 3 steps
        assertTrue(worst < 5e-4, "largest parameter difference after 3 steps: " + worst);
    }

    private static MultiLayerNetwork network(ModelConfig model) {
        MultiLayerNetwork network = new MultiLayerNetwork(CnnArchitecture.build(model, 28, 28, 10));
        network.init();
        return network;
    }

    private static List<DataSet> minibatches(int size) {
        return new MinibatchFactory(10).toDataSets(MnistFixture.testSet().slice(0, size * 4), size, 3);
    }
}

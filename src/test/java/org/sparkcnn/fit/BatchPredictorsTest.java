package org.sparkcnn.fit;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkcnn.config.ModelConfig;
import org.sparkcnn.config.Optimizer;
import org.sparkcnn.data.ColouredDigits;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.data.MinibatchFactory;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.fit.OneDnnFitterTest.Geometry;
import org.sparkcnn.model.CnnArchitecture;
import org.sparkcnn.model.NativeRuntime;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * oneDNN's forward pass ({@link OneDnnInference}) must give the probabilities DL4J's
 * {@code output(features, false)} gives, for trained weights (20 Adam steps with dropout first, so the
 * weights are not the initial ones, predictions are confident, and dropout's inverted scaling would show if
 * inference applied it), on
 * real MNIST digits, for MNIST's 1x28x28 in 10 classes and non-square RGB 3x20x28 in 17 classes, with a
 * last batch smaller than the others.
 */
@Timeout(120)
class BatchPredictorsTest {
    private static final int BATCH = 32;
    /** Two full batches and a last one of 13 images. */
    private static final int IMAGES = 2 * BATCH + 13;
    /** Training steps before the comparison: enough for confident predictions (see the check of them). */
    private static final int STEPS = 20;
    /** The default preset's optimiser, learning rate and dropout (conf/sparkcnn.conf). */
    private static final ModelConfig ADAM = new ModelConfig(7, Optimizer.ADAM, /* learning rate */ 0.002,
            /* momentum */ 0, /* l2 */ 5e-4, /* dropout */ 0.4, /* decay */ 1.0);
    /**
     * Probabilities are at most 1; float32 sums of a few thousand products in another order differ by some
     * 1e-6 at the logits (OneDnnFitterTest), which the softmax does not enlarge.
     */
    private static final double TOLERANCE = 1e-4;

    static List<Geometry> geometries() {
        return OneDnnFitterTest.geometries();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void oneDnnProbabilitiesMatchDl4jForTrainedWeights(Geometry geometry) {
        NativeRuntime.enableLayerHelpers();
        MultiLayerNetwork network = network(geometry.shape());
        INDArray initial = network.params().dup();
        LabeledImages images = images(geometry, STEPS * BATCH + IMAGES);
        MinibatchFactory factory = new MinibatchFactory(geometry.shape().numClasses());
        Dl4jFitter trainer = new Dl4jFitter(network);
        for (DataSet minibatch : factory.toDataSets(images.slice(0, STEPS * BATCH), BATCH, 3)) {
            trainer.fit(minibatch);
        }
        assertTrue(network.params().distance2(initial) > 0.1, "the weights moved");
        List<DataSet> batches = factory.toDataSets(images.slice(STEPS * BATCH, IMAGES), BATCH, -1);
        assertEquals(List.of(BATCH, BATCH, 13), batches.stream().map(b -> (int) b.numExamples()).toList());

        try (BatchPredictor ours = BatchPredictors.create(network)) {
            assertInstanceOf(BatchPredictors.OneDnn.class, ours, "sparkcnn's CNN on the CPU goes to oneDNN");
            assertSameAsDl4j(network, ours, batches);
            // the predictor reads the parameters in place: a further step is seen without a new predictor
            trainer.fit(factory.toDataSet(images.slice(0, BATCH)));
            assertSameAsDl4j(network, ours, batches);
        }
    }

    private static void assertSameAsDl4j(MultiLayerNetwork network, BatchPredictor ours, List<DataSet> batches) {
        double worst = 0;
        for (DataSet batch : batches) {
            INDArray expected = network.output(batch.getFeatures(), false);
            INDArray actual = ours.probabilities(batch.getFeatures());
            assertArrayEquals(expected.shape(), actual.shape(), "shape");
            float[] e = expected.dup('c').data().asFloat();
            float[] a = actual.dup('c').data().asFloat();
            for (int i = 0; i < e.length; i++) {
                worst = Math.max(worst, Math.abs(e[i] - a[i]));
                assertEquals(e[i], a[i], TOLERANCE, "probability " + i + " of a batch of " + batch.numExamples());
            }
            assertArrayEquals(expected.argMax(1).toIntVector(), actual.argMax(1).toIntVector(), "predicted classes");
            // not a near-uniform guess: the trained weights give predictions that mean something to compare
            double confidence = expected.max(1).meanNumber().doubleValue();
            System.out.printf("mean top probability %.3f of %d classes%n", confidence, expected.columns());
            assertTrue(confidence > 2.0 / expected.columns(), "mean top probability " + confidence);
        }
        System.out.printf("oneDNN vs DL4J probabilities: largest difference %.2e%n", worst);
    }

    @Test
    void otherNetworksKeepDl4jsForwardPass() {
        MultiLayerNetwork doubles = network(DatasetShape.MNIST);
        doubles = doubles.convertDataType(DataType.DOUBLE);
        assertFalse(BatchPredictors.usesOneDnn(doubles), "oneDNN's pass is float32 only");
        INDArray features = new MinibatchFactory(10).toDataSet(MnistFixture.testSet().slice(0, 5)).getFeatures()
                .castTo(DataType.DOUBLE);
        try (BatchPredictor predictor = BatchPredictors.create(doubles)) {
            assertFalse(predictor instanceof BatchPredictors.OneDnn, "DL4J's pass for a network oneDNN cannot run");
            assertEquals(doubles.output(features, false), predictor.probabilities(features));
        }
    }

    private static MultiLayerNetwork network(DatasetShape shape) {
        MultiLayerConfiguration conf = CnnArchitecture.build(ADAM, shape);
        MultiLayerNetwork network = new MultiLayerNetwork(conf);
        network.init();
        return network;
    }

    private static LabeledImages images(Geometry geometry, int count) {
        LabeledImages digits = MnistFixture.testSet().slice(0, count);
        DatasetShape shape = geometry.shape();
        return shape.equals(DatasetShape.MNIST) ? digits
                : ColouredDigits.paint(digits, shape.rows(), shape.cols(), shape.channels(), 5, geometry.relabel());
    }
}

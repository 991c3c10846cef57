package org.sparkcnn.model;

import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.common.BadInputException;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.sparkcnn.config.ModelConfig;
import org.sparkcnn.config.Optimizer;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CnnArchitectureTest {
    static final ModelConfig ADAM = new ModelConfig(42, Optimizer.ADAM, 1e-3, 0.9, 0, 0.4, 1.0);

    @BeforeAll
    static void enableHelpers() {
        NativeRuntime.enableLayerHelpers();
    }

    @Test
    void hasTheTutorialsParameterCountAndShapes() {
        MultiLayerNetwork net = new MultiLayerNetwork(CnnArchitecture.build(ADAM, DatasetShape.MNIST));
        net.init();
        // 832 (conv1) + 51,264 (conv2) + 3,212,288 (dense 3136x1024) + 10,250 (softmax)
        assertEquals(3_274_634L, net.numParams());
        INDArray out = net.output(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 784));
        assertArrayEquals(new long[]{3, 10}, out.shape());
        assertEquals(3.0, out.sumNumber().doubleValue(), 1e-4, "softmax rows sum to 1");
    }

    @Test
    void convolutionAndPoolingLayersRunOnOneDnn() {
        assertTrue(org.nd4j.nativeblas.Nd4jCpu.Environment.getInstance().isUseMKLDNN(),
                "the bundled libnd4jcpu must be the oneDNN build");
        MultiLayerNetwork net = new MultiLayerNetwork(CnnArchitecture.build(ADAM, DatasetShape.MNIST));
        net.init();
        assertInstanceOf(MKLDNNConvHelper.class, net.getLayer(0).getHelper(), "conv1 helper");
        assertInstanceOf(MKLDNNSubsamplingHelper.class, net.getLayer(1).getHelper(), "pool1 helper");
        assertInstanceOf(MKLDNNConvHelper.class, net.getLayer(2).getHelper(), "conv2 helper");
        assertInstanceOf(MKLDNNSubsamplingHelper.class, net.getLayer(3).getHelper(), "pool2 helper");
        // and a training step through the helpers works
        net.fit(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, 784),
                Nd4j.eye(10).getRows(0, 1, 2, 3).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
        assertTrue(Double.isFinite(net.score()));
    }

    @Test
    void savedModelsAreCheckedAgainstTheData() {
        MultiLayerNetwork net = new MultiLayerNetwork(CnnArchitecture.build(ADAM, DatasetShape.MNIST));
        net.init();
        CnnArchitecture.requireFits(net, DatasetShape.MNIST, "m.zip");
        String size = assertThrows(BadInputException.class,
                () -> CnnArchitecture.requireFits(net, new DatasetShape(32, 32, 10), "m.zip")).getMessage();
        assertEquals("m.zip: the model takes 28x28 grey images, the data has 32x32 grey", size);
        String colour = assertThrows(BadInputException.class,
                () -> CnnArchitecture.requireFits(net, new DatasetShape(28, 28, 3, 10), "m.zip")).getMessage();
        assertEquals("m.zip: the model takes 28x28 grey images, the data has 28x28 RGB", colour);
        String classes = assertThrows(BadInputException.class,
                () -> CnnArchitecture.requireFits(net, new DatasetShape(28, 28, 26), "m.zip")).getMessage();
        assertEquals("m.zip: the model predicts 10 classes, the data has 26", classes);
    }

    /**
     * The same layers for any geometry: the first convolution takes the channels, the output layer has a
     * unit per class, and the dense layer's input is 64 maps of the twice-floored size (odd sizes too).
     */
    @Test
    void theLayersFollowTheImagesGeometryAndClasses() {
        record Case(DatasetShape shape, long denseInputs) {
        }
        for (Case c : List.of(new Case(DatasetShape.MNIST, 64 * 7 * 7),
                new Case(new DatasetShape(32, 24, 3, 17), 64 * 8 * 6),
                new Case(new DatasetShape(21, 29, 1, 2), 64 * 5 * 7),
                new Case(new DatasetShape(4, 5, 3, 256), 64))) {
            DatasetShape shape = c.shape();
            MultiLayerNetwork net = new MultiLayerNetwork(CnnArchitecture.build(ADAM, shape));
            net.init();
            assertEquals(c.denseInputs(), CnnArchitecture.denseInputs(shape), shape + " dense inputs");
            assertEquals(c.denseInputs(), ((FeedForwardLayer) net.getLayer(4).conf().getLayer()).getNIn(), shape + " dense nIn");
            assertEquals(shape.channels(), ((FeedForwardLayer) net.getLayer(0).conf().getLayer()).getNIn(), shape + " conv1 nIn");
            assertEquals(CnnArchitecture.parameterCount(shape), net.numParams(), shape + " parameters");
            INDArray out = net.output(Nd4j.rand(DataType.FLOAT, 2, shape.pixelsPerImage()));
            assertArrayEquals(new long[]{2, shape.numClasses()}, out.shape(), shape + " output");
            assertEquals(2.0, out.sumNumber().doubleValue(), 1e-4, shape + ": softmax rows sum to 1");
        }
    }

    @Test
    void imagesTheCnnCannotTakeAreRefusedWithTheLimit() {
        String small = assertThrows(BadInputException.class,
                () -> CnnArchitecture.build(ADAM, new DatasetShape(3, 28, 3, 10))).getMessage();
        assertTrue(small.startsWith("images of 3x28 RGB are too small for the CNN: its two 2x2 poolings need at "
                + "least 4x4 pixels"), small);
        // 3x512x512: a dense layer of 64*128*128 inputs, 1.07 billion parameters (4 GiB)
        String large = assertThrows(BadInputException.class,
                () -> CnnArchitecture.build(ADAM, new DatasetShape(512, 512, 3, 10))).getMessage();
        assertTrue(large.startsWith("images of 512x512 RGB are too large for the CNN: its dense layer would take "
                + "1048576 inputs and the model 1073806794 parameters"), large);
        CnnArchitecture.requireBuildable(new DatasetShape(360, 360, 3, 256));
    }

    @Test
    void theLearningRateDecaysOncePerEpoch() {
        ModelConfig decaying = new ModelConfig(42, Optimizer.ADAM, 1e-3, 0.9, 0, 0.4, 0.5);
        var adam = CnnArchitecture.updater(decaying, 100);
        assertEquals(1e-3, adam.getLearningRate(99, 0), 1e-12);
        assertEquals(5e-4, adam.getLearningRate(100, 0), 1e-12);
        assertEquals(2.5e-4, adam.getLearningRate(250, 0), 1e-12);
        assertEquals(1e-3, CnnArchitecture.updater(ADAM, 100).getLearningRate(1000, 0), 1e-12, "decay 1 = constant");
    }

    @Test
    void optimiserFollowsTheConfig() {
        assertEquals("Sgd", CnnArchitecture.updater(new ModelConfig(1, Optimizer.SGD, 0.01, 0, 0, 0, 1.0), 0).getClass().getSimpleName());
        assertEquals("Nesterovs", CnnArchitecture.updater(new ModelConfig(1, Optimizer.NESTEROV, 0.01, 0.9, 0, 0, 1.0), 0).getClass().getSimpleName());
        assertEquals("Adam", CnnArchitecture.updater(ADAM, 0).getClass().getSimpleName());
    }
}

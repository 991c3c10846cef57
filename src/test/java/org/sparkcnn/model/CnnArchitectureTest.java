package org.sparkcnn.model;

import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.config.ModelConfig;
import org.sparkcnn.config.Optimizer;

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
        MultiLayerNetwork net = new MultiLayerNetwork(CnnArchitecture.build(ADAM, 28, 28, 10));
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
        MultiLayerNetwork net = new MultiLayerNetwork(CnnArchitecture.build(ADAM, 28, 28, 10));
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
        MultiLayerNetwork net = new MultiLayerNetwork(CnnArchitecture.build(ADAM, 28, 28, 10));
        net.init();
        CnnArchitecture.requireFits(net, 28, 28, 10, "m.zip");
        String size = assertThrows(BadInputException.class,
                () -> CnnArchitecture.requireFits(net, 32, 32, 10, "m.zip")).getMessage();
        assertEquals("m.zip: the model takes 28x28 images, the data has 32x32", size);
        String classes = assertThrows(BadInputException.class,
                () -> CnnArchitecture.requireFits(net, 28, 28, 26, "m.zip")).getMessage();
        assertEquals("m.zip: the model predicts 10 classes, the data has 26", classes);
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

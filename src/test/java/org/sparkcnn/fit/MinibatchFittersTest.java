package org.sparkcnn.fit;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.config.CpuKernels;
import org.sparkcnn.config.ModelConfig;
import org.sparkcnn.config.Optimizer;
import org.sparkcnn.model.CnnArchitecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which training step a worker gets: oneDNN's when asked for, for every geometry of the network it knows. */
class MinibatchFittersTest {
    private static final ModelConfig MODEL = new ModelConfig(3, Optimizer.ADAM, 0.002, 0.9, 0, 0.4, 0.5);

    @Test
    void sparkcnnsCnnGetsTheOneDnnStepUnlessDl4jIsAskedFor() {
        assertInstanceOf(OneDnnFitter.class, MinibatchFitters.create(CpuKernels.ONEDNN, cnn(DatasetShape.MNIST), 1));
        assertInstanceOf(Dl4jFitter.class, MinibatchFitters.create(CpuKernels.DL4J, cnn(DatasetShape.MNIST), 1));
        // other geometries are the same architecture: 32x20 pools to 8x5, 21x27 RGB to 5x6, any class count
        assertEquals("", OneDnnFitter.unsupportedBecause(cnn(new DatasetShape(32, 20, 10))));
        assertEquals("", OneDnnFitter.unsupportedBecause(cnn(new DatasetShape(21, 27, 3, 17))));
        assertEquals("", OneDnnFitter.unsupportedBecause(cnn(new DatasetShape(4, 4, 3, 2))));
    }

    @Test
    void anotherArchitectureIsRefusedBeforeTrainingWithTheReason() {
        MultiLayerNetwork mlp = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(100).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(100).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build());
        mlp.init();
        // no silent fallback to DL4J's layers: the setting, the reason and the way out
        BadInputException refused = assertThrows(BadInputException.class,
                () -> MinibatchFitters.create(CpuKernels.ONEDNN, mlp, 1));
        assertEquals("training.cpu-kernels=onednn cannot train this network: not 6 layers (set "
                + "training.cpu-kernels=dl4j to train it with DL4J's layers)", refused.getMessage());
        assertInstanceOf(Dl4jFitter.class, MinibatchFitters.create(CpuKernels.DL4J, mlp, 1));
        assertEquals("not 6 layers", OneDnnFitter.unsupportedBecause(mlp));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new OneDnnFitter(mlp, 1));
        assertTrue(e.getMessage().contains("not 6 layers"), e.getMessage());
    }

    private static MultiLayerNetwork cnn(DatasetShape shape) {
        MultiLayerNetwork network = new MultiLayerNetwork(CnnArchitecture.build(MODEL, shape));
        network.init();
        return network;
    }
}

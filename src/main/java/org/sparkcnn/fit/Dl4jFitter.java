package org.sparkcnn.fit;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

/** DL4J's own training step: any architecture, any nd4j backend (CPU or CUDA). */
public final class Dl4jFitter implements MinibatchFitter {
    private final MultiLayerNetwork network;

    public Dl4jFitter(MultiLayerNetwork network) {
        this.network = network;
    }

    @Override
    public double fit(DataSet minibatch) {
        network.fit(minibatch);
        return network.score();
    }

    @Override
    public MultiLayerNetwork network() {
        return network;
    }
}

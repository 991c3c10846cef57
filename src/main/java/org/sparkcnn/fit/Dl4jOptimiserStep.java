package org.sparkcnn.fit;

import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** DL4J's own optimiser step, as its StochasticGradientDescent takes it after computing the gradient. */
final class Dl4jOptimiserStep implements OptimiserStep {
    private final MultiLayerNetwork network;
    /** The gradient buffer in the parameters' shape: DL4J's updater leaves the update there. */
    private final INDArray gradientsAsParameters;
    private final Gradient gradient;

    Dl4jOptimiserStep(MultiLayerNetwork network) {
        this.network = network;
        INDArray gradients = network.getFlattenedGradients();
        this.gradientsAsParameters = gradients.reshape(network.params().shape());
        // the updater steps the whole flat gradient view at once (DL4J's "not external" path)
        this.gradient = new DefaultGradient(gradients);
        INDArray flat = gradients.reshape(gradients.length());
        for (int i = 0; i < network.getnLayers(); i++) {
            for (String param : network.getLayer(i).paramTable().keySet()) {
                long offset = network.getLayer(i).getParam(param).offset();
                long length = network.getLayer(i).getParam(param).length();
                gradient.setGradientFor(i + "_" + param, flat.get(NDArrayIndex.interval(offset, offset + length)));
            }
        }
    }

    @Override
    public void step(int iteration, int epoch, int batchSize) {
        network.getUpdater().update(network, gradient, iteration, epoch, batchSize, LayerWorkspaceMgr.noWorkspaces());
        network.params().subi(gradientsAsParameters);
    }
}

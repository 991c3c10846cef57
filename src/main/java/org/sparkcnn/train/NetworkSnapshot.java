package org.sparkcnn.train;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;

/**
 * Everything a worker needs to continue training where the driver's model is: configuration, parameters,
 * optimiser state and the iteration count that learning-rate schedules are keyed on. Shipped to the
 * workers once per pass and back from the lead worker at its end.
 *
 * <p>A plain class rather than a record: Spark serialises it with Kryo, which cannot build records.
 */
final class NetworkSnapshot implements Serializable {
    private static final long serialVersionUID = 1L;

    private String configurationJson;
    private float[] parameters;
    private float[] updaterState;
    private int iterationCount;
    private int epochCount;

    static NetworkSnapshot of(MultiLayerNetwork network) {
        NetworkSnapshot s = new NetworkSnapshot();
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
        s.configurationJson = conf.toJson();
        s.parameters = network.params().toFloatVector();
        INDArray state = updaterState(network);
        s.updaterState = state == null ? new float[0] : state.toFloatVector();
        s.iterationCount = conf.getIterationCount();
        s.epochCount = conf.getEpochCount();
        return s;
    }

    /** A new network in this state. */
    MultiLayerNetwork toNetwork() {
        MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(configurationJson);
        conf.setIterationCount(iterationCount);
        conf.setEpochCount(epochCount);
        MultiLayerNetwork network = new MultiLayerNetwork(conf);
        network.init(Nd4j.createFromArray(parameters).reshape(1, parameters.length), false);
        copyUpdaterState(network);
        return network;
    }

    /** Puts this state into an existing network of the same architecture. */
    void applyTo(MultiLayerNetwork network) {
        network.params().assign(Nd4j.createFromArray(parameters).reshape(network.params().shape()));
        copyUpdaterState(network);
        network.getLayerWiseConfigurations().setIterationCount(iterationCount);
        network.getLayerWiseConfigurations().setEpochCount(epochCount);
    }

    private void copyUpdaterState(MultiLayerNetwork network) {
        INDArray state = updaterState(network);
        if (state != null && updaterState.length > 0) {
            state.assign(Nd4j.createFromArray(updaterState).reshape(state.shape()));
        }
    }

    /** The optimiser's state as one flat view (Adam's moments), or null for a stateless optimiser. */
    static INDArray updaterState(MultiLayerNetwork network) {
        return network.getUpdater() == null ? null : network.getUpdater().getStateViewArray();
    }
}

package org.sparkcnn.fit;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkcnn.config.CpuKernels;
import org.sparkcnn.device.Nd4jBackends;

/** Picks the training step for a worker from {@code training.cpu-kernels} and the nd4j backend. */
public final class MinibatchFitters {
    private static final Logger LOG = LoggerFactory.getLogger(MinibatchFitters.class);

    private MinibatchFitters() {
    }

    /**
     * oneDNN's step when asked for, on the CPU backend, for a network it knows; DL4J's otherwise (GPUs keep
     * DL4J's layers, on nd4j's CUDA kernels: DL4J's cuDNN helpers are not published for M2.1).
     *
     * @param dropoutSeed seeds the oneDNN step's dropout masks: give each worker and pass its own
     */
    public static MinibatchFitter create(CpuKernels kernels, MultiLayerNetwork network, long dropoutSeed) {
        if (kernels == CpuKernels.ONEDNN && !Nd4jBackends.cudaActive()) {
            String unsupported = OneDnnFitter.unsupportedBecause(network);
            if (unsupported.isEmpty()) {
                return new OneDnnFitter(network, dropoutSeed);
            }
            LOG.warn("training.cpu-kernels = onednn cannot train this network ({}); using DL4J's layers", unsupported);
        }
        return new Dl4jFitter(network);
    }
}

package org.sparkcnn.fit;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.config.CpuKernels;
import org.sparkcnn.device.Nd4jBackends;

/** Picks the training step for a worker from {@code training.cpu-kernels} and the nd4j backend. */
public final class MinibatchFitters {
    private MinibatchFitters() {
    }

    /**
     * oneDNN's step when asked for on the CPU backend; DL4J's when asked for, or on GPUs (which keep DL4J's
     * layers, on nd4j's CUDA kernels: DL4J's cuDNN helpers are not published for M2.1). There is no silent
     * fallback from oneDNN's step to DL4J's: see {@link #requireSupported}.
     *
     * @param dropoutSeed seeds the oneDNN step's dropout masks: give each worker and pass its own
     * @throws BadInputException when the oneDNN step is asked for a network it cannot train
     */
    public static MinibatchFitter create(CpuKernels kernels, MultiLayerNetwork network, long dropoutSeed) {
        requireSupported(kernels, network);
        return usesOneDnn(kernels) ? new OneDnnFitter(network, dropoutSeed) : new Dl4jFitter(network);
    }

    /**
     * Checks, before any training, that the asked-for step can train {@code network}: the oneDNN step
     * trains sparkcnn's CNN for every image geometry and class count {@code model/CnnArchitecture} builds,
     * and says why it cannot train anything else.
     *
     * @throws BadInputException naming {@code training.cpu-kernels}, the reason and the way out
     */
    public static void requireSupported(CpuKernels kernels, MultiLayerNetwork network) {
        if (!usesOneDnn(kernels)) {
            return;
        }
        String unsupported = OneDnnFitter.unsupportedBecause(network);
        if (!unsupported.isEmpty()) {
            throw new BadInputException("training.cpu-kernels=onednn cannot train this network: " + unsupported
                    + " (set training.cpu-kernels=dl4j to train it with DL4J's layers)");
        }
    }

    private static boolean usesOneDnn(CpuKernels kernels) {
        return kernels == CpuKernels.ONEDNN && !Nd4jBackends.cudaActive();
    }
}

package org.sparkcnn.fit;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.device.Nd4jBackends;

import java.util.HashMap;
import java.util.Map;

/**
 * Picks the forward pass for evaluation and prediction: oneDNN's ({@link OneDnnInference}) when the
 * network is sparkcnn's CNN in float32 ({@link OneDnnFitter#unsupportedBecause}) and nd4j runs on the CPU,
 * DL4J's {@code output(features, false)} otherwise (any other network, and on GPUs, which keep nd4j's CUDA
 * kernels as {@link MinibatchFitters} does). Both give the same probabilities within float32 rounding
 * ({@code BatchPredictorsTest}: within 5e-7); oneDNN's took 4.2 s for MNIST's 10,000 test digits on one
 * thread where DL4J's took 10.1 s (docs/benchmarks.md, "Evaluation through oneDNN").
 */
public final class BatchPredictors {
    private BatchPredictors() {
    }

    /** The predictor for {@code network}, which it reads in place: parameters changed later are seen. */
    public static BatchPredictor create(MultiLayerNetwork network) {
        return usesOneDnn(network) ? new OneDnn(network) : dl4j(network);
    }

    /** Whether {@link #create} gives oneDNN's forward pass for {@code network}. */
    public static boolean usesOneDnn(MultiLayerNetwork network) {
        return !Nd4jBackends.cudaActive() && OneDnnFitter.unsupportedBecause(network).isEmpty();
    }

    /** DL4J's forward pass: the seam for tests that compare both. */
    static BatchPredictor dl4j(MultiLayerNetwork network) {
        return new BatchPredictor() {
            @Override
            public INDArray probabilities(INDArray features) {
                return network.output(features, false);
            }

            @Override
            public void close() {
                // nothing native of its own
            }
        };
    }

    /** oneDNN's forward pass, one {@link OneDnnInference} per batch size (a shard's last batch is smaller). */
    static final class OneDnn implements BatchPredictor {
        private final MultiLayerNetwork network;
        private final CnnLayout layout;
        private final Map<Integer, OneDnnInference> byBatchSize = new HashMap<>();

        OneDnn(MultiLayerNetwork network) {
            this.network = network;
            this.layout = CnnLayout.of(network).layout().orElseThrow(() -> new IllegalArgumentException(
                    "oneDNN's forward pass cannot run this network: " + OneDnnFitter.unsupportedBecause(network)));
        }

        @Override
        public INDArray probabilities(INDArray features) {
            INDArray images = OneDnnFitter.contiguous(features);
            int batch = (int) images.size(0);
            if (images.length() != batch * layout.imageValues()) {
                throw new IllegalArgumentException(batch + " images of " + images.length() / Math.max(batch, 1)
                        + " values do not fit the network's " + layout.channels() + "x" + layout.rows() + "x"
                        + layout.cols() + " images");
            }
            OneDnnFitter.useNativeThreads();
            OneDnnInference inference = byBatchSize.computeIfAbsent(batch,
                    n -> new OneDnnInference(layout, n, network.params().data().addressPointer()));
            float[] probabilities = inference.probabilities(images.data().addressPointer());
            return Nd4j.create(probabilities, new long[] {batch, layout.classes()}, 'c');
        }

        @Override
        public void close() {
            byBatchSize.values().forEach(OneDnnInference::close);
            byBatchSize.clear();
        }
    }
}

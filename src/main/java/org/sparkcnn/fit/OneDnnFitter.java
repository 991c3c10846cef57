package org.sparkcnn.fit;

import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.solvers.BaseOptimizer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.sparkcnn.model.NativeRuntime;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The training step with oneDNN's primitives called directly ({@link OneDnnGraph}) for the forward and
 * backward pass, and DL4J's optimiser step ({@link OptimiserStep}: fused into one pass for Adam), so
 * learning-rate schedules, Adam's state, regularisation and the division by the minibatch size are DL4J's. Only for sparkcnn's CNN on the
 * CPU backend ({@link CnnLayout#of} says whether a network qualifies).
 */
public final class OneDnnFitter implements MinibatchFitter {
    private final MultiLayerNetwork network;
    private final CnnLayout layout;
    private final INDArray gradients;
    private final OptimiserStep optimiser;
    private final DropoutMasks dropoutMasks;
    private final StepTimer timer;
    private final boolean regularised;
    /** One graph per minibatch size: a pass's last minibatch is usually smaller. */
    private final Map<Integer, OneDnnGraph> graphs = new HashMap<>();

    /**
     * @param dropoutSeed seeds dropout (give each worker its own)
     * @throws IllegalArgumentException if the network is not sparkcnn's CNN in float32
     */
    public OneDnnFitter(MultiLayerNetwork network, long dropoutSeed) {
        this(network, DropoutMasks.random(dropoutSeed));
    }

    /** With dropout masks given: the seam for tests that hand this step and DL4J's the same masks. */
    OneDnnFitter(MultiLayerNetwork network, DropoutMasks dropoutMasks) {
        this(network, dropoutMasks, StepTimer.NONE);
    }

    /** With dropout masks given and each step's phases timed: the seam for the step-breakdown tool. */
    OneDnnFitter(MultiLayerNetwork network, DropoutMasks dropoutMasks, StepTimer timer) {
        CnnLayout.Result result = layoutOf(network);
        this.layout = result.layout().orElseThrow(() -> new IllegalArgumentException(
                "the oneDNN training step cannot train this network: " + result.unsupportedBecause()));
        this.network = network;
        if (network.getFlattenedGradients() == null) {
            network.initGradientsView();
        }
        this.gradients = network.getFlattenedGradients();
        this.optimiser = OptimiserStep.of(network);
        this.dropoutMasks = dropoutMasks;
        this.timer = timer;
        this.regularised = regularised(network);
    }

    /** Why {@link OneDnnFitter} cannot train {@code network}; empty when it can. */
    public static String unsupportedBecause(MultiLayerNetwork network) {
        return layoutOf(network).unsupportedBecause();
    }

    private static CnnLayout.Result layoutOf(MultiLayerNetwork network) {
        return network.params().dataType() != DataType.FLOAT ? CnnLayout.Result.unsupported("parameters are not float32")
                : CnnLayout.of(network);
    }

    @Override
    public double fit(DataSet minibatch) {
        INDArray features = contiguous(minibatch.getFeatures());
        float[] labels = rowMajorFloats(minibatch.getLabels());
        int batch = (int) features.size(0);
        if (features.length() != batch * layout.imageValues() || labels.length != batch * layout.classes()) {
            throw new IllegalArgumentException("minibatch of " + batch + " images does not fit the network's "
                    + layout.channels() + "x" + layout.rows() + "x" + layout.cols() + " images and " + layout.classes()
                    + " classes");
        }
        useNativeThreads();
        OneDnnGraph graph = graphs.computeIfAbsent(batch, n -> new OneDnnGraph(layout, n,
                network.params().data().addressPointer(), gradients.data().addressPointer(), timer));
        Pointer images = features.data().addressPointer();
        int iteration = BaseOptimizer.getIterationCount(network);
        timer.ended(StepPhase.INPUTS);
        double loss = graph.forwardBackward(images, labels, dropoutMasks, iteration);
        if (regularised) {
            // the score DL4J reports: the L2 term of the parameters the loss was computed with, so before
            // the update (after it, the reported loss was 0.016 low at l2 = 5e-4: OneDnnFitterTest)
            loss += network.calcRegularizationScore(true);
            timer.ended(StepPhase.REGULARISATION);
        }

        optimiser.step(iteration, BaseOptimizer.getEpochCount(network), batch);
        timer.ended(StepPhase.OPTIMISER);
        BaseOptimizer.incrementIterationCount(network, 1);
        timer.ended(StepPhase.BOOKKEEPING);
        return loss;
    }

    /**
     * oneDNN parallelises with OpenMP, which nd4j loaded and shares with it; OpenMP's thread count is per
     * calling thread, so this thread gets the task's count ({@code training.threads-per-task}), whatever
     * {@code OMP_NUM_THREADS} the process started with. oneDNN sizes its work split when a primitive is
     * created, so this runs before the graph is built. Evaluation's forward pass ({@link BatchPredictors})
     * calls it too.
     */
    static void useNativeThreads() {
        NativeOps nativeOps = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int threads = NativeRuntime.threadsPerTask();
        if (nativeOps.ompGetMaxThreads() != threads) {
            nativeOps.setOmpNumThreads(threads);
        }
    }

    /**
     * Whether any parameter has a regularisation term: without one, DL4J's score adds nothing, and asking it
     * took 0.04-0.1 ms per step (a walk over every layer and parameter: issue #18's StepBreakdown).
     */
    private static boolean regularised(MultiLayerNetwork network) {
        for (org.deeplearning4j.nn.api.Layer layer : network.getLayers()) {
            for (String param : layer.paramTable().keySet()) {
                List<Regularization> terms = layer.conf().getLayer().getRegularizationByParam(param);
                if (terms != null && !terms.isEmpty()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code array}'s values in row-major order: its own buffer's, copied, unless it is a view. */
    static float[] rowMajorFloats(INDArray array) {
        INDArray floats = contiguous(array);
        return floats.data().length() == floats.length() ? floats.data().asFloat() : floats.dup('c').data().asFloat();
    }

    static INDArray contiguous(INDArray features) {
        INDArray floats = features.dataType() == DataType.FLOAT ? features : features.castTo(DataType.FLOAT);
        return floats.ordering() == 'c' && !floats.isView() ? floats : floats.dup('c');
    }

    @Override
    public boolean flushesSubnormalState() {
        return optimiser.flushesSubnormals();
    }

    @Override
    public MultiLayerNetwork network() {
        return network;
    }

    @Override
    public void close() {
        graphs.values().forEach(OneDnnGraph::close);
        graphs.clear();
    }
}

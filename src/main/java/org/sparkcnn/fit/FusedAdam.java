package org.sparkcnn.fit;

import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * DL4J's Adam step for the whole network in one pass over the flat parameter, gradient and moment arrays.
 *
 * <p>Why: DL4J takes the step as a chain of separate ops, each a full pass over the 3.27M-value arrays of the
 * default model: the division of the summed gradient by the minibatch size, one L2 op per weight array, the
 * native Adam op (which writes the update into the gradient buffer), then {@code params -= update}, and a
 * separate subnormal flush every {@link org.sparkcnn.model.SubnormalFlush#EVERY_MINIBATCHES} minibatches.
 * Measured at 14.7 ms per step on one core (issue #18), a fixed cost that does not shrink with the batch.
 * Here each value is read once and parameters and moments written once, in cache-sized chunks, in loops
 * that C2 vectorises: 3.3-3.9 ms per step of the default model on one core, where reading the four arrays
 * and writing three (91 MB) with no arithmetic takes 3.0 ms (measured with StepBreakdown and a copy loop
 * on a 2-core AMD EPYC, issue #18), so the step is bound by memory bandwidth.
 *
 * <p>The arithmetic is DL4J's, in float as its native op computes it: {@code g = sum/batch + l2 * p},
 * {@code m = b1 m + (1 - b1) g}, {@code v = b2 v + (1 - b2) g²},
 * {@code p -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)} with {@code t = iteration + 1}, the
 * learning rate from the updater's schedule. The moments stay in DL4J's own state arrays, so checkpoints,
 * the updater-state averaging and {@code model.zip} are unchanged. Moments that decay into the subnormal
 * range are set to zero as they are written (see {@link org.sparkcnn.model.SubnormalFlush} for why), by
 * arithmetic rather than a conditional ({@link #oneIfNormal}).
 *
 * <p>Only for the configuration it reproduces exactly: one updater block of Adam over all parameters, no
 * gradient normalisation, L2 (or nothing) as the only regularisation. {@link #of} says why otherwise, and
 * the caller keeps DL4J's step.
 */
final class FusedAdam implements OptimiserStep {
    /**
     * Values per chunk: 4 arrays of 1 KiB, in a core's L1 cache while the chunk is computed. Measured per
     * step of the default model on one core (StepBreakdown, issue #18): 64 values 6.2-6.8 ms, 128 4.0-4.1,
     * 256 3.3-3.9, 512 3.8-4.2, 1,024 4.3-4.9, 4,096 4.3-4.6: short chunks keep the copies in and out, which
     * stream from memory, close enough together that the arithmetic between them does not stall the stream.
     */
    private static final int CHUNK = 256;
    /** 2^100: twice, it scales the smallest nonzero float difference (2^-149) past 1 without overflow. */
    private static final float TWO_TO_100 = 0x1p100f;

    private final MultiLayerNetwork network;
    private final Updater updater;
    private final INDArray paramArray;
    private final INDArray gradientArray;
    private final Adam config;
    private final FloatBuffer params;
    private final FloatBuffer gradients;
    private final FloatBuffer m;
    private final FloatBuffer v;
    private final long paramsOffset;
    private final long gradientsOffset;
    private final long mOffset;
    private final long vOffset;
    private final int length;
    /** Per parameter array: where it starts in the flat vector, and its L2 coefficient schedule (or null). */
    private final List<L2Range> l2Ranges;
    private final float[] p = new float[CHUNK];
    private final float[] g = new float[CHUNK];
    private final float[] mc = new float[CHUNK];
    private final float[] vc = new float[CHUNK];

    private record L2Range(int start, int end, L2Regularization l2) {
    }

    /** Either the fused step, or why the network's configuration needs DL4J's. */
    record Result(Optional<FusedAdam> step, String unsupportedBecause) {
    }

    private FusedAdam(MultiLayerNetwork network, Adam config, INDArray m, INDArray v, List<L2Range> l2Ranges) {
        this.network = network;
        this.updater = network.getUpdater();
        this.paramArray = network.params();
        this.gradientArray = network.getFlattenedGradients();
        this.config = config;
        this.length = (int) paramArray.length();
        this.params = paramArray.data().asNioFloat();
        this.paramsOffset = paramArray.offset();
        this.gradients = gradientArray.data().asNioFloat();
        this.gradientsOffset = gradientArray.offset();
        this.m = m.data().asNioFloat();
        this.mOffset = m.offset();
        this.v = v.data().asNioFloat();
        this.vOffset = v.offset();
        this.l2Ranges = l2Ranges;
    }

    static Result of(MultiLayerNetwork network) {
        Updater updater = network.getUpdater();
        if (!(updater instanceof BaseMultiLayerUpdater<?> multiLayer)) {
            return unsupported("the updater is a " + updater.getClass().getSimpleName());
        }
        List<UpdaterBlock> blocks = multiLayer.getUpdaterBlocks();
        if (blocks.size() != 1) {
            return unsupported(blocks.size() + " updater blocks (parameters with different updaters)");
        }
        UpdaterBlock block = blocks.get(0);
        int length = (int) network.params().length();
        if (block.getParamOffsetStart() != 0 || block.getParamOffsetEnd() != length) {
            return unsupported("the updater block does not cover all parameters");
        }
        GradientUpdater<?> gradientUpdater = block.getGradientUpdater();
        if (!(gradientUpdater.getConfig() instanceof Adam adam)) {
            return unsupported("the optimiser is " + gradientUpdater.getConfig().getClass().getSimpleName());
        }
        Map<String, INDArray> state = gradientUpdater.getState();
        INDArray m = state.get("M");
        INDArray v = state.get("V");
        if (m == null || v == null || m.length() != length || v.length() != length) {
            return unsupported("Adam's state is not two moment arrays of the parameters' length");
        }
        List<L2Range> l2Ranges = new ArrayList<>();
        for (UpdaterBlock.ParamState variable : block.getLayersAndVariablesInBlock()) {
            Trainable layer = variable.getLayer();
            String param = variable.getParamName();
            GradientNormalization normalization = layer.getConfig().getGradientNormalization();
            if (normalization != null && normalization != GradientNormalization.None) {
                return unsupported("gradient normalisation " + normalization);
            }
            if (!layer.updaterDivideByMinibatch(param)) {
                return unsupported("parameter " + param + " is not divided by the minibatch size");
            }
            L2Regularization l2 = null;
            List<Regularization> regularizations = layer.getConfig().getRegularizationByParam(param);
            for (Regularization regularization : regularizations == null ? List.<Regularization>of() : regularizations) {
                if (!(regularization instanceof L2Regularization r) || l2 != null) {
                    return unsupported("regularisation " + regularization);
                }
                l2 = r;
            }
            if (l2 != null) {
                l2Ranges.add(new L2Range(variable.getParamOffsetStart(), variable.getParamOffsetEnd(), l2));
            }
        }
        return new Result(Optional.of(new FusedAdam(network, adam, m, v, l2Ranges)), "");
    }

    private static boolean sameMemory(INDArray a, INDArray b) {
        return a.data().address() == b.data().address() && a.offset() == b.offset() && a.length() == b.length();
    }

    private static Result unsupported(String why) {
        return new Result(Optional.empty(), why);
    }

    /**
     * Steps the parameters with the gradient the network's gradient view holds (sums over {@code batchSize}
     * examples), as DL4J's updater and {@code params.subi(update)} would at {@code iteration} and
     * {@code epoch}. The gradient view is left as it was: nothing reads it after the step (DL4J's own step
     * leaves its update there), and writing the scaled gradient back cost 13 MB of memory traffic, ~0.5 ms.
     */
    /** Every moment is written flushed ({@link #oneIfNormal}) at every step. */
    @Override
    public boolean flushesSubnormals() {
        return true;
    }

    @Override
    public void step(int iteration, int epoch, int batchSize) {
        // the buffers were taken when this step was built: a network whose arrays were replaced since (DL4J
        // assigns into them when parameters or state are set, and the oneDNN graph holds the same addresses,
        // so this is not expected) must not be stepped through stale buffers
        // (by address: params() may hand out a new view of the same memory on each call)
        String replaced = network.getUpdater() != updater ? "updater"
                : !sameMemory(network.params(), paramArray) ? "parameter"
                : !sameMemory(network.getFlattenedGradients(), gradientArray) ? "gradient" : null;
        if (replaced != null) {
            throw new IllegalStateException("the network's " + replaced + " array was replaced after its fused Adam"
                    + " step was built");
        }
        double lr = config.getLearningRate(iteration, epoch);
        double beta1 = config.getBeta1();
        double beta2 = config.getBeta2();
        float epsilon = (float) config.getEpsilon();
        // as DL4J's native op: float powers of the betas at t = iteration + 1, its fallback for a degenerate rate
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        float beta1T = (float) Math.pow(b1, iteration + 1);
        float beta2T = (float) Math.pow(b2, iteration + 1);
        float rate = (float) (lr * Math.sqrt(1.0f - beta2T) / (1.0f - beta1T));
        if (Float.isNaN(rate) || Float.isInfinite(rate) || rate == 0) {
            rate = epsilon;
        }
        float batch = batchSize;
        float oneMinusB1 = 1 - b1;
        float oneMinusB2 = 1 - b2;
        int range = 0;
        for (int start = 0; start < length; start += CHUNK) {
            int n = Math.min(CHUNK, length - start);
            params.get((int) (paramsOffset + start), p, 0, n);
            gradients.get((int) (gradientsOffset + start), g, 0, n);
            m.get((int) (mOffset + start), mc, 0, n);
            v.get((int) (vOffset + start), vc, 0, n);
            for (int i = 0; i < n; i++) {
                g[i] /= batch; // as DL4J's divi: a multiplication by 1/batch rounds otherwise
            }
            // L2 per parameter array: the chunk may span several arrays, each with its own coefficient
            while (range < l2Ranges.size() && l2Ranges.get(range).end() <= start) {
                range++;
            }
            for (int r = range; r < l2Ranges.size() && l2Ranges.get(r).start() < start + n; r++) {
                L2Range l2 = l2Ranges.get(r);
                float coefficient = (float) l2.l2().getL2().valueAt(iteration, epoch);
                int from = Math.max(l2.start(), start) - start;
                int to = Math.min(l2.end(), start + n) - start;
                for (int i = from; i < to; i++) {
                    g[i] = coefficient * p[i] + g[i];
                }
            }
            for (int i = 0; i < n; i++) {
                float mi = b1 * mc[i] + g[i] * oneMinusB1;
                float vi = b2 * vc[i] + g[i] * g[i] * oneMinusB2;
                p[i] -= (mi * rate) / ((float) Math.sqrt(vi) + epsilon);
                mc[i] = mi * oneIfNormal(Math.abs(mi));
                vc[i] = vi * oneIfNormal(vi);
            }
            params.put((int) (paramsOffset + start), p, 0, n);
            m.put((int) (mOffset + start), mc, 0, n);
            v.put((int) (vOffset + start), vc, 0, n);
        }
    }

    /**
     * 1 when {@code magnitude} is at least {@link Float#MIN_NORMAL} (or infinite), 0 when it is 0 or
     * subnormal (NaN stays NaN): a moment times this is the moment flushed to zero.
     *
     * <p>Why arithmetic: with {@code x < MIN_NORMAL ? 0 : x} in the loop, C2 (JDK 17) compiles it to scalar
     * code, 8.4 ms per pass over the default model's 3.27M parameters against 3.6-3.75 ms with this (a copy of
     * the loop on synthetic arrays, issue #18). Exact: below MIN_NORMAL, {@code magnitude - MIN_NORMAL} is at
     * most -2^-149, which the two scalings take to -2^51 or less, clamped to 0; from MIN_NORMAL up it is at
     * least 0, so the sum is at least 1, clamped to 1.
     */
    static float oneIfNormal(float magnitude) {
        return Math.min(Math.max((magnitude - Float.MIN_NORMAL) * TWO_TO_100 * TWO_TO_100 + 1f, 0f), 1f);
    }
}

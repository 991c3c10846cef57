package org.sparkcnn.fit;

import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.eltwise_backward;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.inner_product_backward_data;
import org.bytedeco.dnnl.inner_product_backward_weights;
import org.bytedeco.dnnl.inner_product_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.pooling_backward;
import org.bytedeco.dnnl.pooling_forward;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

import java.util.function.IntPredicate;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WORKSPACE;
import static org.bytedeco.dnnl.global.dnnl.algorithm.convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.algorithm.eltwise_relu;
import static org.bytedeco.dnnl.global.dnnl.algorithm.eltwise_relu_use_dst_for_bwd;
import static org.bytedeco.dnnl.global.dnnl.algorithm.pooling_max;
import static org.bytedeco.dnnl.global.dnnl.prop_kind.forward_training;
import static org.bytedeco.dnnl.memory.format_tag.any;
import static org.bytedeco.dnnl.memory.format_tag.nc;
import static org.bytedeco.dnnl.memory.format_tag.nchw;
import static org.bytedeco.dnnl.memory.format_tag.oi;
import static org.bytedeco.dnnl.memory.format_tag.oihw;
import static org.bytedeco.dnnl.memory.format_tag.x;
import static org.sparkcnn.fit.Dnnl.desc;

/**
 * Forward and backward pass of sparkcnn's CNN for one minibatch size, built from oneDNN primitives once
 * and replayed every minibatch. Activations stay in the blocked layouts the primitives choose from one
 * layer to the next, ReLU is fused into the convolutions and the dense layer, pooling runs once with a
 * workspace, and the first convolution computes no gradient for the input images: the work nd4j's
 * per-op calls cannot avoid (each of its oneDNN calls re-lays plain NCHW tensors out and back).
 *
 * <p>Weights are read from, and gradients written to, DL4J's own flat parameter and gradient buffers
 * ({@link CnnLayout}); gradients are sums over the minibatch, as DL4J's are before its updater divides
 * them by the minibatch size. Dropout and the softmax cross-entropy run in Java (1,024 values and one per
 * class per image).
 */
final class OneDnnGraph implements AutoCloseable {
    private static final long[] UNIT_STRIDES = {1, 1};
    private static final long[] POOL_WINDOW = {2, 2};
    private static final long[] NO_PADDING = {0, 0};

    private final int batch;
    private final int kernel;
    private final double retainProbability;
    private final Dnnl dnnl;
    /** conv1 to the dense layer's ReLU output */
    private final Dnnl.Sequence toHidden;
    /** the output layer's logits from the (dropped-out) hidden layer */
    private final Dnnl.Sequence toLogits;
    /** the output layer's gradients, and the gradient at the hidden layer */
    private final Dnnl.Sequence outputBackward;
    /** from the hidden layer's gradient down to conv1's weights */
    private final Dnnl.Sequence restBackward;
    /** The minibatch's images, [batch, channels, rows, cols]; its buffer is the minibatch's own. */
    private final memory images;
    private final FloatPointer hidden;
    private final FloatPointer dropped;
    private final FloatPointer logits;
    private final FloatPointer logitGradient;
    private final FloatPointer hiddenGradient;
    private final float[] hiddenValues;
    private final float[] keepScale;
    private final float[] gradientValues;
    private final float[] logitValues;
    private final int classes;

    /**
     * @param parameters DL4J's flat parameter buffer
     * @param gradients  DL4J's flat gradient buffer (same layout)
     */
    OneDnnGraph(CnnLayout layout, int batch, Pointer parameters, Pointer gradients) {
        this.batch = batch;
        this.kernel = layout.kernel();
        this.retainProbability = layout.retainProbability();
        this.classes = layout.classes();
        this.dnnl = new Dnnl();
        this.toHidden = dnnl.sequence();
        this.toLogits = dnnl.sequence();
        this.outputBackward = dnnl.sequence();
        this.restBackward = dnnl.sequence();
        int rows = layout.rows();
        int cols = layout.cols();
        long c1 = layout.conv1Channels();
        long c2 = layout.conv2Channels();

        images = dnnl.wrap(desc(nchw, batch, layout.channels(), rows, cols), new Pointer());
        Convolution conv1 = new Convolution(images, layout.channels(), c1, rows, cols,
                at(parameters, layout.conv1Weights()), at(parameters, layout.conv1Bias()));
        Pooling pool1 = new Pooling(conv1.output, c1, rows, cols);
        Convolution conv2 = new Convolution(pool1.output, c1, c2, layout.pooled1Rows(), layout.pooled1Cols(),
                at(parameters, layout.conv2Weights()), at(parameters, layout.conv2Bias()));
        Pooling pool2 = new Pooling(conv2.output, c2, layout.pooled1Rows(), layout.pooled1Cols());
        // DL4J flattens [batch, channels, rows, cols] row-major into the dense layer's input
        memory.desc pooledPlain = desc(nchw, batch, c2, layout.pooled2Rows(), layout.pooled2Cols());
        memory flat4d = dnnl.allocate(pooledPlain);
        toHidden.addReorder(pool2.output, flat4d);
        long features = layout.flattened();
        memory.desc flatDesc = desc(nc, batch, features);
        memory flat = dnnl.wrap(flatDesc, flat4d.get_data_handle());

        memory.desc hiddenDesc = desc(nc, batch, layout.dense());
        memory hiddenMemory = dnnl.allocate(hiddenDesc);
        InnerProduct dense = new InnerProduct(toHidden, flat, hiddenMemory, features, layout.dense(), reluAttribute(),
                at(parameters, layout.denseWeights()), at(parameters, layout.denseBias()));
        memory droppedMemory = dnnl.allocate(hiddenDesc);
        memory logitsMemory = dnnl.allocate(desc(nc, batch, classes));
        InnerProduct output = new InnerProduct(toLogits, droppedMemory, logitsMemory, layout.dense(), classes,
                dnnl.keep(new primitive_attr()), at(parameters, layout.outputWeights()), at(parameters, layout.outputBias()));

        memory logitGradientMemory = dnnl.allocate(logitsMemory.get_desc());
        memory hiddenGradientMemory = dnnl.allocate(hiddenDesc);
        output.backward(outputBackward, logitGradientMemory, hiddenGradientMemory,
                at(gradients, layout.outputWeights()), at(gradients, layout.outputBias()));
        memory flatGradient4d = dnnl.allocate(pooledPlain);
        dense.backward(restBackward, hiddenGradientMemory, dnnl.wrap(flatDesc, flatGradient4d.get_data_handle()),
                at(gradients, layout.denseWeights()), at(gradients, layout.denseBias()));
        memory conv2Gradient = pool2.backward(flatGradient4d);
        memory pool1Gradient = conv2.backward(conv2Gradient, at(gradients, layout.conv2Weights()),
                at(gradients, layout.conv2Bias()), true);
        memory conv1Gradient = pool1.backward(pool1Gradient);
        // the images need no gradient: conv1 stops at its weights
        conv1.backward(conv1Gradient, at(gradients, layout.conv1Weights()), at(gradients, layout.conv1Bias()), false);

        hidden = new FloatPointer(hiddenMemory.get_data_handle());
        dropped = new FloatPointer(droppedMemory.get_data_handle());
        logits = new FloatPointer(logitsMemory.get_data_handle());
        logitGradient = new FloatPointer(logitGradientMemory.get_data_handle());
        hiddenGradient = new FloatPointer(hiddenGradientMemory.get_data_handle());
        hiddenValues = new float[batch * layout.dense()];
        keepScale = new float[batch * layout.dense()];
        gradientValues = new float[batch * layout.dense()];
        logitValues = new float[batch * classes];
    }

    @Override
    public void close() {
        dnnl.close();
    }

    /**
     * Runs forward and backward on one minibatch, leaving the summed gradients in DL4J's gradient buffer.
     *
     * @param imagesData [batch, channels * rows * cols] floats, each image channel-major then row-major (NCHW),
     *                   valid until this returns
     * @param labels     one-hot (or soft) targets, [batch, classes] row-major
     * @param keeps      dropout's decisions: asked once per hidden value, in order, whether dropout keeps it
     *                   (value {@code i} is image {@code i / dense}, unit {@code i % dense}); not asked when the
     *                   network has no dropout
     * @return the mean cross-entropy over the minibatch
     */
    double forwardBackward(Pointer imagesData, float[] labels, IntPredicate keeps) {
        images.set_data_handle(imagesData);
        toHidden.run();

        // inverted dropout, as DL4J's: kept values are scaled by 1 / retain probability (gradientValues is
        // free until the backward pass, so it carries the dropped-out values to oneDNN)
        hidden.get(hiddenValues);
        float scale = (float) (1.0 / retainProbability);
        for (int i = 0; i < hiddenValues.length; i++) {
            keepScale[i] = retainProbability >= 1.0 || keeps.test(i) ? scale : 0f;
            gradientValues[i] = hiddenValues[i] * keepScale[i];
        }
        dropped.put(gradientValues);
        toLogits.run();

        // softmax cross-entropy; the gradient at the logits is (softmax - target) per image, summed later
        logits.get(logitValues);
        double lossSum = 0;
        for (int image = 0; image < batch; image++) {
            int row = image * classes;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, logitValues[row + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(logitValues[row + c] - max);
            }
            double logSum = Math.log(sum) + max;
            for (int c = 0; c < classes; c++) {
                double logProbability = logitValues[row + c] - logSum;
                lossSum -= labels[row + c] * logProbability;
                logitValues[row + c] = (float) (Math.exp(logProbability) - labels[row + c]);
            }
        }
        logitGradient.put(logitValues);
        outputBackward.run();

        // back through dropout and the dense layer's ReLU
        hiddenGradient.get(gradientValues);
        for (int i = 0; i < gradientValues.length; i++) {
            gradientValues[i] = hiddenValues[i] > 0f ? gradientValues[i] * keepScale[i] : 0f;
        }
        hiddenGradient.put(gradientValues);
        restBackward.run();
        return lossSum / batch;
    }

    /**
     * The address {@code offsetInFloats} floats past {@code base}, as a pointer at position 0: JavaCPP adds a
     * pointer's position in bytes, not elements, where oneDNN takes a {@code void*}.
     */
    private static Pointer at(Pointer base, long offsetInFloats) {
        return new FloatPointer(base).getPointer(offsetInFloats);
    }

    private primitive_attr reluAttribute() {
        post_ops ops = dnnl.keep(new post_ops());
        ops.append_eltwise(1.0f, eltwise_relu, 0f, 0f);
        primitive_attr attr = dnnl.keep(new primitive_attr());
        attr.set_post_ops(ops);
        return attr;
    }

    /** A same-padded convolution with fused bias and ReLU, and its gradients. */
    private final class Convolution {
        private final convolution_forward.primitive_desc forward;
        private final memory input;
        private final memory weights;
        private final memory output;
        private final long in;
        private final long out;
        private final long rows;
        private final long cols;
        private final long[] padding;

        Convolution(memory source, long in, long out, long rows, long cols, Pointer weightsData, Pointer biasData) {
            this.in = in;
            this.out = out;
            this.rows = rows;
            this.cols = cols;
            this.padding = new long[] {kernel / 2, kernel / 2};
            forward = dnnl.keep(new convolution_forward.primitive_desc(
                    new convolution_forward.desc(forward_training, convolution_direct, anyInput(), anyWeights(), desc(x, out),
                            anyOutput(), UNIT_STRIDES, padding, padding),
                    reluAttribute(), dnnl.engine()));
            input = toHidden.inLayout(source, forward.src_desc());
            weights = dnnl.wrap(desc(oihw, out, in, kernel, kernel), weightsData);
            output = dnnl.allocate(forward.dst_desc());
            toHidden.add(new convolution_forward(forward), DNNL_ARG_SRC, input,
                    DNNL_ARG_WEIGHTS, toHidden.inLayout(weights, forward.weights_desc()),
                    DNNL_ARG_BIAS, dnnl.wrap(desc(x, out), biasData), DNNL_ARG_DST, output);
        }

        private memory.desc anyInput() {
            return desc(any, batch, in, rows, cols);
        }

        private memory.desc anyWeights() {
            return desc(any, out, in, kernel, kernel);
        }

        private memory.desc anyOutput() {
            return desc(any, batch, out, rows, cols);
        }

        /**
         * Appends the ReLU gradient (in place), the weight and bias gradients and, if asked, the input
         * gradient, which it returns.
         */
        memory backward(memory outputGradient, Pointer weightsGradient, Pointer biasGradient, boolean inputGradient) {
            eltwise_forward.primitive_desc reluHint = dnnl.keep(new eltwise_forward.primitive_desc(
                    new eltwise_forward.desc(forward_training, eltwise_relu_use_dst_for_bwd, output.get_desc(), 0f, 0f),
                    dnnl.engine()));
            restBackward.add(new eltwise_backward(dnnl.keep(new eltwise_backward.primitive_desc(
                            new eltwise_backward.desc(eltwise_relu_use_dst_for_bwd, outputGradient.get_desc(), output.get_desc(), 0f, 0f),
                            dnnl.engine(), reluHint))),
                    DNNL_ARG_DST, output, DNNL_ARG_DIFF_DST, outputGradient, DNNL_ARG_DIFF_SRC, outputGradient);

            convolution_backward_weights.primitive_desc weightsPass = dnnl.keep(new convolution_backward_weights.primitive_desc(
                    new convolution_backward_weights.desc(convolution_direct, anyInput(), anyWeights(), desc(x, out),
                            anyOutput(), UNIT_STRIDES, padding, padding),
                    dnnl.engine(), forward));
            memory dl4jWeightsGradient = dnnl.wrap(desc(oihw, out, in, kernel, kernel), weightsGradient);
            memory.desc weightsGradientDesc = weightsPass.diff_weights_desc();
            memory computedWeightsGradient = weightsGradientDesc.equals(dl4jWeightsGradient.get_desc())
                    ? dl4jWeightsGradient : dnnl.allocate(weightsGradientDesc);
            restBackward.add(new convolution_backward_weights(weightsPass),
                    DNNL_ARG_SRC, restBackward.inLayout(input, weightsPass.src_desc()),
                    DNNL_ARG_DIFF_DST, restBackward.inLayout(outputGradient, weightsPass.diff_dst_desc()),
                    DNNL_ARG_DIFF_WEIGHTS, computedWeightsGradient,
                    DNNL_ARG_DIFF_BIAS, dnnl.wrap(desc(x, out), biasGradient));
            if (computedWeightsGradient != dl4jWeightsGradient) {
                restBackward.addReorder(computedWeightsGradient, dl4jWeightsGradient);
            }
            if (!inputGradient) {
                return null;
            }
            convolution_backward_data.primitive_desc dataPass = dnnl.keep(new convolution_backward_data.primitive_desc(
                    new convolution_backward_data.desc(convolution_direct, anyInput(), anyWeights(), anyOutput(),
                            UNIT_STRIDES, padding, padding),
                    dnnl.engine(), forward));
            memory inputGradientMemory = dnnl.allocate(dataPass.diff_src_desc());
            restBackward.add(new convolution_backward_data(dataPass),
                    DNNL_ARG_DIFF_DST, restBackward.inLayout(outputGradient, dataPass.diff_dst_desc()),
                    DNNL_ARG_WEIGHTS, restBackward.inLayout(weights, dataPass.weights_desc()),
                    DNNL_ARG_DIFF_SRC, inputGradientMemory);
            return inputGradientMemory;
        }
    }

    /**
     * A fully connected layer on plain row-major tensors, its weights {@code [out, in]} in DL4J's own array
     * (read in place, and their gradient written in place).
     */
    private final class InnerProduct {
        private final inner_product_forward.primitive_desc forward;
        private final memory input;
        private final memory weights;
        private final memory.desc inputDesc;
        private final memory.desc weightsDesc;
        private final memory.desc biasDesc;
        private final memory.desc outputDesc;

        InnerProduct(Dnnl.Sequence sequence, memory input, memory output, long in, long out, primitive_attr attribute,
                     Pointer weightsData, Pointer biasData) {
            this.input = input;
            inputDesc = desc(nc, batch, in);
            weightsDesc = desc(oi, out, in);
            biasDesc = desc(x, out);
            outputDesc = desc(nc, batch, out);
            forward = dnnl.keep(new inner_product_forward.primitive_desc(
                    new inner_product_forward.desc(forward_training, inputDesc, weightsDesc, biasDesc, outputDesc),
                    attribute, dnnl.engine()));
            weights = dnnl.wrap(weightsDesc, weightsData);
            sequence.add(new inner_product_forward(forward), DNNL_ARG_SRC, input, DNNL_ARG_WEIGHTS, weights,
                    DNNL_ARG_BIAS, dnnl.wrap(biasDesc, biasData), DNNL_ARG_DST, output);
        }

        /** Appends the weight and bias gradients, and the gradient at the input into {@code inputGradient}. */
        void backward(Dnnl.Sequence sequence, memory outputGradient, memory inputGradient, Pointer weightsGradient,
                      Pointer biasGradient) {
            sequence.add(new inner_product_backward_weights(dnnl.keep(new inner_product_backward_weights.primitive_desc(
                            new inner_product_backward_weights.desc(inputDesc, weightsDesc, biasDesc, outputDesc),
                            dnnl.engine(), forward))),
                    DNNL_ARG_SRC, input, DNNL_ARG_DIFF_DST, outputGradient,
                    DNNL_ARG_DIFF_WEIGHTS, dnnl.wrap(weightsDesc, weightsGradient),
                    DNNL_ARG_DIFF_BIAS, dnnl.wrap(biasDesc, biasGradient));
            sequence.add(new inner_product_backward_data(dnnl.keep(new inner_product_backward_data.primitive_desc(
                            new inner_product_backward_data.desc(inputDesc, weightsDesc, outputDesc), dnnl.engine(), forward))),
                    DNNL_ARG_DIFF_DST, outputGradient, DNNL_ARG_WEIGHTS, weights, DNNL_ARG_DIFF_SRC, inputGradient);
        }
    }

    /** 2x2, stride 2 max pooling; the forward pass keeps a workspace of argmax positions for the backward. */
    private final class Pooling {
        private final pooling_forward.primitive_desc forward;
        private final memory input;
        private final memory output;
        private final memory workspace;

        Pooling(memory input, long channels, long rows, long cols) {
            this.input = input;
            forward = dnnl.keep(new pooling_forward.primitive_desc(
                    new pooling_forward.desc(forward_training, pooling_max, input.get_desc(),
                            desc(any, batch, channels, rows / 2, cols / 2), POOL_WINDOW, POOL_WINDOW, NO_PADDING, NO_PADDING),
                    dnnl.engine()));
            output = dnnl.allocate(forward.dst_desc());
            workspace = dnnl.allocate(forward.workspace_desc());
            toHidden.add(new pooling_forward(forward), DNNL_ARG_SRC, input, DNNL_ARG_DST, output,
                    DNNL_ARG_WORKSPACE, workspace);
        }

        /** Appends the backward pass; returns the gradient at the input, in the input's layout. */
        memory backward(memory outputGradient) {
            pooling_backward.primitive_desc backwardPass = dnnl.keep(new pooling_backward.primitive_desc(
                    new pooling_backward.desc(pooling_max, input.get_desc(), output.get_desc(), POOL_WINDOW, POOL_WINDOW,
                            NO_PADDING, NO_PADDING),
                    dnnl.engine(), forward));
            memory inputGradient = dnnl.allocate(backwardPass.diff_src_desc());
            restBackward.add(new pooling_backward(backwardPass),
                    DNNL_ARG_DIFF_DST, restBackward.inLayout(outputGradient, backwardPass.diff_dst_desc()),
                    DNNL_ARG_WORKSPACE, workspace, DNNL_ARG_DIFF_SRC, inputGradient);
            return inputGradient;
        }
    }
}

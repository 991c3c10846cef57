package org.sparkcnn.fit;

import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.eltwise_backward;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
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
 * sparkcnn's CNN from the images to the dense layer's ReLU output (conv1, pool, conv2, pool, dense) as
 * oneDNN primitives for one batch size, appended to a {@link Dnnl.Sequence}, and the layer types it is made
 * of. Built for training ({@code forward_training}: the poolings keep the workspace their backward pass
 * needs, and {@link OneDnnGraph} appends the backward passes) or for inference ({@code forward_inference}:
 * {@link OneDnnInference}). Weights and biases are read in place from DL4J's flat parameter buffer
 * ({@link CnnLayout}).
 */
final class OneDnnLayers {
    private static final long[] UNIT_STRIDES = {1, 1};
    private static final long[] POOL_WINDOW = {2, 2};
    private static final long[] NO_PADDING = {0, 0};

    /** The batch's images, [batch, channels, rows, cols]; point it at each batch's buffer. */
    final memory images;
    final Convolution conv1;
    final Pooling pool1;
    final Convolution conv2;
    final Pooling pool2;
    /** The second pooling's output in plain NCHW, which DL4J flattens row-major into the dense layer's input. */
    final memory.desc pooledPlain;
    /** {@link #pooledPlain} seen as [batch, features]. */
    final memory.desc flatDesc;
    final InnerProduct dense;
    /** The dense layer's ReLU output, [batch, dense] row-major. */
    final memory hidden;

    OneDnnLayers(Dnnl dnnl, Dnnl.Sequence sequence, CnnLayout layout, int batch, Pointer parameters, prop_kind kind) {
        int rows = layout.rows();
        int cols = layout.cols();
        long c1 = layout.conv1Channels();
        long c2 = layout.conv2Channels();
        int kernel = layout.kernel();
        images = dnnl.wrap(desc(nchw, batch, layout.channels(), rows, cols), new Pointer());
        conv1 = new Convolution(dnnl, sequence, kind, batch, kernel, images, layout.channels(), c1, rows, cols,
                at(parameters, layout.conv1Weights()), at(parameters, layout.conv1Bias()));
        pool1 = new Pooling(dnnl, sequence, kind, batch, conv1.output, c1, rows, cols);
        conv2 = new Convolution(dnnl, sequence, kind, batch, kernel, pool1.output, c1, c2, layout.pooled1Rows(),
                layout.pooled1Cols(), at(parameters, layout.conv2Weights()), at(parameters, layout.conv2Bias()));
        pool2 = new Pooling(dnnl, sequence, kind, batch, conv2.output, c2, layout.pooled1Rows(), layout.pooled1Cols());
        pooledPlain = desc(nchw, batch, c2, layout.pooled2Rows(), layout.pooled2Cols());
        memory flat4d = dnnl.allocate(pooledPlain);
        sequence.addReorder(pool2.output, flat4d);
        long features = layout.flattened();
        flatDesc = desc(nc, batch, features);
        memory flat = dnnl.wrap(flatDesc, flat4d.get_data_handle());
        hidden = dnnl.allocate(desc(nc, batch, layout.dense()));
        dense = new InnerProduct(dnnl, sequence, kind, batch, flat, hidden, features, layout.dense(),
                reluAttribute(dnnl), at(parameters, layout.denseWeights()), at(parameters, layout.denseBias()));
    }

    /**
     * The address {@code offsetInFloats} floats past {@code base}, as a pointer at position 0: JavaCPP adds a
     * pointer's position in bytes, not elements, where oneDNN takes a {@code void*}.
     */
    static Pointer at(Pointer base, long offsetInFloats) {
        return new FloatPointer(base).getPointer(offsetInFloats);
    }

    /** A ReLU fused into the primitive that carries it. */
    static primitive_attr reluAttribute(Dnnl dnnl) {
        post_ops ops = dnnl.keep(new post_ops());
        ops.append_eltwise(1.0f, eltwise_relu, 0f, 0f);
        primitive_attr attr = dnnl.keep(new primitive_attr());
        attr.set_post_ops(ops);
        return attr;
    }

    /**
     * Appends the gradient of a fused ReLU, in place: {@code gradient} (at the ReLU's output) becomes the
     * gradient at its input, zero where the ReLU's {@code output} is not positive.
     */
    static void reluBackward(Dnnl dnnl, Dnnl.Sequence sequence, memory output, memory gradient) {
        eltwise_forward.primitive_desc reluHint = dnnl.keep(new eltwise_forward.primitive_desc(
                new eltwise_forward.desc(forward_training, eltwise_relu_use_dst_for_bwd, output.get_desc(), 0f, 0f),
                dnnl.engine()));
        sequence.add(new eltwise_backward(dnnl.keep(new eltwise_backward.primitive_desc(
                        new eltwise_backward.desc(eltwise_relu_use_dst_for_bwd, gradient.get_desc(), output.get_desc(), 0f, 0f),
                        dnnl.engine(), reluHint))),
                DNNL_ARG_DST, output, DNNL_ARG_DIFF_DST, gradient, DNNL_ARG_DIFF_SRC, gradient);
    }

    /** A same-padded convolution with fused bias and ReLU, and its gradients. */
    static final class Convolution {
        private final Dnnl dnnl;
        private final convolution_forward.primitive_desc forward;
        private final memory input;
        private final memory weights;
        private final memory output;
        private final long batch;
        private final long in;
        private final long out;
        private final long rows;
        private final long cols;
        private final long kernel;
        private final long[] padding;

        Convolution(Dnnl dnnl, Dnnl.Sequence sequence, prop_kind kind, long batch, long kernel, memory source,
                    long in, long out, long rows, long cols, Pointer weightsData, Pointer biasData) {
            this.dnnl = dnnl;
            this.batch = batch;
            this.kernel = kernel;
            this.in = in;
            this.out = out;
            this.rows = rows;
            this.cols = cols;
            this.padding = new long[] {kernel / 2, kernel / 2};
            forward = dnnl.keep(new convolution_forward.primitive_desc(
                    new convolution_forward.desc(kind, convolution_direct, anyInput(), anyWeights(), desc(x, out),
                            anyOutput(), UNIT_STRIDES, padding, padding),
                    reluAttribute(dnnl), dnnl.engine()));
            input = sequence.inLayout(source, forward.src_desc());
            weights = dnnl.wrap(desc(oihw, out, in, kernel, kernel), weightsData);
            output = dnnl.allocate(forward.dst_desc());
            sequence.add(new convolution_forward(forward), DNNL_ARG_SRC, input,
                    DNNL_ARG_WEIGHTS, sequence.inLayout(weights, forward.weights_desc()),
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
        memory backward(Dnnl.Sequence sequence, memory outputGradient, Pointer weightsGradient, Pointer biasGradient,
                        boolean inputGradient) {
            reluBackward(dnnl, sequence, output, outputGradient);

            convolution_backward_weights.primitive_desc weightsPass = dnnl.keep(new convolution_backward_weights.primitive_desc(
                    new convolution_backward_weights.desc(convolution_direct, anyInput(), anyWeights(), desc(x, out),
                            anyOutput(), UNIT_STRIDES, padding, padding),
                    dnnl.engine(), forward));
            memory dl4jWeightsGradient = dnnl.wrap(desc(oihw, out, in, kernel, kernel), weightsGradient);
            memory.desc weightsGradientDesc = weightsPass.diff_weights_desc();
            memory computedWeightsGradient = weightsGradientDesc.equals(dl4jWeightsGradient.get_desc())
                    ? dl4jWeightsGradient : dnnl.allocate(weightsGradientDesc);
            sequence.add(new convolution_backward_weights(weightsPass),
                    DNNL_ARG_SRC, sequence.inLayout(input, weightsPass.src_desc()),
                    DNNL_ARG_DIFF_DST, sequence.inLayout(outputGradient, weightsPass.diff_dst_desc()),
                    DNNL_ARG_DIFF_WEIGHTS, computedWeightsGradient,
                    DNNL_ARG_DIFF_BIAS, dnnl.wrap(desc(x, out), biasGradient));
            if (computedWeightsGradient != dl4jWeightsGradient) {
                sequence.addReorder(computedWeightsGradient, dl4jWeightsGradient);
            }
            if (!inputGradient) {
                return null;
            }
            convolution_backward_data.primitive_desc dataPass = dnnl.keep(new convolution_backward_data.primitive_desc(
                    new convolution_backward_data.desc(convolution_direct, anyInput(), anyWeights(), anyOutput(),
                            UNIT_STRIDES, padding, padding),
                    dnnl.engine(), forward));
            memory inputGradientMemory = dnnl.allocate(dataPass.diff_src_desc());
            sequence.add(new convolution_backward_data(dataPass),
                    DNNL_ARG_DIFF_DST, sequence.inLayout(outputGradient, dataPass.diff_dst_desc()),
                    DNNL_ARG_WEIGHTS, sequence.inLayout(weights, dataPass.weights_desc()),
                    DNNL_ARG_DIFF_SRC, inputGradientMemory);
            return inputGradientMemory;
        }
    }

    /**
     * A fully connected layer on plain row-major tensors, its weights {@code [out, in]} in DL4J's own array
     * (read in place, and their gradient written in place).
     */
    static final class InnerProduct {
        private final Dnnl dnnl;
        private final inner_product_forward.primitive_desc forward;
        private final memory input;
        private final memory weights;
        private final memory.desc inputDesc;
        private final memory.desc weightsDesc;
        private final memory.desc biasDesc;
        private final memory.desc outputDesc;

        InnerProduct(Dnnl dnnl, Dnnl.Sequence sequence, prop_kind kind, long batch, memory input, memory output,
                     long in, long out, primitive_attr attribute, Pointer weightsData, Pointer biasData) {
            this.dnnl = dnnl;
            this.input = input;
            inputDesc = desc(nc, batch, in);
            weightsDesc = desc(oi, out, in);
            biasDesc = desc(x, out);
            outputDesc = desc(nc, batch, out);
            forward = dnnl.keep(new inner_product_forward.primitive_desc(
                    new inner_product_forward.desc(kind, inputDesc, weightsDesc, biasDesc, outputDesc),
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

    /**
     * 2x2, stride 2 max pooling; for training, the forward pass keeps a workspace of argmax positions for the
     * backward.
     */
    static final class Pooling {
        private final Dnnl dnnl;
        private final pooling_forward.primitive_desc forward;
        private final memory input;
        private final memory output;
        private final memory workspace;

        Pooling(Dnnl dnnl, Dnnl.Sequence sequence, prop_kind kind, long batch, memory input, long channels, long rows,
                long cols) {
            this.dnnl = dnnl;
            this.input = input;
            forward = dnnl.keep(new pooling_forward.primitive_desc(
                    new pooling_forward.desc(kind, pooling_max, input.get_desc(),
                            desc(any, batch, channels, rows / 2, cols / 2), POOL_WINDOW, POOL_WINDOW, NO_PADDING, NO_PADDING),
                    dnnl.engine()));
            output = dnnl.allocate(forward.dst_desc());
            if (kind == forward_training) {
                workspace = dnnl.allocate(forward.workspace_desc());
                sequence.add(new pooling_forward(forward), DNNL_ARG_SRC, input, DNNL_ARG_DST, output,
                        DNNL_ARG_WORKSPACE, workspace);
            } else {
                workspace = null;
                sequence.add(new pooling_forward(forward), DNNL_ARG_SRC, input, DNNL_ARG_DST, output);
            }
        }

        /** Appends the backward pass; returns the gradient at the input, in the input's layout. */
        memory backward(Dnnl.Sequence sequence, memory outputGradient) {
            if (workspace == null) {
                throw new IllegalStateException("a pooling built for inference has no backward pass");
            }
            pooling_backward.primitive_desc backwardPass = dnnl.keep(new pooling_backward.primitive_desc(
                    new pooling_backward.desc(pooling_max, input.get_desc(), output.get_desc(), POOL_WINDOW, POOL_WINDOW,
                            NO_PADDING, NO_PADDING),
                    dnnl.engine(), forward));
            memory inputGradient = dnnl.allocate(backwardPass.diff_src_desc());
            sequence.add(new pooling_backward(backwardPass),
                    DNNL_ARG_DIFF_DST, sequence.inLayout(outputGradient, backwardPass.diff_dst_desc()),
                    DNNL_ARG_WORKSPACE, workspace, DNNL_ARG_DIFF_SRC, inputGradient);
            return inputGradient;
        }
    }
}

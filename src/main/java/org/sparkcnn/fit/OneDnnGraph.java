package org.sparkcnn.fit;

import org.bytedeco.dnnl.binary;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.sparkcnn.fit.OneDnnLayers.InnerProduct;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;
import static org.bytedeco.dnnl.global.dnnl.algorithm.binary_mul;
import static org.bytedeco.dnnl.global.dnnl.prop_kind.forward_training;
import static org.bytedeco.dnnl.memory.format_tag.nc;
import static org.sparkcnn.fit.Dnnl.desc;
import static org.sparkcnn.fit.OneDnnLayers.at;

/**
 * Forward and backward pass of sparkcnn's CNN for one minibatch size, built from oneDNN primitives once
 * and replayed every minibatch. Activations stay in the blocked layouts the primitives choose from one
 * layer to the next, ReLU is fused into the convolutions and the dense layer, pooling runs once with a
 * workspace, and the first convolution computes no gradient for the input images: the work nd4j's
 * per-op calls cannot avoid (each of its oneDNN calls re-lays plain NCHW tensors out and back).
 *
 * <p>Weights are read from, and gradients written to, DL4J's own flat parameter and gradient buffers
 * ({@link CnnLayout}); gradients are sums over the minibatch, as DL4J's are before its updater divides
 * them by the minibatch size.
 *
 * <p>Dropout is a oneDNN multiplication by a mask drawn in Java ({@link DropoutMasks}), forward and
 * backward, and the dense layer's ReLU gradient a oneDNN primitive: Java loops over the hidden layer,
 * with a copy of it out of and back into oneDNN's memory each way, took 10 us per image (issue #18's
 * StepBreakdown). The softmax cross-entropy runs in Java ({@link Softmax}: one value per class per image).
 */
final class OneDnnGraph implements AutoCloseable {
    private final int batch;
    private final int classes;
    private final double retainProbability;
    private final Dnnl dnnl;
    /** conv1 to the dense layer's ReLU output */
    private final Dnnl.Sequence toHidden;
    /** the hidden layer times the dropout mask, into the output layer's input; empty without dropout */
    private final Dnnl.Sequence dropout;
    /** the output layer's logits from the (dropped-out) hidden layer */
    private final Dnnl.Sequence toLogits;
    /** the output layer's gradients, and the gradient at its input */
    private final Dnnl.Sequence outputBackward;
    /** back through dropout (times the mask) and the dense layer's ReLU */
    private final Dnnl.Sequence hiddenBackward;
    /** from the hidden layer's gradient down to conv1's weights */
    private final Dnnl.Sequence restBackward;
    /** The minibatch's images, [batch, channels, rows, cols]; its buffer is the minibatch's own. */
    private final memory images;
    /** the dropout mask in oneDNN's memory (null without dropout), and in Java */
    private final FloatPointer mask;
    private final float[] maskValues;
    private final FloatPointer logits;
    private final FloatPointer logitGradient;
    private final float[] logitValues;
    private final StepTimer timer;

    /**
     * @param parameters DL4J's flat parameter buffer
     * @param gradients  DL4J's flat gradient buffer (same layout)
     */
    OneDnnGraph(CnnLayout layout, int batch, Pointer parameters, Pointer gradients) {
        this(layout, batch, parameters, gradients, StepTimer.NONE);
    }

    /** @param timer told as each phase of {@link #forwardBackward} ends */
    OneDnnGraph(CnnLayout layout, int batch, Pointer parameters, Pointer gradients, StepTimer timer) {
        this.batch = batch;
        this.timer = timer;
        this.retainProbability = layout.retainProbability();
        this.classes = layout.classes();
        this.dnnl = new Dnnl();
        this.toHidden = dnnl.sequence();
        this.dropout = dnnl.sequence();
        this.toLogits = dnnl.sequence();
        this.outputBackward = dnnl.sequence();
        this.hiddenBackward = dnnl.sequence();
        this.restBackward = dnnl.sequence();

        OneDnnLayers layers = new OneDnnLayers(dnnl, toHidden, layout, batch, parameters, forward_training);
        images = layers.images;
        memory hiddenMemory = layers.hidden;
        memory.desc hiddenDesc = hiddenMemory.get_desc();
        boolean dropsOut = retainProbability < 1.0;
        memory maskMemory = dropsOut ? dnnl.allocate(hiddenDesc) : null;
        memory droppedMemory = dropsOut ? dnnl.allocate(hiddenDesc) : hiddenMemory;
        if (dropsOut) {
            multiply(dropout, hiddenMemory, maskMemory, droppedMemory);
        }
        memory logitsMemory = dnnl.allocate(desc(nc, batch, classes));
        InnerProduct output = new InnerProduct(dnnl, toLogits, forward_training, batch, droppedMemory, logitsMemory,
                layout.dense(), classes, dnnl.keep(new primitive_attr()), at(parameters, layout.outputWeights()),
                at(parameters, layout.outputBias()));

        memory logitGradientMemory = dnnl.allocate(logitsMemory.get_desc());
        memory hiddenGradientMemory = dnnl.allocate(hiddenDesc);
        output.backward(outputBackward, logitGradientMemory, hiddenGradientMemory,
                at(gradients, layout.outputWeights()), at(gradients, layout.outputBias()));
        // inverted dropout's gradient is the mask's multiplier where a value was kept, then the ReLU's
        if (dropsOut) {
            multiply(hiddenBackward, hiddenGradientMemory, maskMemory, hiddenGradientMemory);
        }
        OneDnnLayers.reluBackward(dnnl, hiddenBackward, hiddenMemory, hiddenGradientMemory);
        memory flatGradient4d = dnnl.allocate(layers.pooledPlain);
        layers.dense.backward(restBackward, hiddenGradientMemory, dnnl.wrap(layers.flatDesc, flatGradient4d.get_data_handle()),
                at(gradients, layout.denseWeights()), at(gradients, layout.denseBias()));
        memory conv2Gradient = layers.pool2.backward(restBackward, flatGradient4d);
        memory pool1Gradient = layers.conv2.backward(restBackward, conv2Gradient, at(gradients, layout.conv2Weights()),
                at(gradients, layout.conv2Bias()), true);
        memory conv1Gradient = layers.pool1.backward(restBackward, pool1Gradient);
        // the images need no gradient: conv1 stops at its weights
        layers.conv1.backward(restBackward, conv1Gradient, at(gradients, layout.conv1Weights()),
                at(gradients, layout.conv1Bias()), false);

        mask = dropsOut ? new FloatPointer(maskMemory.get_data_handle()) : null;
        maskValues = dropsOut ? new float[batch * layout.dense()] : null;
        logits = new FloatPointer(logitsMemory.get_data_handle());
        logitGradient = new FloatPointer(logitGradientMemory.get_data_handle());
        logitValues = new float[batch * classes];
    }

    /** Appends {@code product = a * b}, element by element ({@code product} may be {@code a}). */
    private void multiply(Dnnl.Sequence sequence, memory a, memory b, memory product) {
        binary.primitive_desc multiplication = dnnl.keep(new binary.primitive_desc(
                new binary.desc(binary_mul, a.get_desc(), b.get_desc(), product.get_desc()), dnnl.engine()));
        sequence.add(new binary(multiplication), DNNL_ARG_SRC_0, a, DNNL_ARG_SRC_1, b, DNNL_ARG_DST, product);
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
     * @param masks      dropout's mask for this step, asked only when the network has dropout
     * @param iteration  DL4J's iteration count at this step, for {@code masks}
     * @return the mean cross-entropy over the minibatch
     */
    double forwardBackward(Pointer imagesData, float[] labels, DropoutMasks masks, int iteration) {
        images.set_data_handle(imagesData);
        toHidden.run();
        timer.ended(StepPhase.TO_HIDDEN);

        if (mask != null) {
            masks.draw(iteration, retainProbability, maskValues);
            mask.put(maskValues);
            timer.ended(StepPhase.DROPOUT_MASK);
            dropout.run();
            timer.ended(StepPhase.DROPOUT);
        }
        toLogits.run();
        timer.ended(StepPhase.LOGITS);

        logits.get(logitValues);
        double lossSum = Softmax.crossEntropy(logitValues, labels, batch, classes);
        logitGradient.put(logitValues);
        timer.ended(StepPhase.SOFTMAX);
        outputBackward.run();
        timer.ended(StepPhase.OUTPUT_BACKWARD);
        hiddenBackward.run();
        timer.ended(StepPhase.HIDDEN_BACKWARD);
        restBackward.run();
        timer.ended(StepPhase.REST_BACKWARD);
        return lossSum / batch;
    }
}

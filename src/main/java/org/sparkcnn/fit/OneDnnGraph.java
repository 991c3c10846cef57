package org.sparkcnn.fit;

import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.sparkcnn.fit.OneDnnLayers.InnerProduct;

import java.util.function.IntPredicate;

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
 * them by the minibatch size. Dropout and the softmax cross-entropy run in Java (1,024 values and one per
 * class per image).
 */
final class OneDnnGraph implements AutoCloseable {
    private final int batch;
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
        this.toLogits = dnnl.sequence();
        this.outputBackward = dnnl.sequence();
        this.restBackward = dnnl.sequence();

        OneDnnLayers layers = new OneDnnLayers(dnnl, toHidden, layout, batch, parameters, forward_training);
        images = layers.images;
        memory hiddenMemory = layers.hidden;
        memory.desc hiddenDesc = hiddenMemory.get_desc();
        memory droppedMemory = dnnl.allocate(hiddenDesc);
        memory logitsMemory = dnnl.allocate(desc(nc, batch, classes));
        InnerProduct output = new InnerProduct(dnnl, toLogits, forward_training, batch, droppedMemory, logitsMemory,
                layout.dense(), classes, dnnl.keep(new primitive_attr()), at(parameters, layout.outputWeights()),
                at(parameters, layout.outputBias()));

        memory logitGradientMemory = dnnl.allocate(logitsMemory.get_desc());
        memory hiddenGradientMemory = dnnl.allocate(hiddenDesc);
        output.backward(outputBackward, logitGradientMemory, hiddenGradientMemory,
                at(gradients, layout.outputWeights()), at(gradients, layout.outputBias()));
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
        timer.ended(StepPhase.TO_HIDDEN);

        // inverted dropout, as DL4J's: kept values are scaled by 1 / retain probability (gradientValues is
        // free until the backward pass, so it carries the dropped-out values to oneDNN)
        hidden.get(hiddenValues);
        float scale = (float) (1.0 / retainProbability);
        for (int i = 0; i < hiddenValues.length; i++) {
            keepScale[i] = retainProbability >= 1.0 || keeps.test(i) ? scale : 0f;
            gradientValues[i] = hiddenValues[i] * keepScale[i];
        }
        dropped.put(gradientValues);
        timer.ended(StepPhase.DROPOUT);
        toLogits.run();
        timer.ended(StepPhase.LOGITS);

        // softmax cross-entropy; the gradient at the logits is (softmax - target) per image, summed later
        logits.get(logitValues);
        double lossSum = 0;
        for (int image = 0; image < batch; image++) {
            int row = image * classes;
            double logSum = Softmax.logSumExp(logitValues, row, classes);
            for (int c = 0; c < classes; c++) {
                double logProbability = logitValues[row + c] - logSum;
                lossSum -= labels[row + c] * logProbability;
                logitValues[row + c] = (float) (Math.exp(logProbability) - labels[row + c]);
            }
        }
        logitGradient.put(logitValues);
        timer.ended(StepPhase.SOFTMAX);
        outputBackward.run();
        timer.ended(StepPhase.OUTPUT_BACKWARD);

        // back through dropout and the dense layer's ReLU
        hiddenGradient.get(gradientValues);
        for (int i = 0; i < gradientValues.length; i++) {
            gradientValues[i] = hiddenValues[i] > 0f ? gradientValues[i] * keepScale[i] : 0f;
        }
        hiddenGradient.put(gradientValues);
        timer.ended(StepPhase.HIDDEN_BACKWARD);
        restBackward.run();
        timer.ended(StepPhase.REST_BACKWARD);
        return lossSum / batch;
    }
}

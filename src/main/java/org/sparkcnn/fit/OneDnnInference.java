package org.sparkcnn.fit;

import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

import static org.bytedeco.dnnl.global.dnnl.prop_kind.forward_inference;
import static org.bytedeco.dnnl.memory.format_tag.nc;
import static org.sparkcnn.fit.Dnnl.desc;
import static org.sparkcnn.fit.OneDnnLayers.at;

/**
 * The forward pass of sparkcnn's CNN for inference, for one batch size: conv1, pool, conv2, pool,
 * dense + ReLU and the output layer's logits as oneDNN {@code forward_inference} primitives built once
 * ({@link OneDnnLayers}), then the softmax in Java. No dropout: DL4J's is inverted (scaled at training
 * time), so at inference it is the identity. Weights are read in place from DL4J's flat parameter buffer
 * ({@link CnnLayout}), so the pass always sees the network's current parameters. Not thread-safe.
 */
final class OneDnnInference implements AutoCloseable {
    private final int batch;
    private final int classes;
    private final Dnnl dnnl;
    private final Dnnl.Sequence forward;
    private final memory images;
    private final FloatPointer logits;

    /** @param parameters DL4J's flat parameter buffer */
    OneDnnInference(CnnLayout layout, int batch, Pointer parameters) {
        this.batch = batch;
        this.classes = layout.classes();
        this.dnnl = new Dnnl();
        this.forward = dnnl.sequence();
        OneDnnLayers layers = new OneDnnLayers(dnnl, forward, layout, batch, parameters, forward_inference);
        images = layers.images;
        memory logitsMemory = dnnl.allocate(desc(nc, batch, classes));
        new OneDnnLayers.InnerProduct(dnnl, forward, forward_inference, batch, layers.hidden, logitsMemory,
                layout.dense(), classes, dnnl.keep(new primitive_attr()), at(parameters, layout.outputWeights()),
                at(parameters, layout.outputBias()));
        logits = new FloatPointer(logitsMemory.get_data_handle());
    }

    /**
     * The class probabilities of each image of one batch.
     *
     * @param imagesData [batch, channels * rows * cols] floats, each image channel-major then row-major
     *                   (NCHW), valid until this returns
     * @return [batch, classes] row-major
     */
    float[] probabilities(Pointer imagesData) {
        images.set_data_handle(imagesData);
        forward.run();
        float[] values = new float[batch * classes];
        logits.get(values);
        for (int row = 0; row < values.length; row += classes) {
            double logSum = Softmax.logSumExp(values, row, classes);
            for (int c = 0; c < classes; c++) {
                values[row + c] = (float) Math.exp(values[row + c] - logSum);
            }
        }
        return values;
    }

    @Override
    public void close() {
        dnnl.close();
    }
}

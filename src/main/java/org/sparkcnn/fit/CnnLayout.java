package org.sparkcnn.fit;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import java.util.Optional;

/**
 * The sizes of sparkcnn's CNN ({@code model/CnnArchitecture}) as read off a DL4J network, and where each
 * layer's parameters sit in DL4J's flat parameter vector (the gradient vector has the same layout). The
 * oneDNN step only knows this one architecture; {@link #of} says why when a network is not it.
 *
 * <p>DL4J's layouts, which the oneDNN step reads and writes in place: convolution bias then weights
 * {@code [out, in, kh, kw]} row-major (oneDNN's {@code oihw}); dense and output weights {@code [in, out]}
 * column-major, i.e. row-major {@code [out, in]} (oneDNN's {@code oi}), then bias. The dense layer's
 * input is the second pooling's output flattened channel-major, as DL4J's CNN-to-dense preprocessor does.
 *
 * <p>Any image geometry: {@code channels} input channels (1 grey, 3 RGB; each image channel-major, as
 * DL4J's flat-to-CNN preprocessor reads it), any rows x cols of at least 4 (each 2x2/2 pooling floors an
 * odd size, as DL4J's truncating mode and oneDNN's unpadded pooling both do), any number of classes.
 *
 * @param retainProbability DL4J's dropout on the output layer's input (1 = none)
 */
record CnnLayout(int rows, int cols, int channels, int conv1Channels, int conv2Channels, int kernel, int dense, int classes,
                 double retainProbability,
                 long conv1Bias, long conv1Weights, long conv2Bias, long conv2Weights,
                 long denseWeights, long denseBias, long outputWeights, long outputBias) {

    /** Values per image: channels x rows x cols. */
    long imageValues() {
        return (long) channels * rows * cols;
    }

    int pooled1Rows() {
        return rows / 2;
    }

    int pooled1Cols() {
        return cols / 2;
    }

    int pooled2Rows() {
        return pooled1Rows() / 2;
    }

    int pooled2Cols() {
        return pooled1Cols() / 2;
    }

    int flattened() {
        return conv2Channels * pooled2Rows() * pooled2Cols();
    }

    /** The layout of {@code network}, or why the oneDNN step cannot train it. */
    static Result of(MultiLayerNetwork network) {
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
        if (conf.getConfs().size() != 6) {
            return Result.unsupported("not 6 layers");
        }
        Layer[] layers = new Layer[6];
        for (int i = 0; i < 6; i++) {
            layers[i] = conf.getConf(i).getLayer();
        }
        if (!(layers[0] instanceof ConvolutionLayer c1 && layers[2] instanceof ConvolutionLayer c2
                && layers[1] instanceof SubsamplingLayer s1 && layers[3] instanceof SubsamplingLayer s2
                && layers[4] instanceof DenseLayer d && layers[5] instanceof OutputLayer out)) {
            return Result.unsupported("not conv-pool-conv-pool-dense-output");
        }
        InputPreProcessor first = conf.getInputPreProcess(0);
        if (!(first instanceof FeedForwardToCnnPreProcessor input)) {
            return Result.unsupported("input is not flat images");
        }
        int rows = (int) input.getInputHeight();
        int cols = (int) input.getInputWidth();
        int channels = (int) input.getNumChannels();
        if (rows < 4 || cols < 4) {
            return Result.unsupported(rows + "x" + cols + " images: two 2x2 poolings need at least 4x4 pixels");
        }
        for (ConvolutionLayer c : new ConvolutionLayer[] {c1, c2}) {
            int[] k = c.getKernelSize();
            if (k[0] != k[1] || k[0] % 2 == 0 || c.getStride()[0] != 1 || c.getStride()[1] != 1
                    || c.getConvolutionMode() != ConvolutionMode.Same || !(c.getActivationFn() instanceof ActivationReLU)
                    || !c.hasBias() || c.getDilation()[0] != 1 || c.getDilation()[1] != 1 || c.getIDropout() != null) {
                return Result.unsupported("a convolution is not odd-square, stride 1, same-padded, biased, ReLU");
            }
        }
        if (c1.getKernelSize()[0] != c2.getKernelSize()[0] || c1.getNIn() != channels) {
            return Result.unsupported("the convolutions differ in kernel size or the first does not take the images' "
                    + channels + " channels");
        }
        for (SubsamplingLayer s : new SubsamplingLayer[] {s1, s2}) {
            if (s.getPoolingType() != PoolingType.MAX || s.getKernelSize()[0] != 2 || s.getKernelSize()[1] != 2
                    || s.getStride()[0] != 2 || s.getStride()[1] != 2 || s.getConvolutionMode() == ConvolutionMode.Same) {
                return Result.unsupported("a pooling is not 2x2/2 max pooling");
            }
        }
        if (!(d.getActivationFn() instanceof ActivationReLU) || d.getIDropout() != null || !d.hasBias()
                || !(out.getActivationFn() instanceof ActivationSoftmax) || !(out.getLossFn() instanceof LossMCXENT loss)
                || loss.getWeights() != null || !out.hasBias()) {
            return Result.unsupported("the dense layers are not ReLU then softmax with plain cross-entropy");
        }
        double retain = 1.0;
        IDropout dropout = out.getIDropout();
        if (dropout instanceof Dropout plain && plain.getPSchedule() == null) {
            retain = plain.getP();
        } else if (dropout != null) {
            return Result.unsupported("the output layer's dropout is not plain dropout");
        }
        // the oneDNN step reads these arrays in place: row-major convolution weights, column-major dense ones
        if (network.getLayer(0).getParam("W").ordering() != 'c' || network.getLayer(2).getParam("W").ordering() != 'c'
                || network.getLayer(4).getParam("W").ordering() != 'f' || network.getLayer(5).getParam("W").ordering() != 'f') {
            return Result.unsupported("the weights are not in DL4J's usual memory layouts");
        }
        int conv1 = (int) c1.getNOut();
        int conv2 = (int) c2.getNOut();
        int kernel = c1.getKernelSize()[0];
        CnnLayout layout = new CnnLayout(rows, cols, channels, conv1, conv2, kernel, (int) d.getNOut(), (int) out.getNOut(), retain,
                offset(network, 0, "b"), offset(network, 0, "W"), offset(network, 2, "b"), offset(network, 2, "W"),
                offset(network, 4, "W"), offset(network, 4, "b"), offset(network, 5, "W"), offset(network, 5, "b"));
        if (d.getNIn() != layout.flattened() || c2.getNIn() != conv1 || out.getNIn() != d.getNOut()) {
            return Result.unsupported("layer sizes do not chain");
        }
        return new Result(Optional.of(layout), "");
    }

    private static long offset(MultiLayerNetwork network, int layer, String param) {
        return network.getLayer(layer).getParam(param).offset();
    }

    /** A layout, or the reason there is none. */
    record Result(Optional<CnnLayout> layout, String unsupportedBecause) {
        static Result unsupported(String why) {
            return new Result(Optional.empty(), why);
        }
    }
}

package org.sparkcnn.model;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparkcnn.common.BadInputException;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparkcnn.config.ModelConfig;
import org.sparkcnn.data.DatasetShape;

/**
 * The CNN of the TensorFlow "layers" tutorial: conv 5x5x32 (same, ReLU) -> max-pool 2x2/2 -> conv 5x5x64
 * (same, ReLU) -> max-pool 2x2/2 -> dense 1024 ReLU -> dropout -> dense softmax, cross-entropy loss,
 * Xavier-uniform initialisation (TensorFlow's glorot_uniform default).
 *
 * <p>The same layers for any image geometry ({@link DatasetShape}: rows x cols, 1 or 3 channels) and any
 * number of classes: the first convolution takes the images' channels, the output layer has one unit per
 * class, and the dense layer's input grows with the image. Each pooling floors an odd size (DL4J's
 * truncating mode, oneDNN's pooling without padding: the last row or column of an odd-sized map is not
 * pooled), so the dense layer takes {@code 64 * floor(floor(rows/2)/2) * floor(floor(cols/2)/2)} values:
 * 3,136 for 28x28, 4,096 for 32x32, 64 * 5 * 7 = 2,240 for 21x29.
 */
public final class CnnArchitecture {
    /** Output channels of the two convolutions. */
    static final int CONV1_CHANNELS = 32;
    static final int CONV2_CHANNELS = 64;
    static final int KERNEL = 5;
    static final int DENSE = 1024;
    /** Two 2x2/2 poolings leave at least one value per map only from 4 pixels on. */
    public static final int MIN_SIDE = 4;
    /**
     * A model travels whole in one Java byte array (ModelStore's zip, Spark's broadcast of it, the
     * checkpoint), 4 bytes per float parameter: 2^31 - 1 bytes hold at most this many parameters.
     */
    public static final long MAX_PARAMETERS = (Integer.MAX_VALUE - 1024L * 1024) / Float.BYTES;

    private CnnArchitecture() {
    }

    /** The network with a constant learning rate (for models that will not be trained further). */
    public static MultiLayerConfiguration build(ModelConfig model, DatasetShape shape) {
        return build(model, shape, 0);
    }

    /**
     * @param iterationsPerEpoch optimiser steps in one epoch, for the per-epoch learning-rate decay (the
     *                           schedule counts iterations: parameter averaging keeps no epoch count)
     * @throws BadInputException when the CNN cannot take images of this size (see {@link #requireBuildable})
     */
    public static MultiLayerConfiguration build(ModelConfig model, DatasetShape shape, int iterationsPerEpoch) {
        requireBuildable(shape);
        NeuralNetConfiguration.Builder builder = new NeuralNetConfiguration.Builder()
                .seed(model.seed())
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .updater(updater(model, iterationsPerEpoch));
        if (model.l2() > 0) {
            builder.l2(model.l2());
        }
        return builder.list()
                .layer(new ConvolutionLayer.Builder(KERNEL, KERNEL).nIn(shape.channels()).nOut(CONV1_CHANNELS)
                        .stride(1, 1).convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(KERNEL, KERNEL).nOut(CONV2_CHANNELS).stride(1, 1)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(DENSE).activation(Activation.RELU).build())
                // DL4J's dropOut takes the RETAIN probability and applies it to the layer's input, so dropout
                // on the output layer's input is TensorFlow's dropout after the dense layer.
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(shape.numClasses())
                        .activation(Activation.SOFTMAX).dropOut(1.0 - model.dropoutRate()).build())
                // flat rows of channels*rows*cols values, channel-major: reshaped to NCHW as they are
                .setInputType(InputType.convolutionalFlat(shape.rows(), shape.cols(), shape.channels()))
                .build();
    }

    /** Inputs of the dense layer: the second pooling's maps, flattened. */
    public static long denseInputs(DatasetShape shape) {
        return (long) CONV2_CHANNELS * (shape.rows() / 2 / 2) * (shape.cols() / 2 / 2);
    }

    /** Parameters (weights and biases) of the network for {@code shape}, without building it. */
    public static long parameterCount(DatasetShape shape) {
        long conv1 = (long) CONV1_CHANNELS * shape.channels() * KERNEL * KERNEL + CONV1_CHANNELS;
        long conv2 = (long) CONV2_CHANNELS * CONV1_CHANNELS * KERNEL * KERNEL + CONV2_CHANNELS;
        long dense = denseInputs(shape) * DENSE + DENSE;
        long output = (long) DENSE * shape.numClasses() + shape.numClasses();
        return conv1 + conv2 + dense + output;
    }

    /**
     * Checks that the CNN can take images of {@code shape}: at least {@value #MIN_SIDE} pixels a side, and
     * a model small enough to be saved and shipped ({@link #MAX_PARAMETERS}: RGB images up to about 360x360).
     *
     * @throws BadInputException saying which limit the shape passes and what would fit
     */
    public static void requireBuildable(DatasetShape shape) {
        if (shape.rows() < MIN_SIDE || shape.cols() < MIN_SIDE) {
            throw new BadInputException("images of " + describe(shape) + " are too small for the CNN: its two 2x2 "
                    + "poolings need at least " + MIN_SIDE + "x" + MIN_SIDE + " pixels (set data.resize=true and a "
                    + "larger data.image-rows/cols)");
        }
        long parameters = parameterCount(shape);
        if (parameters > MAX_PARAMETERS) {
            throw new BadInputException("images of " + describe(shape) + " are too large for the CNN: its dense "
                    + "layer would take " + denseInputs(shape) + " inputs and the model " + parameters
                    + " parameters (" + parameters * Float.BYTES / (1L << 20) + " MiB), more than the " + MAX_PARAMETERS
                    + " that a saved model holds in one Java array (set data.resize=true and smaller "
                    + "data.image-rows/cols)");
        }
    }

    /**
     * Checks that a saved model takes images of {@code shape} (size and channels) and predicts as many
     * classes.
     *
     * @throws BadInputException naming {@code source} and the mismatch
     */
    public static void requireFits(MultiLayerNetwork network, DatasetShape shape, String source) {
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
        InputPreProcessor first = conf.getInputPreProcess(0);
        if (first instanceof FeedForwardToCnnPreProcessor p && (p.getInputHeight() != shape.rows()
                || p.getInputWidth() != shape.cols() || p.getNumChannels() != shape.channels())) {
            throw new BadInputException(source + ": the model takes " + describe(p.getInputHeight(), p.getInputWidth(),
                    p.getNumChannels()) + " images, the data has " + describe(shape));
        }
        Layer last = conf.getConf(conf.getConfs().size() - 1).getLayer();
        if (last instanceof FeedForwardLayer output && output.getNOut() != shape.numClasses()) {
            throw new BadInputException(source + ": the model predicts " + output.getNOut() + " classes, the data has "
                    + shape.numClasses());
        }
    }

    /**
     * The images a saved sparkcnn network takes (its input preprocessor's size and channels) and the classes
     * it predicts (its output layer's width).
     *
     * @throws BadInputException naming {@code source} when the network is not a CNN built by {@link #build}
     */
    public static DatasetShape shapeOf(MultiLayerNetwork network, String source) {
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
        Layer last = conf.getConf(conf.getConfs().size() - 1).getLayer();
        if (!(conf.getInputPreProcess(0) instanceof FeedForwardToCnnPreProcessor p)
                || !(last instanceof FeedForwardLayer output)) {
            throw new BadInputException(source + ": not a sparkcnn CNN (expected a flat image input reshaped for "
                    + "a convolution, and a dense output layer)");
        }
        try {
            return new DatasetShape((int) p.getInputHeight(), (int) p.getInputWidth(), (int) p.getNumChannels(),
                    (int) output.getNOut());
        } catch (IllegalArgumentException e) {
            throw new BadInputException(source + ": " + e.getMessage());
        }
    }

    /** "28x28 grey", "32x24 RGB": rows x cols and the colour model, for messages and reports. */
    public static String describe(DatasetShape shape) {
        return describe(shape.rows(), shape.cols(), shape.channels());
    }

    private static String describe(long rows, long cols, long channels) {
        return rows + "x" + cols + " " + (channels == 1 ? "grey" : channels == 3 ? "RGB" : channels + "-channel");
    }

    static IUpdater updater(ModelConfig model, int iterationsPerEpoch) {
        ISchedule rate = model.learningRateDecay() < 1.0 && iterationsPerEpoch > 0
                ? new StepSchedule(ScheduleType.ITERATION, model.learningRate(), model.learningRateDecay(),
                iterationsPerEpoch)
                : new FixedSchedule(model.learningRate());
        return switch (model.optimizer()) {
            case ADAM -> new Adam(rate);
            case SGD -> new Sgd(rate);
            case NESTEROV -> new Nesterovs(rate, model.momentum());
        };
    }
}

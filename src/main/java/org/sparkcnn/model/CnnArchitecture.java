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

/**
 * The CNN of the TensorFlow "layers" tutorial: conv 5x5x32 (same, ReLU) -> max-pool 2x2/2 -> conv 5x5x64
 * (same, ReLU) -> max-pool 2x2/2 -> dense 1024 ReLU -> dropout -> dense softmax, cross-entropy loss,
 * Xavier-uniform initialisation (TensorFlow's glorot_uniform default).
 */
public final class CnnArchitecture {
    private CnnArchitecture() {
    }

    /** The network with a constant learning rate (for models that will not be trained further). */
    public static MultiLayerConfiguration build(ModelConfig model, int rows, int cols, int numClasses) {
        return build(model, rows, cols, numClasses, 0);
    }

    /**
     * @param iterationsPerEpoch optimiser steps in one epoch, for the per-epoch learning-rate decay (the
     *                           schedule counts iterations: parameter averaging keeps no epoch count)
     */
    public static MultiLayerConfiguration build(ModelConfig model, int rows, int cols, int numClasses,
                                                int iterationsPerEpoch) {
        NeuralNetConfiguration.Builder builder = new NeuralNetConfiguration.Builder()
                .seed(model.seed())
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .updater(updater(model, iterationsPerEpoch));
        if (model.l2() > 0) {
            builder.l2(model.l2());
        }
        return builder.list()
                .layer(new ConvolutionLayer.Builder(5, 5).nIn(1).nOut(32).stride(1, 1)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(64).stride(1, 1)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(1024).activation(Activation.RELU).build())
                // DL4J's dropOut takes the RETAIN probability and applies it to the layer's input, so dropout
                // on the output layer's input is TensorFlow's dropout after the dense layer.
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(numClasses)
                        .activation(Activation.SOFTMAX).dropOut(1.0 - model.dropoutRate()).build())
                .setInputType(InputType.convolutionalFlat(rows, cols, 1))
                .build();
    }

    /**
     * Checks that a saved model takes images of {@code rows x cols} and predicts {@code numClasses} classes.
     *
     * @throws BadInputException naming {@code source} and the mismatch
     */
    public static void requireFits(MultiLayerNetwork network, int rows, int cols, int numClasses, String source) {
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
        InputPreProcessor first = conf.getInputPreProcess(0);
        if (first instanceof FeedForwardToCnnPreProcessor p && (p.getInputHeight() != rows || p.getInputWidth() != cols)) {
            throw new BadInputException(source + ": the model takes " + p.getInputHeight() + "x" + p.getInputWidth()
                    + " images, the data has " + rows + "x" + cols);
        }
        Layer last = conf.getConf(conf.getConfs().size() - 1).getLayer();
        if (last instanceof FeedForwardLayer output && output.getNOut() != numClasses) {
            throw new BadInputException(source + ": the model predicts " + output.getNOut() + " classes, the data has "
                    + numClasses);
        }
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

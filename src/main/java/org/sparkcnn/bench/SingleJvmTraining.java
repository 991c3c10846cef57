package org.sparkcnn.bench;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkcnn.config.CpuKernels;
import org.sparkcnn.config.ModelConfig;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.data.MinibatchFactory;
import org.sparkcnn.fit.MinibatchFitter;
import org.sparkcnn.fit.MinibatchFitters;
import org.sparkcnn.model.CnnArchitecture;
import org.sparkcnn.model.SubnormalFlush;
import org.sparkcnn.train.Trigger;
import org.sparkcnn.train.TriggerState;
import org.sparkcnn.train.ValidationPlan;
import org.sparkcnn.train.Validator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The baseline every distributed case is compared with: one network in this JVM fitting every
 * minibatch, no Spark and nothing to average.
 */
public final class SingleJvmTraining {
    private static final Logger LOG = LoggerFactory.getLogger(SingleJvmTraining.class);

    private final ModelConfig model;
    private final CpuKernels kernels;
    private final int numClasses;

    public SingleJvmTraining(ModelConfig model, CpuKernels kernels, int numClasses) {
        this.model = model;
        this.kernels = kernels;
        this.numClasses = numClasses;
    }

    /** The trained network and the time spent in its fit calls. */
    public record Trained(MultiLayerNetwork network, double computeSeconds) {
    }

    /**
     * Fits {@code epochs} passes over {@code data}, reshuffled each pass, measuring the network as
     * {@code validation} says, as {@link org.sparkcnn.train.CnnTrainer} does: on its trigger and at the end
     * of training. Its rounds are minibatches here (one network, nothing to average).
     */
    public Trained train(LabeledImages data, int epochs, int batchSize, int iterationsPerEpoch,
                         ValidationPlan validation) {
        MultiLayerNetwork network = new MultiLayerNetwork(CnnArchitecture.build(model,
                new DatasetShape(data.rows(), data.cols(), data.channels(), numClasses), iterationsPerEpoch));
        network.init();
        MinibatchFactory factory = new MinibatchFactory(numClasses);
        long fitNanos = 0;
        try (MinibatchFitter fitter = MinibatchFitters.create(kernels, network, model.seed())) {
            fitNanos = fitEpochs(fitter, factory, data, epochs, batchSize, validation);
        }
        return new Trained(network, fitNanos / 1e9);
    }

    /** @return the nanoseconds spent fitting (the validations' excluded) */
    private long fitEpochs(MinibatchFitter fitter, MinibatchFactory factory, LabeledImages data, int epochs,
                           int batchSize, ValidationPlan validation) {
        MultiLayerNetwork network = fitter.network();
        Trigger validateWhen = validation.measures() ? validation.when().or(Trigger.maxEpoch(epochs)) : Trigger.never();
        long fitNanos = 0;
        long minibatches = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            List<DataSet> batches = factory.toDataSets(data, batchSize, model.seed() * 1_000_003L + epoch);
            long start = System.nanoTime();
            long validationNanos = 0;
            for (int i = 0; i < batches.size(); i++) {
                double loss = fitter.fit(batches.get(i));
                minibatches++;
                if ((i + 1) % SubnormalFlush.EVERY_MINIBATCHES == 0 && !fitter.flushesSubnormalState()) {
                    SubnormalFlush.optimizerState(network);
                }
                if ((i + 1) % 100 == 0) {
                    double seconds = (System.nanoTime() - start - validationNanos) / 1e9;
                    LOG.info(String.format("single JVM epoch %d/%d  minibatch %d/%d  loss %.4f  %.0f images/s", epoch,
                            epochs, i + 1, batches.size(), loss, (i + 1) * (double) batchSize / seconds));
                }
                if (validateWhen.fires(new TriggerState(epoch, i + 1 == batches.size(), minibatches, minibatches - 1,
                        false))) {
                    long validationStart = System.nanoTime();
                    Validator.Score score = validation.validator().orElseThrow().validate(network);
                    LOG.info(String.format("single JVM validation at epoch %d, minibatch %d: %s accuracy %.4f, loss %.4f",
                            epoch, i + 1, validation.dataset(), score.accuracy(), score.loss()));
                    validationNanos += System.nanoTime() - validationStart;
                }
            }
            fitNanos += System.nanoTime() - start - validationNanos;
        }
        return fitNanos;
    }
}

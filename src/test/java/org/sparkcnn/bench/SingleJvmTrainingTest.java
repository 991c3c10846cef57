package org.sparkcnn.bench;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkcnn.config.CpuKernels;
import org.sparkcnn.config.ModelConfig;
import org.sparkcnn.config.Optimizer;
import org.sparkcnn.config.ValidationConfig;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.data.MinibatchFactory;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.train.ValidationPlan;
import org.sparkcnn.train.Validator;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The single-JVM baseline measures its network when the train command's triggers say, in minibatches. */
class SingleJvmTrainingTest {
    private static final ModelConfig MODEL = new ModelConfig(7, Optimizer.ADAM, 0.002, 0.9, 0, 0.4, 1.0);
    /** 256 digits in minibatches of 32: 8 minibatches per epoch. */
    private static final LabeledImages DATA = MnistFixture.testSet().slice(0, 256);

    private static List<Long> validatedAfterMinibatches(int everyMinibatches) {
        List<Long> at = new ArrayList<>();
        Validator recording = network -> {
            at.add((long) network.getIterationCount());
            return new Validator.Score(0.5, 1);
        };
        new SingleJvmTraining(MODEL, CpuKernels.ONEDNN, 10).train(DATA, 2, 32, 8, ValidationPlan.of(
                new ValidationConfig(everyMinibatches, 0, 0), recording, ValidationPlan.TEST, 100));
        return at;
    }

    @Test
    void everyNMinibatchesAndAtTheEndOfTraining() {
        assertEquals(List.of(3L, 6L, 9L, 12L, 15L, 16L), validatedAfterMinibatches(3));
    }

    @Test
    void atEachEpochsEnd() {
        assertEquals(List.of(8L, 16L), validatedAfterMinibatches(0));
    }

    @Test
    void withoutAPlanNothingIsMeasured() {
        SingleJvmTraining.Trained trained = new SingleJvmTraining(MODEL, CpuKernels.ONEDNN, 10)
                .train(DATA, 1, 32, 8, ValidationPlan.NONE);
        assertEquals(8, trained.network().getIterationCount());
        assertTrue(trained.computeSeconds() > 0);
    }

    /** The in-JVM validation scores as DL4J's own forward pass does (the evaluator's, up to float rounding). */
    @Test
    void theInJvmValidatorAgreesWithDl4jsForwardPass() {
        MultiLayerNetwork network = new SingleJvmTraining(MODEL, CpuKernels.ONEDNN, 10)
                .train(MnistFixture.testSet().slice(0, 640), 1, 32, 20, ValidationPlan.NONE).network();
        LabeledImages held = MnistFixture.testSet().slice(2000, 500);
        Validator.Score score = new InJvmValidator(held, 10, 64).validate(network);

        DataSet all = new MinibatchFactory(10).toDataSet(held);
        INDArray probabilities = network.output(all.getFeatures(), false);
        int[] predicted = probabilities.argMax(1).toIntVector();
        int correct = 0;
        double loss = 0;
        for (int i = 0; i < held.count(); i++) {
            correct += predicted[i] == held.label(i) ? 1 : 0;
            loss -= Math.log(probabilities.getDouble(i, held.label(i)));
        }
        // 20 minibatches: measured 82% (411 of 500; chance is 10%), so the scores are not a set of near-ties
        assertTrue(correct > 250, "it learned something to score: " + correct + " of 500");
        assertEquals(correct / 500.0, score.accuracy(), 1.0 / 500, "at most one near-tie decided otherwise");
        assertEquals(loss / 500, score.loss(), 1e-4);
    }
}

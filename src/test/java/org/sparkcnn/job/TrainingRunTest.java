package org.sparkcnn.job;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sparkcnn.config.JobConfig;
import org.sparkcnn.config.JobConfigLoader;
import org.sparkcnn.data.ExecutorShards;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.eval.DistributedEvaluator;
import org.sparkcnn.eval.EvaluationResult;
import org.sparkcnn.train.EpochRecord;
import org.sparkcnn.train.TrainedModel;
import org.sparkcnn.train.ValidationPlan;
import org.sparkcnn.train.ValidationRecord;
import org.sparkcnn.train.ValidationSummary;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@link TrainingRun} measures while it trains, on real MNIST (the first 1,000 training images, 1
 * epoch, batch 32 on 2 workers on local[2]; the first 500 test images): the validation set when there is
 * one, else the caller's fallback (whose last evaluation is the trained model's), else nothing; and the
 * training shards it loaded are released afterwards.
 */
@Timeout(300)
class TrainingRunTest {
    /**
     * Measured on these images (1 epoch is 3-4 averaging rounds): 0.7500 with the fallback measured and
     * 0.7500 with nothing measured (the same training: measuring does not change it), 0.7260 on the 800
     * left when 200 are held out. Chance is 0.10.
     */
    private static final double MIN_ACCURACY = 0.65;
    private static JavaSparkContext sc;
    private static PreparedData test;
    private static JavaRDD<LabeledImages> testShards;
    private static DistributedEvaluator evaluator;

    @BeforeAll
    static void startSpark() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("TrainingRunTest")
                .set("spark.ui.enabled", "false"));
        PreparedData train = train(config(0));
        test = new DataPreparer(config(0).data(), sc.hadoopConfiguration(), 1).test(Optional.of(
                new DataPreparer.Trained(train.classes(), Optional.of(train.shape()))));
        testShards = test.shards(sc, 2, ExecutorShards.IndexFilter.ALL);
        evaluator = new DistributedEvaluator(sc, 500, train.shape().numClasses(), 0);
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    private static JobConfig config(int validationSize) {
        return JobConfigLoader.load(Optional.empty(), List.of("data.dir=" + MnistFixture.dir().toUri(),
                "data.train-limit=1000", "data.test-limit=500", "data.validation-size=" + validationSize,
                "training.epochs=1", "training.workers=2", "training.batch-size-per-worker=32"));
    }

    private static PreparedData train(JobConfig config) {
        return new DataPreparer(config.data(), sc.hadoopConfiguration(), config.model().seed()).train();
    }

    private static Optional<TrainingRun.Fallback> testSet() {
        return Optional.of(new TrainingRun.Fallback(ValidationPlan.TEST, testShards, test.used()));
    }

    /**
     * Trains on the first 1,000 training images, {@code validationSize} of them held out, and checks that
     * the shards it loaded are released.
     */
    private static TrainingRun.Result fit(int validationSize, Optional<TrainingRun.Fallback> fallback) {
        JobConfig config = config(validationSize);
        PreparedData train = train(config);
        TrainingRun.Result result = TrainingRun.fit(sc, config, train, evaluator, fallback,
                TrainingRun.Checkpoints.NONE);
        List<String> cached = new ArrayList<>();
        sc.getPersistentRDDs().values().forEach(rdd -> cached.add(rdd.name()));
        assertFalse(cached.contains("shards of " + train.name()), "no shards of the training file left: " + cached);
        assertTrue(cached.contains("shards of " + test.name()), "the caller's shards stay: " + cached);
        return result;
    }

    @Test
    void withoutAValidationSetTheFallbackIsMeasuredAndItsLastEvaluationIsTheTrainedModels() {
        TrainingRun.Result result = fit(0, testSet());

        ValidationSummary validation = result.trained().history().validation();
        assertEquals(ValidationPlan.TEST, validation.dataset());
        assertEquals(500, validation.examples());
        List<ValidationRecord> measured = validation.state().history();
        assertEquals(1, measured.size(), "1 epoch: measured once, at its end");
        EvaluationResult last = result.fallbackEvaluation().orElseThrow();
        assertEquals(500, last.examples());
        assertEquals(measured.get(0).accuracy(), last.accuracy());
        // it is the returned model's evaluation: evaluating that model again gives the same figures
        EvaluationResult again = evaluator.evaluate(result.trained().network(), testShards);
        assertEquals(again.accuracy(), last.accuracy());
        assertEquals(again.loss(), last.loss(), 1e-9);
        assertFalse(validation.bestModel(), "no best model is chosen by the test set");
        assertAccuracy("fallback measured", last.accuracy());
    }

    @Test
    void aValidationSetIsHeldOutAndMeasuredInsteadOfTheFallbackAndTheBestModelIsKept() {
        TrainingRun.Result result = fit(200, testSet());

        TrainedModel trained = result.trained();
        ValidationSummary validation = trained.history().validation();
        assertEquals(ValidationPlan.VALIDATION, validation.dataset());
        assertEquals(200, validation.examples());
        assertEquals(1, validation.state().history().size());
        assertTrue(validation.bestModel(), "with a validation set the model is the best one");
        assertEquals(800, trained.history().epochs().get(0).images(), "the 200 held out are not trained on");
        assertTrue(result.fallbackEvaluation().isEmpty(), "the test set was not measured");
        assertAccuracy("200 held out", evaluator.evaluate(trained.network(), testShards).accuracy());
    }

    @Test
    void withNeitherNothingIsMeasuredWhileTraining() {
        TrainingRun.Result result = fit(0, Optional.empty());

        ValidationSummary validation = result.trained().history().validation();
        assertEquals(ValidationPlan.NOTHING, validation.dataset());
        assertEquals(List.of(), validation.state().history(), "no measurement, not even at the end");
        assertTrue(result.fallbackEvaluation().isEmpty());
        EpochRecord epoch = result.trained().history().epochs().get(0);
        assertTrue(Double.isNaN(epoch.testAccuracy()) && Double.isNaN(epoch.validationAccuracy()), epoch.toString());
        assertTrue(Double.isFinite(epoch.meanLoss()), "the training loss is still recorded: " + epoch);
        assertAccuracy("nothing measured", evaluator.evaluate(result.trained().network(), testShards).accuracy());
    }

    private static void assertAccuracy(String run, double accuracy) {
        System.out.printf("TrainingRunTest, %s: test accuracy %.4f%n", run, accuracy);
        assertTrue(accuracy >= MIN_ACCURACY, run + ": accuracy " + accuracy);
    }
}

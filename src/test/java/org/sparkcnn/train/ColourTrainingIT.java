package org.sparkcnn.train;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sparkcnn.config.CpuKernels;
import org.sparkcnn.config.JobConfig;
import org.sparkcnn.config.JobConfigLoader;
import org.sparkcnn.config.TrainingEngine;
import org.sparkcnn.data.ColouredDigits;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.IdxDatasetReader;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.eval.DistributedEvaluator;
import org.sparkcnn.eval.EvaluationResult;
import org.sparkcnn.fit.OneDnnFitter;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Colour images of other sizes and class counts through the real distributed training path: CnnTrainer
 * with the all-reduce engine and the oneDNN training step on Spark local[2], then the distributed
 * evaluation, on MNIST digits painted in random foreground and background colours
 * ({@link ColouredDigits}: colour carries no label, only the digit's shape does). The square 32x32 RGB
 * case runs through the command line, with its report's colour pictures, in
 * {@code cli.OwnImagesIT}.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ColourTrainingIT {
    private static final int TRAIN_IMAGES = 8000;
    private static final int TEST_IMAGES = 2000;

    private static JobConfig config;
    private static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        config = JobConfigLoader.load(Optional.empty(), List.of("spark.master=local[2]",
                "spark.properties.\"spark.ui.enabled\"=false", "training.engine=allreduce",
                "training.cpu-kernels=onednn", "training.epochs=2", "training.batch-size-per-worker=32",
                "training.workers=2"));
        sc = SparkContextFactory.create(config.spark(), config.training());
    }

    @AfterAll
    static void stopSpark() {
        if (sc != null) {
            sc.stop();
        }
    }

    /**
     * Non-square RGB 32x24 (rows padded by 2, columns cropped by 2 at each blank border), five classes:
     * digits 0-4 only, 4,099 of the first 8,000 training images. Measured: 96.4% after the first epoch,
     * 97.6% after the second on their 1,052 of the first 2,000 test images; 93% leaves room for run-to-run
     * noise (averaging is not bit-reproducible).
     */
    @Test
    void fiveDigitsAsNonSquareRgbTrain() {
        DatasetShape shape = new DatasetShape(32, 24, 3, 5);
        LabeledImages digits = trainingDigits();
        LabeledImages train = ColouredDigits.rgb(digits.select(i -> digits.label(i) < 5), 32, 24, 3);
        LabeledImages testDigits = MnistFixture.testSet().slice(0, TEST_IMAGES);
        LabeledImages test = ColouredDigits.rgb(testDigits.select(i -> testDigits.label(i) < 5), 32, 24, 4);
        EvaluationResult result = trainAndEvaluate(shape, train, test);
        assertEquals(5, result.confusionMatrix().length, "a 5x5 confusion matrix");
        assertTrue(result.accuracy() >= 0.93, "accuracy " + result.accuracy());
    }

    private static LabeledImages trainingDigits() {
        return new IdxDatasetReader(new Configuration(), DatasetShape.MNIST)
                .readRange(MnistFixture.trainImages(), MnistFixture.trainLabels(), 0, TRAIN_IMAGES);
    }

    /** Trains on {@code train} with the configured engine and step, and evaluates on {@code test}. */
    private static EvaluationResult trainAndEvaluate(DatasetShape shape, LabeledImages train, LabeledImages test) {
        assertEquals(TrainingEngine.ALLREDUCE, config.training().engine());
        assertEquals(CpuKernels.ONEDNN, config.training().allReduce().cpuKernels());
        CnnTrainer trainer = new CnnTrainer(sc, config.model(), config.training(), shape);
        JavaRDD<LabeledImages> trainShards = shards(train, trainer.workers());
        JavaRDD<LabeledImages> testShards = shards(test, 2);
        DistributedEvaluator evaluator = new DistributedEvaluator(sc, 500, shape.numClasses(), 16);
        ValidationPlan plan = new ValidationPlan(Optional.of(network -> {
            EvaluationResult r = evaluator.evaluate(network, testShards);
            return new Validator.Score(r.accuracy(), r.loss());
        }), ValidationPlan.TEST, test.count(), Trigger.everyEpoch(), 0, EarlyStopping.OFF, false);
        long start = System.nanoTime();
        TrainedModel trained = trainer.fit(trainShards, train.count(), plan, Checkpointer.NONE, 0, Optional.empty());
        double seconds = (System.nanoTime() - start) / 1e9;
        // training.cpu-kernels=onednn has no fallback: the network trained is one the oneDNN step takes
        assertEquals("", OneDnnFitter.unsupportedBecause(trained.network()));
        EvaluationResult result = evaluator.evaluate(trained.network(), testShards);
        System.out.printf("%s: %d training images, %d epochs in %.1f s; test accuracy %.4f on %d images, loss %.4f%n",
                shape, train.count(), config.training().epochs(), seconds, result.accuracy(), result.examples(),
                result.loss());
        assertEquals(test.count(), result.examples());
        trainShards.unpersist(false);
        testShards.unpersist(false);
        return result;
    }

    private static JavaRDD<LabeledImages> shards(LabeledImages images, int partitions) {
        List<LabeledImages> parts = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            int from = (int) ((long) images.count() * p / partitions);
            int to = (int) ((long) images.count() * (p + 1) / partitions);
            parts.add(images.slice(from, to - from));
        }
        return sc.parallelize(parts, partitions).persist(StorageLevel.MEMORY_ONLY());
    }
}

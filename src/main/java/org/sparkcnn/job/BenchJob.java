package org.sparkcnn.job;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparkcnn.bench.BenchmarkResult;
import org.sparkcnn.bench.BenchmarkTable;
import org.sparkcnn.bench.InJvmValidator;
import org.sparkcnn.bench.PerCoreCost;
import org.sparkcnn.bench.RingBenchmark;
import org.sparkcnn.bench.SingleJvmTraining;
import org.sparkcnn.bench.TrainingClock;
import org.sparkcnn.bench.ValidationSpacing;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.config.BenchConfig;
import org.sparkcnn.config.JobConfig;
import org.sparkcnn.config.TrainingConfig;
import org.sparkcnn.config.TrainingEngine;
import org.sparkcnn.config.ValidationConfig;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.IdxDatasetReader;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.eval.DistributedEvaluator;
import org.sparkcnn.eval.EvaluationResult;
import org.sparkcnn.model.CnnArchitecture;
import org.sparkcnn.model.NativeRuntime;
import org.sparkcnn.output.RunDirectory;
import org.sparkcnn.train.Checkpointer;
import org.sparkcnn.train.CnnTrainer;
import org.sparkcnn.train.SparkCnnPlugin;
import org.sparkcnn.train.TimeSplit;
import org.sparkcnn.train.TrainedModel;
import org.sparkcnn.train.TrainingEngines;
import org.sparkcnn.train.ValidationPlan;
import org.sparkcnn.train.Validator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code sparkcnn bench}: trains the same CNN on the same data and budget several ways, side by side in
 * one run (single JVM without Spark, the all-reduce engine at several averaging frequencies, dl4j-spark's
 * parameter averaging), measures what one core can do at all ({@link PerCoreCost}), and records
 * throughput, CPU cost, where the time went, the training time each took to reach the accuracy targets
 * (measured on the test set while it trains) and the test accuracy it ended with. Writes bench.csv and
 * bench.json to output.dir.
 */
public final class BenchJob {
    private static final Logger LOG = LoggerFactory.getLogger(BenchJob.class);

    private BenchJob() {
    }

    /** @return the table, or empty when output.dir already held a complete run (nothing to do) */
    public static Optional<BenchmarkTable> run(JobConfig config) throws IOException {
        if (config.data().source().isTable()) {
            // its single-JVM cases read the training files on the driver
            throw new BadInputException("data.format: bench measures on IDX files (MNIST) only, got "
                    + config.data().source().format().name().toLowerCase(java.util.Locale.ROOT));
        }
        return SparkRun.inOutput(config, "bench", Optional.empty(), (spark, output) -> {
            BenchConfig bench = config.bench();
            DataPreparer preparer = new DataPreparer(config.data(), spark.sc.hadoopConfiguration(),
                    config.model().seed());
            PreparedData train = preparer.train();
            PreparedData test = preparer.test(Optional.empty());
            JavaRDD<LabeledImages> testShards = spark.shards(test, spark.sc.defaultParallelism());
            DistributedEvaluator evaluator = spark.evaluator(config, test);
            CnnTrainer sizing = new CnnTrainer(spark.sc, config.model(), config.training(), train.shape());
            ValidationSpacing spacing = new ValidationSpacing(bench.validationEveryRounds(), sizing.workers(),
                    config.training().averagingFrequency());
            Cases cases = new Cases(spark.sc, config, train, test.used(), testShards, evaluator, spacing);

            List<BenchmarkResult> results = new ArrayList<>();
            Optional<PerCoreCost.Fit> perCore = Optional.empty();
            if (!bench.singleJvmThreads().isEmpty() || !bench.perCoreBatchSizes().isEmpty()) {
                IdxDatasetReader reader = new IdxDatasetReader(spark.sc.hadoopConfiguration(), train.shape());
                LabeledImages data = reader.readRange(config.data().trainImages(), config.data().trainLabels(), 0,
                        train.used());
                if (!bench.perCoreBatchSizes().isEmpty()) {
                    LOG.info("Benchmark case: per-core cost at batch sizes {}", bench.perCoreBatchSizes());
                    NativeRuntime.limitThreads(1);
                    perCore = Optional.of(PerCoreCost.measure(config.training().allReduce().cpuKernels(), config.model(), data,
                            train.shape().numClasses(),
                            bench.perCoreBatchSizes(), PerCoreCost.IMAGES_PER_POINT));
                }
                // the single-JVM cases' validations run here too, on the test images read on the driver
                Optional<Validator> testSet = bench.validatesWhileTraining() && !bench.singleJvmThreads().isEmpty()
                        ? Optional.of(new InJvmValidator(reader.readRange(config.data().testImages(),
                        config.data().testLabels(), 0, test.used()), test.shape().numClasses(),
                        config.evaluation().batchSize()))
                        : Optional.empty();
                for (int threads : bench.singleJvmThreads()) {
                    results.add(cases.singleJvm(data, testSet, threads));
                }
                // local-mode executors share this JVM: give them back their own thread count
                NativeRuntime.limitThreads(SparkCnnPlugin.threadsPerTask(spark.sc.getConf()));
            }
            JavaRDD<LabeledImages> trainShards = spark.shards(train, sizing.workers());
            trainShards.count(); // loaded before any case's clock starts
            for (int frequency : bench.allreduceAveragingFrequencies()) {
                results.add(cases.spark(trainShards, TrainingEngine.ALLREDUCE, frequency));
            }
            // auto: when the jar has the engine, and not in the compute-free mode (which times the allreduce cases only)
            if (bench.runsParameterAveraging(TrainingEngines.has(TrainingEngine.PARAMETER_AVERAGING))) {
                results.add(cases.spark(trainShards, TrainingEngine.PARAMETER_AVERAGING,
                        config.training().averagingFrequency()));
            }

            List<RingBenchmark.Measurement> ring = bench.ringPeers().isEmpty() ? List.of()
                    : RingBenchmark.run(bench.ringPeers(), exchangedFloats(config), 10);
            BenchmarkTable table = new BenchmarkTable(results,
                    bench.validatesWhileTraining() ? bench.accuracyTargets() : List.of(), ring, perCore);
            String machine = Runtime.getRuntime().availableProcessors() + " cores, "
                    + ManagementFactory.getOperatingSystemMXBean().getArch() + ", Spark " + spark.sc.master()
                    + ", nd4j " + NativeRuntime.describeBackend();
            write(output, BenchmarkTable.CSV_FILE, table.csv());
            write(output, BenchmarkTable.JSON_FILE, table.json(machine, config.effective()));
            output.commit();
            LOG.info("Benchmark on {}:\n{}", machine, table.console());
            return table;
        });
    }

    /** What one all-reduce round exchanges: the parameters and, with Adam, its two moments per parameter. */
    private static int exchangedFloats(JobConfig config) {
        MultiLayerNetwork network = new MultiLayerNetwork(CnnArchitecture.build(config.model(),
                new DatasetShape(config.data().imageRows(), config.data().imageCols(), config.data().numClasses())));
        network.init();
        long state = network.getUpdater().getStateViewArray() == null ? 0 : network.getUpdater().getStateViewArray().length();
        return Math.toIntExact(network.numParams() + (config.training().averageUpdaterState() ? state : 0));
    }

    private static void write(RunDirectory output, String name, String text) throws IOException {
        try (OutputStream out = output.create(name)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * Runs one case at a time, each from a fresh model, timed the same way: on a {@link TrainingClock}, which
     * stops while the case is validated on the test set (bench.accuracy-targets, every bench.validation.every).
     *
     * @param testImages images in the test set
     */
    private record Cases(JavaSparkContext sc, JobConfig config, PreparedData train, long testImages,
                         JavaRDD<LabeledImages> testShards, DistributedEvaluator evaluator, ValidationSpacing spacing) {

        /** @param testSet the test set on the driver, when the case is validated while it trains */
        BenchmarkResult singleJvm(LabeledImages data, Optional<Validator> testSet, int threads) {
            int epochs = config.bench().epochs();
            int batch = config.training().batchSizePerWorker();
            LOG.info("Benchmark case: single JVM, {} threads, batch {}{}", threads, batch, testSet.isEmpty() ? ""
                    : describeValidation(spacing.singleJvmMinibatches(), "minibatches"));
            NativeRuntime.limitThreads(threads);
            TrainingClock clock = TrainingClock.start();
            SingleJvmTraining.Trained trained = new SingleJvmTraining(config.model(), config.training().allReduce().cpuKernels(),
                    train.shape().numClasses())
                    .train(data, epochs, batch, (data.count() + batch - 1) / batch,
                            plan(testSet.map(clock::timing), spacing.singleJvmMinibatches()));
            double wall = clock.trainingSeconds();
            return BenchmarkResult.builder()
                    .name("single JVM, " + threads + (threads == 1 ? " thread" : " threads")).engine("single-jvm")
                    .workers(1).threadsPerWorker(threads).batchSizePerWorker(batch).averagingFrequency(0)
                    .images((long) epochs * data.count()).wallSeconds(wall).cpuSeconds(clock.trainingCpuSeconds())
                    .computeSeconds(trained.computeSeconds()).averagingSeconds(0)
                    .otherSeconds(wall - trained.computeSeconds())
                    .testAccuracy(accuracy(trained.network()))
                    .validationSeconds(clock.validationSeconds()).validations(clock.validations())
                    .build();
        }

        BenchmarkResult spark(JavaRDD<LabeledImages> trainShards, TrainingEngine engine, int frequency) {
            TrainingConfig training = config.training().withEngine(engine, frequency)
                    .withEpochs(config.bench().epochs());
            int simulatedMillis = config.bench().simulatedStepMillis();
            CnnTrainer trainer = new CnnTrainer(sc, config.model(), training, train.shape(),
                    Duration.ofMillis(simulatedMillis));
            String engineName = engine.name().toLowerCase().replace('_', '-');
            String name = engineName + ", averaging every " + frequency
                    + (simulatedMillis > 0 ? ", simulated step " + simulatedMillis + " ms" : "");
            int validationRounds = spacing.roundsAveragingEvery(frequency);
            LOG.info("Benchmark case: {}{}", name, config.bench().validatesWhileTraining()
                    ? describeValidation(validationRounds, "rounds") : "");
            TrainingClock clock = TrainingClock.start();
            TrainedModel trained = trainer.fit(trainShards, train.used(),
                    plan(Optional.of(clock.timing(this::validate)), validationRounds), Checkpointer.NONE, 0,
                    Optional.empty());
            double wall = clock.trainingSeconds();
            TimeSplit split = trained.history().timeSplit().orElse(new TimeSplit(0, 0, 0, 0));
            double compute = split.computeMillis() / 1000.0;
            double averaging = split.aggregationMillis() / 1000.0;
            return BenchmarkResult.builder()
                    .name(name).engine(engineName).workers(trainer.workers())
                    .threadsPerWorker(SparkCnnPlugin.threadsPerTask(sc.getConf()))
                    .batchSizePerWorker(training.batchSizePerWorker()).averagingFrequency(frequency)
                    .images(trained.history().totalImages()).wallSeconds(wall).cpuSeconds(clock.trainingCpuSeconds())
                    .computeSeconds(compute).averagingSeconds(averaging)
                    .otherSeconds(Math.max(0, wall - compute - averaging))
                    .testAccuracy(accuracy(trained.network()))
                    .validationSeconds(clock.validationSeconds()).validations(clock.validations())
                    .build();
        }

        /**
         * How the case is measured while it trains: on the test set at the bench's spacing and at the end, or
         * (no accuracy targets) not at all, the case then being scored once, after its clock stops.
         *
         * @param everyRounds the case's own rounds (a single-JVM case's minibatches) between two validations,
         *                    0 = each epoch's end
         */
        private ValidationPlan plan(Optional<Validator> testSet, int everyRounds) {
            if (!config.bench().validatesWhileTraining() || testSet.isEmpty()) {
                return ValidationPlan.NONE;
            }
            return ValidationPlan.of(new ValidationConfig(everyRounds, 0, 0), testSet.get(), ValidationPlan.TEST,
                    testImages);
        }

        private Validator.Score validate(MultiLayerNetwork network) {
            EvaluationResult result = evaluator.evaluate(network, testShards);
            return new Validator.Score(result.accuracy(), result.loss());
        }

        private String describeValidation(int every, String unit) {
            return ", validated on the test set every " + ValidationConfig.describeEvery(every, unit)
                    + " (bench.validation.every = " + config.bench().describeValidationEvery() + ")";
        }

        private double accuracy(MultiLayerNetwork network) {
            double accuracy = evaluator.evaluate(network, testShards).accuracy();
            LOG.info(String.format("Benchmark case done: test accuracy %.4f", accuracy));
            return accuracy;
        }
    }
}

package org.sparkcnn.job;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparkcnn.bench.BenchmarkResult;
import org.sparkcnn.bench.BenchmarkTable;
import org.sparkcnn.bench.PerCoreCost;
import org.sparkcnn.bench.ProcessCpu;
import org.sparkcnn.bench.RingBenchmark;
import org.sparkcnn.bench.SingleJvmTraining;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.config.BenchConfig;
import org.sparkcnn.config.JobConfig;
import org.sparkcnn.config.TrainingConfig;
import org.sparkcnn.config.TrainingEngine;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.IdxDatasetReader;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.eval.DistributedEvaluator;
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
 * throughput, CPU cost, where the time went and the test accuracy each reached. Writes bench.csv and
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
            Cases cases = new Cases(spark.sc, config, train, testShards, evaluator);

            List<BenchmarkResult> results = new ArrayList<>();
            Optional<PerCoreCost.Fit> perCore = Optional.empty();
            if (!bench.singleJvmThreads().isEmpty() || !bench.perCoreBatchSizes().isEmpty()) {
                LabeledImages data = new IdxDatasetReader(spark.sc.hadoopConfiguration(), train.shape())
                        .readRange(config.data().trainImages(), config.data().trainLabels(), 0, train.used());
                if (!bench.perCoreBatchSizes().isEmpty()) {
                    LOG.info("Benchmark case: per-core cost at batch sizes {}", bench.perCoreBatchSizes());
                    NativeRuntime.limitThreads(1);
                    perCore = Optional.of(PerCoreCost.measure(config.training().allReduce().cpuKernels(), config.model(), data,
                            train.shape().numClasses(),
                            bench.perCoreBatchSizes(), PerCoreCost.IMAGES_PER_POINT));
                }
                for (int threads : bench.singleJvmThreads()) {
                    results.add(cases.singleJvm(data, threads));
                }
                // local-mode executors share this JVM: give them back their own thread count
                NativeRuntime.limitThreads(SparkCnnPlugin.threadsPerTask(spark.sc.getConf()));
            }
            CnnTrainer sizing = new CnnTrainer(spark.sc, config.model(), config.training(), train.shape());
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
            BenchmarkTable table = new BenchmarkTable(results, ring, perCore);
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

    /** Runs one case at a time, each from a fresh model, timed the same way. */
    private record Cases(JavaSparkContext sc, JobConfig config, PreparedData train, JavaRDD<LabeledImages> testShards,
                         DistributedEvaluator evaluator) {

        BenchmarkResult singleJvm(LabeledImages data, int threads) {
            int epochs = config.bench().epochs();
            int batch = config.training().batchSizePerWorker();
            LOG.info("Benchmark case: single JVM, {} threads, batch {}", threads, batch);
            NativeRuntime.limitThreads(threads);
            double cpu = ProcessCpu.seconds();
            long start = System.nanoTime();
            SingleJvmTraining.Trained trained = new SingleJvmTraining(config.model(), config.training().allReduce().cpuKernels(),
                    train.shape().numClasses())
                    .train(data, epochs, batch, (data.count() + batch - 1) / batch);
            double wall = (System.nanoTime() - start) / 1e9;
            double cpuSeconds = ProcessCpu.seconds() - cpu;
            return new BenchmarkResult("single JVM, " + threads + (threads == 1 ? " thread" : " threads"), "single-jvm", 1, threads, batch, 0,
                    (long) epochs * data.count(), wall, cpuSeconds, trained.computeSeconds(), 0,
                    wall - trained.computeSeconds(), accuracy(trained.network()));
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
            LOG.info("Benchmark case: {}", name);
            double cpu = ProcessCpu.seconds();
            long start = System.nanoTime();
            // scored once, on the test set, after the clock stops: nothing is measured while a case trains
            TrainedModel trained = trainer.fit(trainShards, train.used(), ValidationPlan.NONE, Checkpointer.NONE, 0,
                    Optional.empty());
            double wall = (System.nanoTime() - start) / 1e9;
            double cpuSeconds = ProcessCpu.seconds() - cpu;
            TimeSplit split = trained.history().timeSplit().orElse(new TimeSplit(0, 0, 0, 0));
            double compute = split.computeMillis() / 1000.0;
            double averaging = split.aggregationMillis() / 1000.0;
            return new BenchmarkResult(name, engineName, trainer.workers(),
                    SparkCnnPlugin.threadsPerTask(sc.getConf()), training.batchSizePerWorker(),
                    frequency, trained.history().totalImages(), wall, cpuSeconds, compute, averaging,
                    Math.max(0, wall - compute - averaging), accuracy(trained.network()));
        }

        private double accuracy(MultiLayerNetwork network) {
            double accuracy = evaluator.evaluate(network, testShards).accuracy();
            LOG.info(String.format("Benchmark case done: test accuracy %.4f", accuracy));
            return accuracy;
        }
    }
}

package org.sparkcnn.job;

import org.apache.spark.SparkContext;
import org.apache.spark.SparkExecutorInfo;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.sparkcnn.config.JobConfig;
import org.sparkcnn.data.ExecutorShards;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.eval.DistributedEvaluator;
import org.sparkcnn.model.NativeRuntime;
import org.sparkcnn.report.BuildInfo;
import org.sparkcnn.report.RunInfo;
import org.sparkcnn.train.SparkContextFactory;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The Spark side of one run: its context, identity and executor-resident datasets. Closed at the end. */
final class SparkRun implements AutoCloseable {
    private static final DateTimeFormatter RUN_ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    final JavaSparkContext sc;
    final String runId;
    final Instant start = Instant.now();
    private final String command;

    SparkRun(JobConfig config, String command) {
        this.command = command;
        this.runId = RUN_ID_TIME.format(start) + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.sc = SparkContextFactory.create(config.spark(), config.training());
    }

    /** The dataset as cached shards on the executors, one partition per worker. */
    JavaRDD<LabeledImages> shards(PreparedData data, int partitions) {
        JavaRDD<LabeledImages> shards = ExecutorShards.load(sc, sc.hadoopConfiguration(), data.images(), data.labels(),
                data.shape(), data.used(), partitions).persist(StorageLevel.MEMORY_ONLY());
        shards.setName("shards of " + data.images());
        return shards;
    }

    /** Evaluates on the executors; brings back up to 48 misclassified images for the report. */
    DistributedEvaluator evaluator(JobConfig config, PreparedData test) {
        return new DistributedEvaluator(sc, config.evaluation().batchSize(), test.shape().numClasses(), 48);
    }

    RunInfo info() {
        SparkContext context = sc.sc();
        return new RunInfo(runId, command, start, Instant.now(), context.master(), context.applicationId(),
                executors(context), NativeRuntime.describeBackend(), BuildInfo.load());
    }

    private static List<String> executors(SparkContext context) {
        List<String> executors = new ArrayList<>();
        for (SparkExecutorInfo e : context.statusTracker().getExecutorInfos()) {
            executors.add(e.host() + ":" + e.port());
        }
        return executors;
    }

    @Override
    public void close() {
        sc.close();
    }
}

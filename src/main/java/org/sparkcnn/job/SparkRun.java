package org.sparkcnn.job;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkExecutorInfo;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.sparkcnn.common.ExitCode;
import org.sparkcnn.common.QualityGate;
import org.sparkcnn.config.JobConfig;
import org.sparkcnn.data.ExecutorShards;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.eval.DistributedEvaluator;
import org.sparkcnn.model.NativeRuntime;
import org.sparkcnn.output.ModelStore;
import org.sparkcnn.output.RunDirectory;
import org.sparkcnn.report.BuildInfo;
import org.sparkcnn.report.RunInfo;
import org.sparkcnn.train.ExecutorBackend;
import org.sparkcnn.train.SparkCnnPlugin;
import org.sparkcnn.train.SparkContextFactory;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The Spark side of one run: its context, identity and executor-resident datasets. Closed at the end. */
final class SparkRun implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SparkRun.class);
    private static final DateTimeFormatter RUN_ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    final JavaSparkContext sc;
    final String runId;
    final Instant start;
    private final String command;
    /** Whether the work in output.dir ended with an exception. */
    private boolean failed;

    private SparkRun(JobConfig config, String command, String runId, Instant start) {
        this.command = command;
        this.runId = runId;
        this.start = start;
        this.sc = SparkContextFactory.create(config.spark(), config.training());
    }

    /** The Hadoop settings Spark will use (spark.hadoop.*, spark-submit's), without starting Spark. */
    static Configuration hadoopConfiguration(JobConfig config) {
        return SparkHadoopUtil.get().newConfiguration(SparkContextFactory.sparkConf(config.spark(), config.training()));
    }

    /**
     * Reads the model a job scores with back, before Spark starts and before output.dir is touched: a
     * missing or damaged model is exit 2 at once, naming its URI, not an error after the executors started.
     * The network read here is dropped: the job reads it again once Spark has set up this JVM (nd4j's
     * threads and layer helpers); a second read of a model zip costs well under a second.
     */
    static void requireReadableModel(JobConfig config, URI model) {
        ModelStore.read(hadoopConfiguration(config), model);
    }

    /** A job's work in its output folder. */
    @FunctionalInterface
    interface OutputWork<T> {
        T run(SparkRun spark, RunDirectory output) throws IOException;
    }

    /**
     * Runs {@code work} of {@code command} in output.dir, holding its lock; nothing (empty) when output.dir
     * already holds this job's finished run. Spark starts only once the lock is held and output.dir found
     * to have work to do: a refused run starts nothing. Whatever {@code work} staged without committing is
     * removed, however it ends.
     *
     * @param gate the job's quality gate, which also judges a finished run found in output.dir
     */
    static <T> Optional<T> inOutput(JobConfig config, String command, Optional<QualityGate> gate, OutputWork<T> work)
            throws IOException {
        Instant start = Instant.now();
        String runId = RUN_ID_TIME.format(start) + "-" + UUID.randomUUID().toString().substring(0, 8);
        try (OutputClaim claim = OutputClaim.take(config, command, runId, gate)) {
            if (claim.output().isEmpty()) {
                return Optional.empty();
            }
            RunDirectory output = claim.output().get();
            try (SparkRun spark = new SparkRun(config, command, runId, start)) {
                try {
                    return Optional.of(work.run(spark, output));
                } catch (IOException | RuntimeException | Error e) {
                    spark.failed = true;
                    throw e;
                }
            } finally {
                output.abort();
            }
        }
    }

    /** The dataset as cached shards on the executors, one partition per worker: {@link PreparedData#shards}. */
    JavaRDD<LabeledImages> shards(PreparedData data, int partitions) {
        return data.shards(sc, partitions, ExecutorShards.IndexFilter.ALL);
    }

    /** Evaluates on the executors; brings back up to 48 misclassified images for the report. */
    DistributedEvaluator evaluator(JobConfig config, PreparedData test) {
        return new DistributedEvaluator(sc, config.evaluation().batchSize(), test.shape().numClasses(), 48);
    }

    RunInfo info() {
        SparkContext context = sc.sc();
        return new RunInfo(runId, command, start, Instant.now(), context.master(), context.applicationId(),
                executors(context), NativeRuntime.describeBackend(), BuildInfo.load(), SparkCnnPlugin.reportedDevices());
    }

    /**
     * Executors with their backend, as they reported it through the sparkcnn plugin; executors known to
     * Spark that did not report (plugin disabled by the user) are listed with an unknown backend.
     */
    private static List<ExecutorBackend> executors(SparkContext context) {
        List<ExecutorBackend> reported = SparkCnnPlugin.reportedExecutors();
        if (!reported.isEmpty()) {
            return reported;
        }
        List<ExecutorBackend> known = new ArrayList<>();
        for (SparkExecutorInfo e : context.statusTracker().getExecutorInfos()) {
            known.add(new ExecutorBackend("?", e.host() + ":" + e.port(), "unknown"));
        }
        return known;
    }

    /**
     * Stops Spark with the run's outcome: on YARN in client deploy mode the application master reports
     * the application's final status from it (a plain stop() reads as SUCCEEDED even when the job
     * failed, which a scheduler watching YARN would take for success).
     */
    @Override
    public void close() {
        sc.sc().stop(failed ? ExitCode.FAILURE : ExitCode.OK);
    }
}

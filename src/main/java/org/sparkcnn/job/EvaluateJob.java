package org.sparkcnn.job;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.config.JobConfig;
import org.sparkcnn.eval.DistributedEvaluator;
import org.sparkcnn.eval.EvaluationResult;
import org.sparkcnn.output.AtomicOutputDir;
import org.sparkcnn.output.ModelStore;
import org.sparkcnn.report.RunReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.util.Optional;

/** {@code sparkcnn evaluate}: score a saved model on the test set and write its metrics, without training. */
public final class EvaluateJob {
    private static final Logger LOG = LoggerFactory.getLogger(EvaluateJob.class);

    private EvaluateJob() {
    }

    public static RunReport run(JobConfig config) throws IOException {
        URI model = config.evaluation().model().orElseThrow(
                () -> new BadInputException("evaluation.model: must name the model to evaluate (evaluate --model URI)"));
        try (SparkRun spark = new SparkRun(config, "evaluate")) {
            MultiLayerNetwork network = ModelStore.read(spark.sc.hadoopConfiguration(), model);
            AtomicOutputDir output = AtomicOutputDir.begin(spark.sc.hadoopConfiguration(), config.output().dir(),
                    config.output().overwrite(), spark.runId);
            try {
                PreparedData test = new DataPreparer(config.data(), spark.sc.hadoopConfiguration()).test();
                EvaluationResult evaluation = new DistributedEvaluator(spark.sc, config.evaluation().batchSize(),
                        test.shape().numClasses()).evaluate(network, spark.shards(test, spark.sc.defaultParallelism()));
                LOG.info(String.format("Test accuracy %.4f, loss %.4f on %d images", evaluation.accuracy(),
                        evaluation.loss(), evaluation.examples()));
                RunReport report = new RunReport(spark.info(), config.effective(), Optional.empty(), test.summary(),
                        Optional.empty(), evaluation);
                ResultWriter.write(output, Optional.empty(), report);
                return report;
            } finally {
                output.abort();
            }
        }
    }
}

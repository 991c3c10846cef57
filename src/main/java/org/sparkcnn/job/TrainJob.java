package org.sparkcnn.job;

import org.apache.spark.api.java.JavaRDD;
import org.sparkcnn.config.JobConfig;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.eval.DistributedEvaluator;
import org.sparkcnn.eval.EvaluationResult;
import org.sparkcnn.output.AtomicOutputDir;
import org.sparkcnn.report.RunReport;
import org.sparkcnn.train.CnnTrainer;
import org.sparkcnn.train.TrainedModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Optional;

/** {@code sparkcnn train}: validate data, train on the executors, evaluate, write model and metrics. */
public final class TrainJob {
    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

    private TrainJob() {
    }

    public static RunReport run(JobConfig config) throws IOException {
        try (SparkRun spark = new SparkRun(config, "train")) {
            AtomicOutputDir output = AtomicOutputDir.begin(spark.sc.hadoopConfiguration(), config.output().dir(),
                    config.output().overwrite(), spark.runId);
            try {
                DataPreparer preparer = new DataPreparer(config.data(), spark.sc.hadoopConfiguration());
                PreparedData train = preparer.train();
                PreparedData test = preparer.test();

                CnnTrainer trainer = new CnnTrainer(spark.sc, config.model(), config.training(), train.shape());
                JavaRDD<LabeledImages> trainShards = spark.shards(train, trainer.workers());
                TrainedModel trained = trainer.fit(trainShards, train.used());
                trainShards.unpersist(false);

                JavaRDD<LabeledImages> testShards = spark.shards(test, spark.sc.defaultParallelism());
                EvaluationResult evaluation = new DistributedEvaluator(spark.sc, config.evaluation().batchSize(),
                        test.shape().numClasses()).evaluate(trained.network(), testShards);
                LOG.info(String.format("Test accuracy %.4f, loss %.4f on %d images", evaluation.accuracy(),
                        evaluation.loss(), evaluation.examples()));

                RunReport report = new RunReport(spark.info(), config.effective(), Optional.of(train.summary()),
                        test.summary(), Optional.of(trained.history()), evaluation);
                ResultWriter.write(output, Optional.of(trained.network()), report);
                return report;
            } finally {
                output.abort();
            }
        }
    }
}

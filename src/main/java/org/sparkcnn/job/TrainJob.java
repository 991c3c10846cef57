package org.sparkcnn.job;

import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparkcnn.checkpoint.Checkpoint;
import org.sparkcnn.checkpoint.CheckpointManager;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.common.QualityGate;
import org.sparkcnn.config.JobConfig;
import org.sparkcnn.config.OutputConfig;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.eval.DistributedEvaluator;
import org.sparkcnn.eval.EvaluationResult;
import org.sparkcnn.report.RunReport;
import org.sparkcnn.report.pictures.Picture;
import org.sparkcnn.report.pictures.ReportPictures;
import org.sparkcnn.train.ResumePoint;
import org.sparkcnn.train.TrainedModel;
import org.sparkcnn.train.ValidationPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * {@code sparkcnn train}: validate data, train on the executors (checkpointing, resuming an interrupted
 * run), evaluate, write model and report, then apply the quality gate.
 */
public final class TrainJob {
    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

    private TrainJob() {
    }

    /** @return the report, or empty when output.dir already held a complete run (nothing to do) */
    public static Optional<RunReport> run(JobConfig config) throws IOException {
        if (config.bench().simulatedStepMillis() > 0) {
            throw new BadInputException("bench.simulated-step-millis = " + config.bench().simulatedStepMillis()
                    + ": the bench's compute-free mode (workers wait instead of training); train refuses it: set it to 0");
        }
        QualityGate gate = new QualityGate(config.evaluation().minAccuracy());
        return SparkRun.inOutput(config, "train", Optional.of(gate), (spark, output) -> {
            DataPreparer preparer = new DataPreparer(config.data(), spark.sc.hadoopConfiguration(),
                    config.model().seed());
            PreparedData train = preparer.train();
            PreparedData test = preparer.test(Optional.of(new DataPreparer.Trained(train.classes(),
                    Optional.of(train.shape()))));

            CheckpointManager checkpoints = new CheckpointManager(output.fileSystem(), output.checkpointsDir(),
                    config.checkpoint().keep(), output.settings());
            Optional<ResumePoint> resume = Optional.empty();
            if (config.output().onIncomplete() == OutputConfig.OnIncomplete.RESUME) {
                checkpoints.removeLeftovers();
                resume = checkpoints.newestValid().map(Checkpoint::toResumePoint);
                resume.ifPresent(r -> requireEpochsNotPassed(r, config.training().epochs()));
            }

            JavaRDD<LabeledImages> testShards = spark.shards(test, spark.sc.defaultParallelism());
            DistributedEvaluator evaluator = spark.evaluator(config, test);
            // without a validation set the model is measured on the test set; the validation set is held out
            // of the training file, so the test set stays untouched
            TrainingRun.Result run = TrainingRun.fit(spark.sc, config, train, evaluator,
                    Optional.of(new TrainingRun.Fallback(ValidationPlan.TEST, testShards, test.used())),
                    new TrainingRun.Checkpoints(checkpoints, config.checkpoint().everyRounds(), resume));
            TrainedModel trained = run.trained();
            MultiLayerNetwork network = trained.network();
            // with a validation set, or resumed after the last epoch: the test set is evaluated once, here
            EvaluationResult evaluation = run.fallbackEvaluation()
                    .orElseGet(() -> evaluator.evaluate(network, testShards));
            LOG.info(String.format("Test accuracy %.4f, loss %.4f on %d images", evaluation.accuracy(),
                    evaluation.loss(), evaluation.examples()));

            List<Picture> pictures = ReportPictures.draw(network, Optional.of(trained.history()), evaluation,
                    testShards.first(), train.classes().names());
            RunReport report = new RunReport(spark.info(), config.effective(), Optional.of(train.summary()),
                    test.summary(), Optional.of(trained.history()), evaluation,
                    pictures.stream().map(Picture::fileName).toList(), gate.judge(evaluation.accuracy()),
                    train.classes().names());
            ResultWriter.write(output, Optional.of(network), report, pictures);
            report.gate().throwIfFailed();
            return report;
        });
    }

    /**
     * Raising training.epochs extends a run; lowering it below what a checkpoint already trained cannot
     * be honoured (the checkpoint's model is trained further than asked).
     */
    private static void requireEpochsNotPassed(ResumePoint resume, int epochs) {
        int epoch = resume.position().epoch();
        boolean passed = epoch > epochs + 1 || (epoch == epochs + 1 && resume.position().segmentsDone() > 0);
        if (passed) {
            throw new BadInputException("training.epochs " + epochs + ": the checkpoint " + resume.source()
                    + " has already trained into epoch " + (resume.position().segmentsDone() > 0 ? epoch : epoch - 1)
                    + "; set training.epochs to at least that, or output.on-incomplete=clean to start over");
        }
    }
}

package org.sparkcnn.job;

import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.common.QualityGate;
import org.sparkcnn.config.JobConfig;
import org.sparkcnn.data.ClassNames;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.eval.EvaluationResult;
import org.sparkcnn.model.CnnArchitecture;
import org.sparkcnn.output.ModelStore;
import org.sparkcnn.report.RunReport;
import org.sparkcnn.report.pictures.Picture;
import org.sparkcnn.report.pictures.ReportPictures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/** {@code sparkcnn evaluate}: score a saved model on the test set and write its report, without training. */
public final class EvaluateJob {
    private static final Logger LOG = LoggerFactory.getLogger(EvaluateJob.class);

    private EvaluateJob() {
    }

    /** @return the report, or empty when output.dir already held a complete run (nothing to do) */
    public static Optional<RunReport> run(JobConfig config) throws IOException {
        URI model = config.evaluation().model().orElseThrow(
                () -> new BadInputException("evaluation.model: must name the model to evaluate (evaluate --model URI)"));
        QualityGate gate = new QualityGate(config.evaluation().minAccuracy());
        SparkRun.requireReadableModel(config, model);
        return SparkRun.inOutput(config, "evaluate", Optional.of(gate), (spark, output) -> {
            MultiLayerNetwork network = ModelStore.read(spark.sc.hadoopConfiguration(), model);
            ClassNames classes = ModelStore.readClassNames(spark.sc.hadoopConfiguration(), model)
                    .map(ClassNames::new).orElseGet(() -> ClassNames.numbered(outputs(network)));
            PreparedData test = new DataPreparer(config.data(), spark.sc.hadoopConfiguration(), config.model().seed())
                    .test(Optional.of(new DataPreparer.Trained(classes, Optional.empty())));
            CnnArchitecture.requireFits(network, test.shape(), model.toString());
            JavaRDD<LabeledImages> testShards = spark.shards(test, spark.sc.defaultParallelism());
            EvaluationResult evaluation = spark.evaluator(config, test).evaluate(network, testShards);
            LOG.info(String.format("Test accuracy %.4f, loss %.4f on %d images", evaluation.accuracy(),
                    evaluation.loss(), evaluation.examples()));
            List<Picture> pictures = ReportPictures.draw(network, Optional.empty(), evaluation, testShards.first(),
                    classes.names());
            RunReport report = new RunReport(spark.info(), config.effective(), Optional.empty(), test.summary(),
                    Optional.empty(), evaluation, pictures.stream().map(Picture::fileName).toList(),
                    gate.judge(evaluation.accuracy()), classes.names());
            ResultWriter.write(output, Optional.empty(), report, pictures);
            report.gate().throwIfFailed();
            return report;
        });
    }

    /** The classes the model tells apart: its output layer's width. */
    private static int outputs(MultiLayerNetwork network) {
        return (int) network.getOutputLayer().getParam("b").length();
    }
}

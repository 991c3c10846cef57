package org.sparkcnn.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.config.JobConfig;
import org.sparkcnn.config.PredictConfig;
import org.sparkcnn.data.ClassNames;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.model.CnnArchitecture;
import org.sparkcnn.output.RunDirectory;
import org.sparkcnn.output.ModelStore;
import org.sparkcnn.predict.CnnClassificationModel;
import org.sparkcnn.predict.Predictions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * {@code sparkcnn predict}: score images with a saved model on the executors and write Parquet (id,
 * [label,] prediction, probability) to output.dir, plus {@value #SUMMARY}, then {@code _SUCCESS}.
 */
public final class PredictJob {
    /** Starts with '_' so that Spark's Parquet reader skips it when reading the output folder. */
    public static final String SUMMARY = "_summary.json";
    private static final Logger LOG = LoggerFactory.getLogger(PredictJob.class);

    private PredictJob() {
    }

    /** What a predict run did. */
    public record Summary(long images, double seconds, double imagesPerSecond, OptionalDouble accuracy) {
    }

    /** @return what the run did, or empty when output.dir already held a complete run (nothing to do) */
    public static Optional<Summary> run(JobConfig config) throws IOException {
        PredictConfig predict = config.predict();
        URI modelUri = predict.model().orElseThrow(
                () -> new BadInputException("predict.model: must name the model to score with (predict --model URI)"));
        SparkRun.requireReadableModel(config, modelUri);
        return SparkRun.inOutput(config, "predict", Optional.empty(), (spark, output) -> {
            MultiLayerNetwork network = ModelStore.read(spark.sc.hadoopConfiguration(), modelUri);
            // the images' size, colour and classes are the model's: the data.* settings describe training data
            DatasetShape shape = CnnArchitecture.shapeOf(network, modelUri.toString());
            if (predict.format() == PredictConfig.InputFormat.IDX && shape.channels() != 1) {
                throw new BadInputException("predict.format=idx: IDX files hold grey images, the model " + modelUri
                        + " takes " + CnnArchitecture.describe(shape) + " images (score them as parquet or images)");
            }
            List<String> classNames = ModelStore.readClassNames(spark.sc.hadoopConfiguration(), modelUri)
                    .orElseGet(() -> ClassNames.numbered(shape.numClasses()).names());
            CnnClassificationModel model = CnnClassificationModel.of(network, shape, classNames, modelUri.toString())
                    .setBatchSize(predict.batchSize()).setResize(predict.resize());
            SparkSession session = SparkSession.builder().getOrCreate();
            // sparkcnn writes _SUCCESS itself, last, after the folder is in place
            spark.sc.hadoopConfiguration().set("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false");
            Dataset<Row> input = Predictions.inputs(session, shape, predict);
            long start = System.nanoTime();
            Dataset<Row> scored = Predictions.score(model, input).persist(StorageLevel.MEMORY_AND_DISK());
            scored.write().mode(SaveMode.Overwrite).parquet(output.workingDir().toString());
            double seconds = (System.nanoTime() - start) / 1e9;
            long images = scored.count();
            Summary summary = new Summary(images, seconds, images / Math.max(seconds, 1e-9),
                    Predictions.accuracy(scored));
            scored.unpersist();
            writeSummary(output, summary, modelUri, predict);
            output.commit();
            LOG.info(String.format("Scored %d images in %.1f s (%.0f images/s)%s", summary.images(),
                    summary.seconds(), summary.imagesPerSecond(), summary.accuracy().isPresent()
                            ? String.format(", accuracy %.4f", summary.accuracy().getAsDouble()) : ""));
            return summary;
        });
    }

    private static void writeSummary(RunDirectory output, Summary summary, URI model, PredictConfig predict)
            throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode node = json.createObjectNode();
        node.put("model", model.toString());
        node.put("input", predict.input().map(URI::toString).orElse(""));
        node.put("format", predict.format().name().toLowerCase());
        node.put("images", summary.images());
        node.put("seconds", summary.seconds());
        node.put("imagesPerSecond", summary.imagesPerSecond());
        if (summary.accuracy().isPresent()) {
            node.put("accuracy", summary.accuracy().getAsDouble());
        }
        try (FSDataOutputStream out = output.create(SUMMARY)) {
            json.writeValue((java.io.OutputStream) out, node);
        }
    }
}

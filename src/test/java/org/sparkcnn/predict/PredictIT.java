package org.sparkcnn.predict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.cli.SparkCnn;
import org.sparkcnn.config.AllReduceSettings;
import org.sparkcnn.config.CpuKernels;
import org.sparkcnn.config.ParameterAveragingSettings;
import org.sparkcnn.config.SparkSettings;
import org.sparkcnn.config.TrainingConfig;
import org.sparkcnn.config.TrainingEngine;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.output.RunDirectory;
import org.sparkcnn.output.ModelStore;
import org.sparkcnn.train.SparkContextFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batch inference: the predict command on IDX, Parquet and PNG-folder inputs, the Spark ML model in a
 * Pipeline with save/load, and bad input. Trains its own small model first (real MNIST, Spark local[2]).
 */
// a hang fails the test that hung, by name; each prediction takes seconds (the training is in
// @BeforeAll, bounded by failsafe's lifecycle default)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class PredictIT {
    /** 6,000 images, one epoch, batch 64 on 2 workers: measured ~94-95%; 90% still fails a model that did not learn. */
    private static final double MIN_ACCURACY = 0.90;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;
    private static Path run;
    private static double evaluatedAccuracy;

    @BeforeAll
    static void trainAModel() throws IOException {
        run = work.resolve("train");
        int code = SparkCnn.execute("train", "data.dir=" + MnistFixture.dir(), "data.train-limit=6000",
                "training.epochs=1", "training.batch-size-per-worker=64", "spark.master=local[2]",
                "spark.properties.\"spark.ui.enabled\"=false", "output.dir=" + run);
        assertEquals(0, code);
        evaluatedAccuracy = JSON.readTree(run.resolve("report.json").toFile()).at("/evaluation/accuracy").asDouble();
        assertTrue(evaluatedAccuracy >= MIN_ACCURACY, "test accuracy " + evaluatedAccuracy);
    }

    private static int predict(String output, String... args) {
        return predictWith(run, output, args);
    }

    private static int predictWith(Path model, String output, String... args) {
        return SparkCnn.execute(predictArgs(model, output, args));
    }

    private static String[] predictArgs(Path model, String output, String... args) {
        List<String> all = new ArrayList<>(List.of("predict", "--model", model.toString(), "data.dir=" + MnistFixture.dir(),
                "spark.master=local[2]", "spark.properties.\"spark.ui.enabled\"=false", "output.dir=" + work.resolve(output)));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    /** Runs {@code body} with a SparkSession, stopped afterwards: the CLI runs need the JVM's only SparkContext. */
    private static <T> T withSession(java.util.function.Function<SparkSession, T> body) {
        SparkContextFactory.create(new SparkSettings(Optional.of("local[2]"), "predict-it",
                Map.of("spark.ui.enabled", "false")), TrainingConfig.builder().engine(TrainingEngine.ALLREDUCE)
                .epochs(1).batchSizePerWorker(64).averagingFrequency(5).workers(0).averageUpdaterState(true)
                .threadsPerTask(0).logEveryRounds(10).logProbabilitiesEveryRounds(0)
                .allReduce(new AllReduceSettings(600, CpuKernels.ONEDNN))
                .parameterAveraging(new ParameterAveragingSettings(0)).build());
        SparkSession session = SparkSession.builder().getOrCreate();
        try {
            return body.apply(session);
        } finally {
            session.stop();
        }
    }

    private static Map<Long, Double> predictionsById(Dataset<Row> predictions) {
        Map<Long, Double> byId = new HashMap<>();
        for (Row row : predictions.select("id", "prediction").collectAsList()) {
            byId.put(((Number) row.get(0)).longValue(), row.getDouble(1));
        }
        return byId;
    }

    @Test
    void predictOnTheIdxTestSetAgreesWithTheEvaluation() throws IOException {
        assertEquals(0, predict("idx", "--input", MnistFixture.file(MnistFixture.TEST_IMAGES).toString(),
                "predict.labels=" + MnistFixture.file(MnistFixture.TEST_LABELS)));
        Path out = work.resolve("idx");
        assertTrue(Files.exists(out.resolve(RunDirectory.SUCCESS)));
        JsonNode summary = JSON.readTree(out.resolve("_summary.json").toFile());
        assertEquals(10_000, summary.get("images").asLong());
        assertEquals(evaluatedAccuracy, summary.get("accuracy").asDouble(), 1e-12);

        // the Parquet output itself: one row per image, probabilities that sum to 1, the same accuracy
        List<Row> predictions = withSession(s -> {
            Dataset<Row> parquet = s.read().parquet(out.toString());
            assertEquals(List.of("id", "label", "prediction", "predicted_label", "probability"),
                    Arrays.asList(parquet.columns()));
            return parquet.collectAsList();
        });
        assertEquals(10_000, predictions.size());
        long correct = 0;
        for (Row row : predictions) {
            double[] p = ((Vector) row.getAs("probability")).toArray();
            assertEquals(10, p.length);
            assertEquals(1.0, Arrays.stream(p).sum(), 1e-4);
            correct += row.getInt(1) == (int) row.getDouble(2) ? 1 : 0;
            // IDX classes are named by their numbers
            assertEquals(String.valueOf((int) row.getDouble(2)), row.getAs("predicted_label"));
        }
        assertEquals(evaluatedAccuracy, correct / 10_000.0, 1e-12);
    }

    @Test
    void pngFolderAndParquetInputsGiveTheSamePredictionsAsIdx() throws IOException {
        LabeledImages first = MnistFixture.testSet().slice(0, 40);
        Path pngs = Files.createDirectories(work.resolve("pngs"));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < first.count(); i++) {
            BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            List<Double> values = new ArrayList<>();
            for (int p = 0; p < 784; p++) {
                int v = first.pixels()[i * 784 + p] & 0xff;
                image.getRaster().setSample(p % 28, p / 28, 0, v);
                values.add((double) v);
            }
            ImageIO.write(image, "png", pngs.resolve(String.format("digit-%02d.png", i)).toFile());
            rows.add(RowFactory.create((long) i, values));
        }
        withSession(s -> {
            s.createDataFrame(rows, new StructType().add("id", DataTypes.LongType)
                            .add("pixels", DataTypes.createArrayType(DataTypes.DoubleType)))
                    .write().parquet(work.resolve("pixels.parquet").toString());
            return null;
        });

        assertEquals(0, predict("idx-unlabelled", "--input", MnistFixture.file(MnistFixture.TEST_IMAGES).toString()));
        assertEquals(0, predict("png", "--input", pngs.toString(), "--format", "images"));
        assertEquals(0, predict("parquet", "--input", work.resolve("pixels.parquet").toString(), "--format",
                "parquet", "predict.features-col=pixels"));
        Map<Long, Double> idx = withSession(s -> predictionsById(s.read().parquet(work.resolve("idx-unlabelled").toString())));
        List<Row> fromPng = withSession(s -> s.read().parquet(work.resolve("png").toString())
                .select("id", "prediction").collectAsList());
        Map<Long, Double> fromParquet = withSession(s -> predictionsById(s.read().parquet(work.resolve("parquet").toString())));

        assertEquals(10_000, idx.size());
        assertEquals(40, fromPng.size());
        for (Row row : fromPng) {
            String path = row.getString(0);
            long index = Long.parseLong(path.substring(path.lastIndexOf('-') + 1, path.lastIndexOf('.')));
            assertEquals(idx.get(index), row.getDouble(1), "PNG " + path);
        }

        assertEquals(40, fromParquet.size());
        fromParquet.forEach((id, prediction) -> assertEquals(idx.get(id), prediction, "row " + id));
    }

    @Test
    void theModelWorksInAPipelineAndSurvivesSaveAndLoad() throws IOException {
        CnnClassificationModel model = CnnClassificationModel.of(ModelStore.read(new Configuration(), run.toUri()),
                DatasetShape.MNIST, run.toString()).setFeaturesCol("image").setPredictionCol("digit");
        LabeledImages first = MnistFixture.testSet().slice(0, 64);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < first.count(); i++) {
            rows.add(RowFactory.create((long) i, first.label(i), Arrays.copyOfRange(first.pixels(), i * 784, (i + 1) * 784)));
        }
        String saved = work.resolve("pipeline").toString();
        List<List<Row>> results = withSession(s -> {
            Dataset<Row> images = s.createDataFrame(rows, new StructType().add("id", DataTypes.LongType)
                    .add("label", DataTypes.IntegerType).add("image", DataTypes.BinaryType));
            PipelineModel pipeline = new Pipeline().setStages(new PipelineStage[]{model}).fit(images);
            List<Row> beforeSave = pipeline.transform(images).select("id", "digit", "probability").orderBy("id")
                    .collectAsList();
            try {
                pipeline.write().overwrite().save(saved);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            PipelineModel loaded = PipelineModel.load(saved);
            CnnClassificationModel stage = (CnnClassificationModel) loaded.stages()[0];
            assertEquals("image", stage.getOrDefault(stage.featuresCol()));
            assertEquals(model.uid(), stage.uid());
            return List.of(beforeSave, loaded.transform(images).select("id", "digit", "probability").orderBy("id")
                    .collectAsList());
        });
        List<Row> after = results.get(1);
        assertEquals(results.get(0), after);
        long correct = after.stream().filter(r -> r.getDouble(1) == first.label((int) r.getLong(0))).count();
        assertTrue(correct >= 0.9 * 64, correct + " of 64 correct");
    }

    @Test
    void badInputIsExitCode2AndWritesNothing() throws IOException {
        Path big = Files.createDirectories(work.resolve("big-pngs"));
        ImageIO.write(new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY), "png", big.resolve("a.png").toFile());
        assertEquals(2, predict("bad-size", "--input", big.toString(), "--format", "images"));

        withSession(s -> {
            s.createDataFrame(List.of(RowFactory.create(1L, "not an image")), new StructType()
                    .add("id", DataTypes.LongType).add("features", DataTypes.StringType))
                    .write().parquet(work.resolve("strings.parquet").toString());
            return null;
        });
        assertEquals(2, predict("bad-column", "--input", work.resolve("strings.parquet").toString(), "--format",
                "parquet"));
        assertEquals(2, predictWith(work.resolve("no-such-model"), "bad-model", "--input",
                MnistFixture.file(MnistFixture.TEST_IMAGES).toString()));
        assertEquals(2, predict("bad-input", "--input", work.resolve("nothing-here").toString()));
        assertEquals(2, predict("bad-format", "--input", big.toString(), "--format", "tiff"));
        for (String name : List.of("bad-size", "bad-column", "bad-model", "bad-input", "bad-format")) {
            assertFalse(Files.exists(work.resolve(name)), name + " must not be written");
        }
        try (var left = Files.list(work)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith("_temporary")), "no temporary folders");
        }
    }
}

package org.sparkcnn.ml;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.data.ImageTableFixture;
import org.sparkcnn.data.LabeledImages;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparkcnn.config.JobConfigLoader;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.model.CnnArchitecture;
import org.sparkcnn.output.ModelStore;
import org.sparkcnn.predict.CnnClassificationModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CnnClassifier} on real MNIST: the first 3,000 training images as PNGs with string labels
 * "zero".."nine", 1 epoch, 2 workers on local[2], scored on the first 1,000 test images. In a Pipeline after
 * StringIndexer (the README's example, run here as it is written there), with raw string labels, saved and
 * loaded (the same predictions), and its bad params found before training.
 */
@Timeout(300)
class CnnClassifierTest {
    /**
     * Measured on these 3,000 / 1,000 images, 1 epoch of batch 32 per worker: 0.9170 (the Pipeline, seed
     * 12345) and 0.9340 (string labels, seed 7); batch 128 reached only 0.80-0.86 (12 steps per worker).
     */
    private static final double MIN_ACCURACY = 0.90;
    private static SparkSession spark;
    private static Dataset<Row> train;
    private static Dataset<Row> test;
    @TempDir
    static Path dir;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("CnnClassifierTest")
                .config("spark.ui.enabled", "false").getOrCreate();
        train = digits(ImageTableFixture.mnist(true, 3_000));
        test = digits(ImageTableFixture.mnist(false, 1_000));
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
    }

    /** (id, image: grey PNG bytes, digit: "zero".."nine"), cached: each test reads it several times. */
    private static Dataset<Row> digits(LabeledImages images) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < images.count(); i++) {
            rows.add(RowFactory.create((long) i, ImageTableFixture.greyPng(images, i),
                    ImageTableFixture.NAMES.get(images.labels()[i])));
        }
        StructType schema = new StructType().add("id", DataTypes.LongType).add("image", DataTypes.BinaryType)
                .add("digit", DataTypes.StringType);
        return spark.createDataFrame(rows, schema).repartition(2).cache();
    }

    /** What the README's example made: the fitted pipeline, and the predictions of its saved and loaded copy. */
    private record Example(PipelineModel model, Dataset<Row> predictions) {
    }

    /** The README's "Spark ML (Estimator)" example, verbatim between the markers (readmeShowsThisExample). */
    private static Example readmeExample(Dataset<Row> train, Dataset<Row> test, String path) throws IOException {
        // README:begin
        StringIndexer indexer = new StringIndexer().setInputCol("digit").setOutputCol("label");
        CnnClassifier cnn = new CnnClassifier().setFeaturesCol("image").setLabelCol("label")
                .setEpochs(1).setWorkers(2).setBatchSizePerWorker(32);
        PipelineModel model = new Pipeline().setStages(new PipelineStage[]{indexer, cnn}).fit(train);
        model.write().overwrite().save(path);

        Dataset<Row> predictions = PipelineModel.load(path).transform(test);
        predictions.select("id", "digit", "prediction", "probability").show(5);
        // README:end
        return new Example(model, predictions);
    }

    @Test
    void inAPipelineAfterStringIndexerItTrainsAndRoundTripsThroughSaveAndLoad() throws IOException {
        String path = dir.resolve("pipeline").toString();
        long start = System.nanoTime();
        Example example = readmeExample(train, test, path);
        Dataset<Row> loaded = example.predictions().cache();
        double accuracy = accuracy(loaded.where(loaded.col("prediction").equalTo(loaded.col("label"))), loaded);
        System.out.printf("Pipeline(StringIndexer, CnnClassifier): accuracy %.4f on %d held-out images, %.1f s%n",
                accuracy, loaded.count(), (System.nanoTime() - start) / 1e9);
        assertTrue(accuracy >= MIN_ACCURACY, "accuracy " + accuracy);

        // the pipeline as fitted, before save: the same predictions and probabilities as the loaded one
        CnnClassificationModel cnn = (CnnClassificationModel) example.model().stages()[1];
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), cnn.classNames(),
                "StringIndexer's indices are the classes");
        assertEquals(predictions(example.model().transform(test)), predictions(loaded));
    }

    @Test
    void rawStringLabelsTrainAModelThatKeepsTheClassNamesAndSavesAndLoads() {
        CnnClassificationModel model = new CnnClassifier().setFeaturesCol("image").setLabelCol("digit")
                .setEpochs(1).setWorkers(2).setBatchSizePerWorker(32).setSeed(7).fit(train);
        List<String> sorted = ImageTableFixture.NAMES.stream().sorted().toList();
        assertEquals(sorted, model.classNames(), "the classes are the names, sorted as strings");
        Dataset<Row> scored = model.transform(test).cache();
        Dataset<Row> named = scored.withColumn("name", functions.element_at(functions.array(sorted.stream()
                .map(functions::lit).toArray(org.apache.spark.sql.Column[]::new)),
                scored.col("prediction").cast("int").plus(1)));
        double accuracy = accuracy(named.where(named.col("name").equalTo(named.col("digit"))), named);
        System.out.printf("CnnClassifier on string labels: accuracy %.4f%n", accuracy);
        assertTrue(accuracy >= MIN_ACCURACY, "accuracy " + accuracy);

        CnnClassificationModel loaded = MlReadWriteTest.testReadWrite(model, dir);
        assertEquals(model.classNames(), loaded.classNames());
        assertEquals(predictions(scored), predictions(loaded.transform(test)));
    }

    @Test
    void theEstimatorsParamsSaveAndLoad() {
        CnnClassifier classifier = new CnnClassifier().setFeaturesCol("image").setLabelCol("digit").setEpochs(3)
                .setLearningRate(0.01).setSeed(99).setValidationSize(500);
        CnnClassifier loaded = MlReadWriteTest.testReadWrite(classifier, dir);
        assertEquals(3, loaded.getOrDefault(loaded.epochs()));
        assertEquals(128, loaded.getOrDefault(loaded.batchSizePerWorker()), "reference.conf's default");

        // an unfitted Pipeline finds the stage's class and reader through the same metadata
        String path = dir.resolve("unfitted-pipeline").toString();
        try {
            new Pipeline().setStages(new PipelineStage[]{classifier}).write().save(path);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        CnnClassifier stage = (CnnClassifier) Pipeline.load(path).getStages()[0];
        assertEquals(classifier.extractParamMap().toString(), stage.extractParamMap().toString());
    }

    @Test
    void badParamsAndColumnsFailWithOneLineBeforeTraining() {
        assertFailure("training.epochs: must be >= 1, got 0",
                () -> new CnnClassifier().setFeaturesCol("image").setLabelCol("digit").setEpochs(0).fit(train));
        assertFailure("model.learning-rate-decay: must be in (0, 1], got 2.0",
                () -> new CnnClassifier().setFeaturesCol("image").setLabelCol("digit").setLearningRateDecay(2).fit(train));
        assertFailure("no column 'pixels' (featuresCol)",
                () -> new CnnClassifier().setFeaturesCol("pixels").setLabelCol("digit").fit(train));
        assertFailure("column 'image' (labelCol) has type binary",
                () -> new CnnClassifier().setFeaturesCol("image").setLabelCol("image").fit(train));
        assertFailure("column 'digit' (featuresCol)",
                () -> new CnnClassifier().setFeaturesCol("digit").setLabelCol("id").fit(train));
        Dataset<Row> halves = train.withColumn("half", train.col("id").divide(2.0));
        assertFailure("is not a whole number",
                () -> new CnnClassifier().setFeaturesCol("image").setLabelCol("half").fit(halves));
    }

    /**
     * The layout the model's writer had before params were written generically (every param in paramMap,
     * an empty defaultParamMap, a model.zip without class names) still loads: params set, classes numbered.
     */
    @Test
    void aModelSavedByTheEarlierWriterStillLoads() throws IOException {
        Path saved = dir.resolve("earlier-model");
        Files.createDirectories(saved.resolve("metadata"));
        Files.writeString(saved.resolve("metadata/part-00000"), "{\"class\":\"" + CnnClassificationModel.class.getName()
                + "\",\"timestamp\":1764633600000,\"sparkVersion\":\"3.5.7\",\"uid\":\"cnnClassifier_0123abcd\","
                + "\"paramMap\":{\"featuresCol\":\"image\",\"predictionCol\":\"digitClass\",\"probabilityCol\":"
                + "\"probability\",\"batchSize\":64},\"defaultParamMap\":{},\"imageShape\":{\"rows\":28,\"cols\":28,"
                + "\"channels\":1,\"numClasses\":10}}\n");
        Files.createDirectories(saved.resolve("model"));
        MultiLayerNetwork network = new MultiLayerNetwork(CnnArchitecture.build(
                JobConfigLoader.load(Optional.empty(), List.of()).model(), DatasetShape.MNIST));
        network.init();
        Files.write(saved.resolve("model/model.zip"), ModelStore.toBytes(network));

        CnnClassificationModel model = CnnClassificationModel.load(saved.toString());
        assertEquals("cnnClassifier_0123abcd", model.uid());
        assertEquals("image", model.getOrDefault(model.featuresCol()));
        assertEquals("digitClass", model.getOrDefault(model.predictionCol()));
        assertEquals(64, model.getOrDefault(model.batchSize()));
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), model.classNames());
        assertEquals(network.params(), model.network().params());
    }

    private static void assertFailure(String expected, Supplier<Object> fit) {
        BadInputException e = assertThrows(BadInputException.class, fit::get);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    /** The README's Java block under "### Spark ML (Estimator)" is readmeExample's body between its markers. */
    @Test
    void readmeShowsThisExample() throws IOException {
        String source = Files.readString(Path.of("src/test/java/org/sparkcnn/ml/CnnClassifierTest.java"));
        String example = source.substring(source.indexOf("// README:begin\n") + "// README:begin\n".length(),
                source.indexOf("        // README:end")).stripTrailing().stripIndent().strip();
        String readme = Files.readString(Path.of("README.md"));
        String section = readme.substring(readme.indexOf("### Spark ML (Estimator)"));
        String block = section.substring(section.indexOf("```java\n") + "```java\n".length(), section.indexOf("```\n",
                section.indexOf("```java\n") + 1));
        assertTrue(block.contains(example), "README.md's example differs from the tested code:\n" + example);
    }

    private static double accuracy(Dataset<Row> correct, Dataset<Row> all) {
        return (double) correct.count() / all.count();
    }

    /** id -> (prediction, probabilities) as text, in id order. */
    private static List<String> predictions(Dataset<Row> scored) {
        return scored.orderBy("id").select("id", "prediction", "probability").collectAsList().stream()
                .map(r -> r.getLong(0) + " " + r.getDouble(1) + " " + ((Vector) r.get(2))).toList();
    }
}

package org.sparkcnn.predict;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkcnn.config.ModelConfig;
import org.sparkcnn.config.Optimizer;
import org.sparkcnn.data.ColouredDigits;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.ImageTableFixture;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.data.MinibatchFactory;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.fit.BatchPredictors;
import org.sparkcnn.fit.Dl4jFitter;
import org.sparkcnn.model.CnnArchitecture;
import org.sparkcnn.model.NativeRuntime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transformer predicts through {@link BatchPredictors} (oneDNN's forward pass for sparkcnn's CNN on the
 * CPU): its probabilities and classes are DL4J's {@code output(features, false)} for the same digits, in
 * batches of 32 with a last one of 13 images; an RGB model likewise from PNGs, arrays and vectors, with its
 * class names; the predictedLabelCol and resize params through save and load, and their defaults for a
 * model saved before them.
 */
@Timeout(180)
class CnnClassificationModelTest {
    @Test
    void transformGivesDl4jsProbabilities() {
        NativeRuntime.enableLayerHelpers();
        MultiLayerNetwork network = new MultiLayerNetwork(CnnArchitecture.build(new ModelConfig(7, Optimizer.ADAM,
                0.002, 0, 5e-4, 0.4, 1.0), DatasetShape.MNIST));
        network.init();
        MinibatchFactory factory = new MinibatchFactory(10);
        Dl4jFitter trainer = new Dl4jFitter(network);
        for (DataSet minibatch : factory.toDataSets(MnistFixture.testSet().slice(1_000, 20 * 32), 32, 3)) {
            trainer.fit(minibatch);
        }
        assertTrue(BatchPredictors.usesOneDnn(network), "the transformer's network runs on oneDNN's forward pass");
        LabeledImages digits = MnistFixture.testSet().slice(0, 2 * 32 + 13);
        INDArray expected = network.output(factory.toDataSet(digits).getFeatures(), false);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < digits.count(); i++) {
            rows.add(RowFactory.create((long) i, Arrays.copyOfRange(digits.pixels(), i * 784, (i + 1) * 784)));
        }

        CnnClassificationModel model = new CnnClassificationModel(network, DatasetShape.MNIST)
                .setFeaturesCol("image").setBatchSize(32);
        List<Row> predicted = ImageTableFixture.inSession(session -> model.transform(session.createDataFrame(rows,
                        new StructType().add("id", DataTypes.LongType).add("image", DataTypes.BinaryType)).coalesce(1))
                .select("id", "prediction", "probability").orderBy("id").collectAsList());

        assertEquals(digits.count(), predicted.size());
        int[] classes = expected.argMax(1).toIntVector();
        int correct = 0;
        for (Row row : predicted) {
            int i = (int) row.getLong(0);
            double[] probabilities = ((Vector) row.get(2)).toArray();
            for (int c = 0; c < 10; c++) {
                assertEquals(expected.getDouble(i, c), probabilities[c], 1e-4, "image " + i + ", class " + c);
            }
            assertEquals(classes[i], row.getDouble(1), "class of image " + i);
            correct += classes[i] == digits.label(i) ? 1 : 0;
        }
        // 20 steps of 32 digits: the comparison is of a model that has learnt something (measured 0.7 mean
        // top probability in BatchPredictorsTest), not of a uniform guess
        assertTrue(correct >= 0.5 * digits.count(), correct + " of " + digits.count() + " correct");
    }
    /** Five digits as RGB 32x24 (ColouredDigits), named, for the colour model below. */
    private static final List<String> FIVE = List.of("zero", "one", "two", "three", "four");

    /**
     * A 3-channel model (RGB 32x24, five named classes, 10 Adam steps of 32 ColouredDigits: plumbing, no
     * accuracy claim) transforms RGB PNG bytes, numeric arrays (0-255) and ML vectors (0-1) of the same
     * images to DL4J's probabilities for the floats it trains on, and names the predicted class in
     * predicted_label with the model's class names.
     */
    @Test
    void anRgbModelTransformsPngsArraysAndVectorsAndNamesTheClass(@TempDir Path dir) throws IOException {
        NativeRuntime.enableLayerHelpers();
        DatasetShape shape = new DatasetShape(32, 24, 3, FIVE.size());
        MultiLayerNetwork network = new MultiLayerNetwork(CnnArchitecture.build(new ModelConfig(7, Optimizer.ADAM,
                0.002, 0, 5e-4, 0.4, 1.0), shape));
        network.init();
        MinibatchFactory factory = new MinibatchFactory(FIVE.size());
        LabeledImages pool = MnistFixture.testSet().slice(1_000, 1_000);
        LabeledImages training = ColouredDigits.rgb(pool.select(i -> pool.label(i) < 5), 32, 24, 1);
        Dl4jFitter trainer = new Dl4jFitter(network);
        for (DataSet minibatch : factory.toDataSets(training.slice(0, 10 * 32), 32, 3)) {
            trainer.fit(minibatch);
        }
        LabeledImages first = MnistFixture.testSet().slice(0, 100);
        LabeledImages images = ColouredDigits.rgb(first.select(i -> first.label(i) < 5), 32, 24, 2);
        INDArray expected = network.output(factory.toDataSet(images).getFeatures(), false);
        int size = shape.pixelsPerImage();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < images.count(); i++) {
            byte[] pixels = Arrays.copyOfRange(images.pixels(), i * size, (i + 1) * size);
            List<Double> array = new ArrayList<>();
            double[] vector = new double[size];
            for (int p = 0; p < size; p++) {
                array.add((double) (pixels[p] & 0xff));
                vector[p] = (pixels[p] & 0xff) / 255.0;
            }
            rows.add(RowFactory.create((long) i, ImageTableFixture.rgbPng(images, i), array, Vectors.dense(vector)));
        }
        StructType schema = new StructType().add("id", DataTypes.LongType).add("png", DataTypes.BinaryType)
                .add("array", DataTypes.createArrayType(DataTypes.DoubleType)).add("vector", SQLDataTypes.VectorType());
        CnnClassificationModel model = new CnnClassificationModel(network, shape, FIVE).setBatchSize(16);
        String saved = dir.resolve("rgb-model").toString();
        CnnClassificationModel loaded = ImageTableFixture.inSession(session -> {
            Dataset<Row> table = session.createDataFrame(rows, schema).coalesce(1);
            for (String column : List.of("png", "array", "vector")) {
                Dataset<Row> scored = model.setFeaturesCol(column).transform(table);
                assertEquals(List.of("id", "png", "array", "vector", "prediction", "predicted_label", "probability"),
                        Arrays.asList(scored.columns()), column);
                assertGivesDl4jsProbabilities(expected, scored.select("id", "prediction", "predicted_label",
                        "probability").orderBy("id").collectAsList(), column);
            }
            try {
                model.setPredictedLabelCol("digit").setResize(true).write().save(saved);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            CnnClassificationModel back = CnnClassificationModel.load(saved);
            List<Row> named = back.transform(table).select("id", "prediction", "digit", "probability").orderBy("id")
                    .collectAsList();
            assertGivesDl4jsProbabilities(expected, named, "vector, after save and load");
            return back;
        });
        assertEquals(FIVE, loaded.classNames());
        assertEquals("digit", loaded.getOrDefault(loaded.predictedLabelCol()));
        assertEquals(true, loaded.getOrDefault(loaded.resize()));
        assertEquals(shape.channels(), loaded.channels());
    }

    /**
     * A model saved before predictedLabelCol and resize existed (its metadata without them) loads with their
     * defaults: the class name in predicted_label, no resizing.
     */
    @Test
    void aModelSavedBeforePredictedLabelColLoadsWithTheDefaults(@TempDir Path dir) throws IOException {
        MultiLayerNetwork network = new MultiLayerNetwork(CnnArchitecture.build(new ModelConfig(7, Optimizer.ADAM,
                0.002, 0, 5e-4, 0.4, 1.0), DatasetShape.MNIST));
        network.init();
        Path saved = dir.resolve("earlier");
        CnnClassificationModel loaded = ImageTableFixture.inSession(session -> {
            try {
                new CnnClassificationModel(network, DatasetShape.MNIST).setPredictionCol("digit").write()
                        .save(saved.toString());
                Path metadata;
                try (var files = Files.list(saved.resolve("metadata"))) {
                    metadata = files.filter(f -> f.getFileName().toString().startsWith("part-")).findFirst()
                            .orElseThrow();
                }
                ObjectNode json = (ObjectNode) new ObjectMapper().readTree(metadata.toFile());
                for (String params : List.of("paramMap", "defaultParamMap")) {
                    ((ObjectNode) json.get(params)).remove(List.of("predictedLabelCol", "resize"));
                }
                assertFalse(json.toString().contains("predictedLabelCol"), json.toString());
                Files.writeString(metadata, json + "\n");
                Files.deleteIfExists(metadata.resolveSibling("." + metadata.getFileName() + ".crc"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            CnnClassificationModel model = CnnClassificationModel.load(saved.toString());
            List<Row> rows = List.of(RowFactory.create(0L, Arrays.copyOf(MnistFixture.testSet().pixels(), 784)));
            Dataset<Row> scored = model.transform(session.createDataFrame(rows, new StructType()
                    .add("id", DataTypes.LongType).add("features", DataTypes.BinaryType)));
            assertEquals(List.of("id", "features", "digit", "predicted_label", "probability"),
                    Arrays.asList(scored.columns()));
            Row row = scored.first();
            assertEquals(String.valueOf((int) row.getDouble(2)), row.getString(3), "numbered classes");
            return model;
        });
        assertEquals(CnnClassificationModel.PREDICTED_LABEL, loaded.getOrDefault(loaded.predictedLabelCol()));
        assertFalse(loaded.isSet(loaded.predictedLabelCol()));
        assertEquals(false, loaded.getOrDefault(loaded.resize()));
        assertEquals("digit", loaded.getOrDefault(loaded.predictionCol()));
    }

    private static void assertGivesDl4jsProbabilities(INDArray expected, List<Row> predicted, String what) {
        assertEquals(expected.rows(), predicted.size(), what);
        int[] classes = expected.argMax(1).toIntVector();
        for (Row row : predicted) {
            int i = (int) row.getLong(0);
            double[] probabilities = ((Vector) row.get(3)).toArray();
            for (int c = 0; c < FIVE.size(); c++) {
                assertEquals(expected.getDouble(i, c), probabilities[c], 1e-4, what + ": image " + i + ", class " + c);
            }
            assertEquals(classes[i], row.getDouble(1), what + ": class of image " + i);
            assertEquals(FIVE.get(classes[i]), row.getString(2), what + ": name of image " + i);
        }
    }
}

package org.sparkcnn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.IdxDatasetReader;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.data.MinibatchFactory;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.data.ValidationSplit;
import org.sparkcnn.output.ModelStore;
import org.sparkcnn.output.RunDirectory;
import org.sparkcnn.report.ReportJsonWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Validation split, a round-based validation trigger and early stopping, end to end on real MNIST: 6,000
 * training images of which 1,000 are held out, validated every 5 rounds (an epoch has ~7), patience 1
 * with a min-delta no run can reach, so training deterministically stops at the second validation, in the
 * middle of epoch 2, and writes the model of the first validation (end of epoch 1).
 */
// a hang fails the test that hung, by name; one short training job with validation: a minute or two
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class EarlyStoppingIT {
    private static final long SEED = 12345;
    private static final int TRAIN_LIMIT = 6000;
    private static final int VALIDATION = 1000;
    /**
     * The best model is the one after epoch 1 (5,000 images, batch 64 on 2 workers): measured 92.6% on the
     * 10k test images; 90% leaves room for run-to-run noise (~1 point) and still fails a wrong model by far.
     */
    private static final double MIN_TEST_ACCURACY = 0.90;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void stopsEarlyAndWritesTheBestModelByValidationAccuracy() throws IOException {
        Path run = work.resolve("early");
        CliRunner.Result result = CliRunner.run("train", "data.dir=" + MnistFixture.dir(),
                "data.train-limit=" + TRAIN_LIMIT, "data.validation-size=" + VALIDATION, "model.seed=" + SEED,
                "training.epochs=3", "training.batch-size-per-worker=64", "training.validation.every=5 rounds",
                "training.early-stopping.patience=1", "training.early-stopping.min-delta=0.5",
                "spark.master=local[2]", "spark.properties.\"spark.ui.enabled\"=false", "output.dir=" + run);
        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(Files.exists(run.resolve(RunDirectory.SUCCESS)));

        JsonNode r = JSON.readTree(run.resolve("report.json").toFile());
        assertEquals(ReportJsonWriter.SCHEMA_VERSION, r.at("/schemaVersion").asText());
        JsonNode v = r.at("/training/validation");
        assertEquals("validation", v.get("dataset").asText());
        assertEquals(VALIDATION, v.get("examples").asInt());
        assertEquals("5 rounds", v.get("every").asText());
        assertTrue(v.at("/earlyStopping/stoppedEarly").asBoolean(), v.toString());
        assertTrue(v.at("/earlyStopping/reason").asText().contains("did not improve"), v.toString());
        JsonNode validations = v.get("validations");
        assertEquals(2, validations.size(), "stopped at the second validation: " + validations);
        assertTrue(validations.get(0).get("improved").asBoolean());
        assertFalse(validations.get(1).get("improved").asBoolean());
        assertEquals(1, v.at("/best/epoch").asInt(), v.toString());
        assertTrue(validations.get(0).get("epochEnd").asBoolean(), "the first multiple of 5 is passed at epoch end");
        assertEquals(2, validations.get(1).get("epoch").asInt());
        assertFalse(validations.get(1).get("epochEnd").asBoolean(), "stopped in the middle of epoch 2");
        assertTrue(v.get("bestModel").asBoolean());
        assertEquals(2, r.at("/training/epochs").size(), "epoch 1 and the part of epoch 2 before stopping");
        assertTrue(r.at("/training/epochs/0/testAccuracy").isNull(), "the test set is not used while training");
        assertEquals(validations.get(0).get("accuracy").asDouble(),
                r.at("/training/epochs/0/validationAccuracy").asDouble(), 1e-12);
        assertEquals(TRAIN_LIMIT - VALIDATION, r.at("/training/epochs/0/images").asInt());
        int stoppedEpochImages = r.at("/training/epochs/1/images").asInt();
        assertTrue(stoppedEpochImages > 0 && stoppedEpochImages < TRAIN_LIMIT - VALIDATION, "partial epoch 2: "
                + stoppedEpochImages);

        // the written model is the best one: its accuracy on the held-out examples is the recorded best
        MultiLayerNetwork model = ModelStore.read(new Configuration(), run.toUri());
        double best = v.at("/best/accuracy").asDouble();
        assertEquals(best, validationAccuracy(model), 1.0 / VALIDATION + 1e-9,
                "model.zip is the best model (at most one image may flip between batch layouts)");
        assertTrue(best > validations.get(1).get("accuracy").asDouble() - 0.5, "sanity");

        double test = r.at("/evaluation/accuracy").asDouble();
        assertEquals(10_000, r.at("/evaluation/examples").asInt(), "the final evaluation is on the test set");
        assertTrue(test >= MIN_TEST_ACCURACY, "test accuracy " + test);

        String html = Files.readString(run.resolve("report.html"));
        assertTrue(html.contains("Validation accuracy"), "accuracy column labelled as validation");
        assertTrue(html.contains("the best by validation accuracy") && html.contains("stopped early"), html);
    }

    /** Accuracy on the same held-out examples the job chose, computed here on the driver. */
    private static double validationAccuracy(MultiLayerNetwork model) {
        LabeledImages all = new IdxDatasetReader(new Configuration(), new DatasetShape(28, 28, 10))
                .readRange(MnistFixture.trainImages(), MnistFixture.trainLabels(), 0, TRAIN_LIMIT);
        ValidationSplit split = ValidationSplit.choose(TRAIN_LIMIT, VALIDATION, SEED);
        LabeledImages held = all.select(split::isValidation);
        assertEquals(VALIDATION, held.count());
        int correct = 0;
        for (DataSet batch : new MinibatchFactory(10).toDataSets(held, 500, -1)) {
            int[] predicted = model.output(batch.getFeatures(), false).argMax(1).toIntVector();
            int[] labels = batch.getLabels().argMax(1).toIntVector();
            for (int i = 0; i < predicted.length; i++) {
                correct += predicted[i] == labels[i] ? 1 : 0;
            }
        }
        return correct / (double) held.count();
    }
}

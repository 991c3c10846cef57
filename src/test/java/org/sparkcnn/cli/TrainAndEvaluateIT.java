package org.sparkcnn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.output.AtomicOutputDir;
import org.sparkcnn.output.ModelStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole pipeline through the command line, on an embedded Spark local[2] and real MNIST: train on
 * 12,000 images for one epoch, then evaluate the saved model again, then bad input.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainAndEvaluateIT {
    /** One epoch over 12k images with Adam reaches ~96-97% on the 10k test images; 95% leaves room for noise. */
    private static final double MIN_ACCURACY = 0.95;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;

    private static String[] job(String command, String... extra) {
        String[] common = {command, "--config", "conf/sparkcnn.conf", "data.dir=" + MnistFixture.dir(),
                "data.train-limit=12000", "training.epochs=1", "spark.master=local[2]",
                "spark.properties.\"spark.ui.enabled\"=false"};
        String[] all = new String[common.length + extra.length];
        System.arraycopy(common, 0, all, 0, common.length);
        System.arraycopy(extra, 0, all, common.length, extra.length);
        return all;
    }

    private static JsonNode metrics(Path run) throws IOException {
        return JSON.readTree(run.resolve("metrics.json").toFile());
    }

    @Test
    @Order(1)
    void trainWritesAModelThatReachesTheAccuracyThreshold() throws IOException {
        Path run = work.resolve("train");
        CliRunner.Result result = CliRunner.run(job("train", "output.dir=" + run));
        assertEquals(0, result.exitCode(), result.stderr());

        assertTrue(Files.exists(run.resolve(AtomicOutputDir.SUCCESS)));
        JsonNode m = metrics(run);
        double accuracy = m.at("/evaluation/accuracy").asDouble();
        assertTrue(accuracy >= MIN_ACCURACY, "test accuracy " + accuracy);
        assertEquals(10_000, m.at("/evaluation/examples").asInt());
        assertEquals(12_000, m.at("/training/images").asInt());
        assertEquals(2, m.at("/training/workers").asInt());
        assertTrue(m.at("/training/roundLosses").size() > 10, "a loss per averaging round");
        assertEquals(MnistFixture.sha256Uncompressed().get("train-images-idx3-ubyte"),
                m.at("/data/train/imagesSha256").asText());
        assertEquals("train", m.at("/run/command").asText());
        assertTrue(m.at("/run/backend").asText().contains("oneDNN"), m.at("/run/backend").asText());
        long confusionTotal = 0;
        for (JsonNode row : m.at("/evaluation/confusionMatrix")) {
            for (JsonNode v : row) {
                confusionTotal += v.asLong();
            }
        }
        assertEquals(10_000, confusionTotal);

        MultiLayerNetwork model = ModelStore.read(new Configuration(), run.toUri());
        assertEquals(3_274_634L, model.numParams());
    }

    @Test
    @Order(2)
    void evaluateScoresTheSavedModelExactlyAsTrainingDid() throws IOException {
        Path run = work.resolve("train");
        Path eval = work.resolve("eval");
        CliRunner.Result result = CliRunner.run(job("evaluate", "--model", run.toString(), "output.dir=" + eval));
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals(metrics(run).at("/evaluation/accuracy").asDouble(),
                metrics(eval).at("/evaluation/accuracy").asDouble(), 1e-9);
        assertEquals("evaluate", metrics(eval).at("/run/command").asText());
        assertFalse(Files.exists(eval.resolve(ModelStore.MODEL_FILE)), "evaluate writes no model");
        assertTrue(Files.exists(eval.resolve(AtomicOutputDir.SUCCESS)));
    }

    @Test
    @Order(3)
    void aCompleteOutputIsNotOverwritten() throws IOException {
        Path run = work.resolve("train");
        long before = Files.getLastModifiedTime(run.resolve("metrics.json")).toMillis();
        CliRunner.Result result = CliRunner.run(job("train", "output.dir=" + run));
        assertEquals(2, result.exitCode(), result.stderr());
        assertTrue(result.stderr().contains("already holds a complete run"), result.stderr());
        assertEquals(before, Files.getLastModifiedTime(run.resolve("metrics.json")).toMillis());
    }

    @Test
    @Order(4)
    void badDataIsRejectedWithExitCode2AndNothingWritten() throws IOException {
        Path run = work.resolve("bad-data");
        // images and labels swapped: a clear message naming the file, before any training
        CliRunner.Result swapped = CliRunner.run(job("train", "output.dir=" + run,
                "data.train-images=train-labels-idx1-ubyte.gz"));
        assertEquals(2, swapped.exitCode(), swapped.stderr());
        assertTrue(swapped.stderr().contains("train-labels-idx1-ubyte.gz: not an IDX image file"), swapped.stderr());

        CliRunner.Result missing = CliRunner.run(job("train", "output.dir=" + run, "data.dir=" + work.resolve("none")));
        assertEquals(2, missing.exitCode(), missing.stderr());
        assertTrue(missing.stderr().contains("not found"), missing.stderr());

        try (var entries = Files.list(work)) {
            assertTrue(entries.noneMatch(p -> p.getFileName().toString().contains("bad-data")),
                    "no output and no temporary folder left");
        }
    }

    @Test
    @Order(5)
    void badConfigurationIsRejectedBeforeSparkStarts() {
        CliRunner.Result result = CliRunner.run("train", "trainig.epochs=1");
        assertEquals(2, result.exitCode());
        assertTrue(result.stderr().contains("unknown config key 'sparkcnn.trainig.epochs'"), result.stderr());
        CliRunner.Result noCommand = CliRunner.run("fly");
        assertEquals(2, noCommand.exitCode());
        CliRunner.Result noModel = CliRunner.run("evaluate");
        assertEquals(2, noModel.exitCode());
        assertTrue(noModel.stderr().contains("--model"), noModel.stderr());
    }
}

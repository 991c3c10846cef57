package org.sparkcnn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkcnn.data.MinibatchFactory;
import org.sparkcnn.report.CsvWriters;
import org.sparkcnn.report.HeadlessChromium;
import org.sparkcnn.report.HtmlReportWriter;
import org.sparkcnn.report.ReportJsonWriter;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.output.RunDirectory;
import org.sparkcnn.output.ModelStore;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole pipeline through the command line, on an embedded Spark local[2] and real MNIST: train on
 * 12,000 images for one epoch; check the report's files, its MLlib metrics against DL4J's Evaluation, and
 * its HTML in a real headless Chromium; evaluate the saved model again; then bad input.
 */
// a hang fails the test that hung, by name; each test trains at most one short job (1 epoch on
// <= 12,000 images): a minute or two
@Timeout(value = 15, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainAndEvaluateIT {
    /**
     * One epoch over 12k images, batch 64 on 2 workers, Adam: measured 95.9-96.7% on the 10k test images;
     * 95% leaves room for run-to-run noise (parallel averaging is not bit-reproducible).
     */
    private static final double MIN_ACCURACY = 0.95;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;

    private static String[] job(String command, String... extra) {
        String[] common = {command, "--config", "conf/sparkcnn.conf", "data.dir=" + MnistFixture.dir(),
                "data.train-limit=12000", "training.epochs=1", "training.batch-size-per-worker=64",
                "spark.master=local[2]",
                "spark.properties.\"spark.ui.enabled\"=false"};
        String[] all = new String[common.length + extra.length];
        System.arraycopy(common, 0, all, 0, common.length);
        System.arraycopy(extra, 0, all, common.length, extra.length);
        return all;
    }

    private static JsonNode report(Path run) throws IOException {
        return JSON.readTree(run.resolve("report.json").toFile());
    }

    @Test
    @Order(1)
    void trainWritesAModelThatReachesTheAccuracyThreshold() throws IOException {
        Path run = work.resolve("train");
        CliRunner.Result result = CliRunner.run(job("train", "output.dir=" + run));
        assertEquals(0, result.exitCode(), result.stderr());

        assertTrue(Files.exists(run.resolve(RunDirectory.SUCCESS)));
        JsonNode m = report(run);
        double accuracy = m.at("/evaluation/accuracy").asDouble();
        assertTrue(accuracy >= MIN_ACCURACY, "test accuracy " + accuracy);
        assertEquals(10_000, m.at("/evaluation/examples").asInt());
        assertEquals(12_000, m.at("/training/images").asInt());
        assertEquals(2, m.at("/training/workers").asInt());
        assertTrue(m.at("/training/roundLosses").size() > 10, "a loss per averaging round");
        assertEquals(MnistFixture.sha256Uncompressed().get("train-images-idx3-ubyte"),
                m.at("/data/train/imagesSha256").asText());
        assertEquals("train", m.at("/run/command").asText());
        assertEquals(1, m.at("/run/executorCount").asInt(), "local mode: the driver's executor");
        assertEquals("driver", m.at("/run/executors/0/id").asText());
        assertTrue(m.at("/run/executors/0/backend").asText().startsWith("CPU, oneDNN"),
                "executor trains on oneDNN: " + m.at("/run/executors"));
        // no GPU settings: both training partitions reported the CPU, without a Spark GPU address
        assertEquals(1, m.at("/run/devices").size(), "one executor, one device: " + m.at("/run/devices"));
        assertEquals("driver", m.at("/run/devices/0/executor").asText());
        assertEquals("cpu", m.at("/run/devices/0/device").asText());
        assertTrue(m.at("/run/devices/0/gpuAddress").isNull());
        assertEquals("[0,1]", m.at("/run/devices/0/trainingPartitions").toString());
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
    void reportFilesAreCompleteAndConsistent() throws IOException {
        Path run = work.resolve("train");
        JsonNode r = report(run);
        assertEquals(ReportJsonWriter.SCHEMA_VERSION, r.at("/schemaVersion").asText());
        for (String field : List.of("/run/id", "/run/start", "/run/end", "/run/sparkMaster", "/run/applicationId",
                "/run/versions/spark", "/run/versions/dl4j", "/config/model/optimizer", "/data/test/imagesSha256",
                "/training/timeSplitSeconds/workerCompute", "/evaluation/weightedF1")) {
            assertFalse(r.at(field).isMissingNode(), field);
        }
        JsonNode epochs = r.at("/training/epochs");
        assertEquals(1, epochs.size());
        assertEquals(r.at("/evaluation/accuracy").asDouble(), epochs.get(0).get("testAccuracy").asDouble(), 1e-12,
                "the last epoch's test accuracy is the final evaluation");
        assertEquals(10, r.at("/evaluation/classes").size());
        assertFalse(r.at("/evaluation/misclassifiedSample").isEmpty());
        for (JsonNode m : r.at("/evaluation/misclassifiedSample")) {
            assertNotEquals(m.get("label").asInt(), m.get("predicted").asInt());
        }

        List<String> csv = Files.readAllLines(run.resolve(CsvWriters.METRICS));
        assertEquals("class,precision,recall,f1,support", csv.get(0));
        String accuracyRow = csv.stream().filter(l -> l.startsWith("accuracy,")).findFirst().orElseThrow();
        assertEquals(r.at("/evaluation/accuracy").asDouble(), Double.parseDouble(accuracyRow.split(",")[1]), 1e-6);
        long confusionTotal = Files.readAllLines(run.resolve(CsvWriters.CONFUSION)).stream().skip(1)
                .flatMap(l -> Arrays.stream(l.split(",")).skip(1)).mapToLong(Long::parseLong).sum();
        assertEquals(10_000, confusionTotal);

        assertTrue(r.at("/pictures").size() >= 8, r.at("/pictures").toString());
        for (JsonNode picture : r.at("/pictures")) {
            BufferedImage image = ImageIO.read(run.resolve(picture.asText()).toFile());
            assertNotNull(image, picture.asText() + " is a PNG");
            assertTrue(image.getWidth() > 20 && image.getHeight() > 20, picture.asText());
        }
    }

    @Test
    @Order(3)
    void perClassMetricsFromMllibAgreeWithDl4jsEvaluation() throws IOException {
        Path run = work.resolve("train");
        JsonNode r = report(run);
        MultiLayerNetwork model = ModelStore.read(new Configuration(), run.toUri());
        Evaluation dl4j = new Evaluation(10);
        for (DataSet batch : new MinibatchFactory(10).toDataSets(MnistFixture.testSet(), 500, -1)) {
            dl4j.eval(batch.getLabels(), model.output(batch.getFeatures(), false));
        }
        assertEquals(dl4j.accuracy(), r.at("/evaluation/accuracy").asDouble(), 1e-9);
        for (int c = 0; c < 10; c++) {
            JsonNode cls = r.at("/evaluation/classes/" + c);
            assertEquals(dl4j.precision(c), cls.get("precision").asDouble(), 1e-9, "precision of " + c);
            assertEquals(dl4j.recall(c), cls.get("recall").asDouble(), 1e-9, "recall of " + c);
            assertEquals(dl4j.f1(c), cls.get("f1").asDouble(), 1e-9, "f1 of " + c);
            for (int p = 0; p < 10; p++) {
                assertEquals(dl4j.getConfusionMatrix().getCount(c, p),
                        r.at("/evaluation/confusionMatrix/" + c + "/" + p).asLong(), "confusion " + c + "," + p);
            }
        }
    }

    @Test
    @Order(4)
    void htmlReportRendersInARealBrowserWithEveryPictureAndTheRightAccuracy() throws Exception {
        Path run = work.resolve("train");
        JsonNode r = report(run);
        try (HeadlessChromium browser = HeadlessChromium.open(run.resolve(HtmlReportWriter.FILE_NAME).toUri(),
                work.resolve("chromium-profile"))) {
            browser.awaitLoaded();
            JsonNode page = browser.evaluate("({ images: [...document.images].map(i => ({ file: i.dataset.file, "
                    + "decoded: i.complete && i.naturalWidth > 0 })), accuracy: document.getElementById('accuracy')"
                    + ".dataset.value, accuracyText: document.getElementById('accuracy').textContent, "
                    + "external: [...document.querySelectorAll('[src],[href]')].map(e => e.getAttribute('src') "
                    + "|| e.getAttribute('href')).filter(u => !u.startsWith('data:')), "
                    + "deviceRows: [...document.querySelectorAll('tr')].filter(tr => tr.cells.length === 5 "
                    + "&& tr.cells[1].textContent === 'cpu').map(tr => tr.cells[4].textContent.trim()) })");
            assertEquals(r.at("/pictures").size(), page.get("images").size());
            for (JsonNode image : page.get("images")) {
                assertTrue(image.get("decoded").asBoolean(), image.get("file").asText() + " decoded");
            }
            double accuracy = r.at("/evaluation/accuracy").asDouble();
            assertEquals(accuracy, Double.parseDouble(page.get("accuracy").asText()), 1e-12);
            assertEquals(String.format(Locale.ROOT, "%.2f%%", 100 * accuracy), page.get("accuracyText").asText());
            assertEquals(0, page.get("external").size(), "self-contained: " + page.get("external"));
            assertEquals("[\"0 1\"]", page.get("deviceRows").toString(), "the training devices table");
            Path screenshot = Path.of("target", "report-screenshot.png");
            browser.screenshot(screenshot);
            assertNotNull(ImageIO.read(screenshot.toFile()));
        }
    }

    @Test
    @Order(5)
    void evaluateScoresTheSavedModelExactlyAsTrainingDid() throws IOException {
        Path run = work.resolve("train");
        Path eval = work.resolve("eval");
        CliRunner.Result result = CliRunner.run(job("evaluate", "--model", run.toString(), "output.dir=" + eval));
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals(report(run).at("/evaluation/accuracy").asDouble(),
                report(eval).at("/evaluation/accuracy").asDouble(), 1e-9);
        assertEquals("evaluate", report(eval).at("/run/command").asText());
        assertEquals(report(run).at("/evaluation/confusionMatrix"), report(eval).at("/evaluation/confusionMatrix"));
        assertTrue(Files.exists(eval.resolve(HtmlReportWriter.FILE_NAME)));
        assertTrue(report(eval).at("/training").isMissingNode(), "evaluate has no training section");
        assertEquals(0, report(eval).at("/run/devices").size(), "evaluate trains nothing: " + report(eval).at("/run"));
        assertFalse(Files.exists(eval.resolve(ModelStore.MODEL_FILE)), "evaluate writes no model");
        assertTrue(Files.exists(eval.resolve(RunDirectory.SUCCESS)));
    }

    @Test
    @Order(6)
    void rerunningACompleteJobIsANoOpThatSucceeds() throws IOException {
        Path run = work.resolve("train");
        long before = Files.getLastModifiedTime(run.resolve("report.json")).toMillis();
        CliRunner.Result result = CliRunner.run(job("train", "output.dir=" + run));
        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(result.stderr().contains("already holds a complete run (_SUCCESS): nothing to do"), result.stderr());
        assertEquals(before, Files.getLastModifiedTime(run.resolve("report.json")).toMillis());
    }

    @Test
    @Order(7)
    void aModelBelowTheQualityGateExits3AfterWritingItsReport() throws IOException {
        Path run = work.resolve("train");
        Path gated = work.resolve("gated");
        CliRunner.Result result = CliRunner.run(job("evaluate", "--model", run.toString(), "output.dir=" + gated,
                "--min-accuracy", "0.9999"));
        assertEquals(3, result.exitCode(), result.stderr());
        assertTrue(result.stderr().contains("is below evaluation.min-accuracy 0.9999"), result.stderr());
        assertTrue(Files.exists(gated.resolve("report.json")), "the report is there for people to read");
        assertFalse(Files.exists(gated.resolve(RunDirectory.SUCCESS)), "but nothing waiting for _SUCCESS takes it");
        assertTrue(Files.exists(gated.resolve(RunDirectory.GATE_FAILED)));
        assertFalse(report(gated).at("/qualityGate/passed").asBoolean());
        assertEquals(report(run).at("/evaluation/accuracy").asDouble(),
                report(gated).at("/evaluation/accuracy").asDouble(), 1e-9);
    }

    @Test
    @Order(8)
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
    @Order(9)
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

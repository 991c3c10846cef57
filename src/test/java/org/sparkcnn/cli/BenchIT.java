package org.sparkcnn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.bench.BenchmarkTable;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.output.RunDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sparkcnn bench} end to end on a small budget: every configured case trains for real, is validated on
 * the test set while it trains and scored after, and the results land in bench.csv and bench.json. Speed is
 * not asserted (benchmarks are not tests); what is asserted is that each case really learned, that the time
 * split adds up, and that each case's time to an accuracy it reached is a real training time.
 */
// a hang fails the test that hung, by name; bench on 3,000 images trains each engine once: about a minute
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class BenchIT {
    /**
     * One epoch over 3,000 images: measured 92% single-JVM, 85% all-reduce and 82% parameter averaging
     * (2 workers average their models after only 24 minibatches each); 75% leaves room for noise and is
     * far above chance (10%).
     */
    private static final double MIN_ACCURACY = 0.75;

    @TempDir
    Path work;

    @Test
    void everyCaseTrainsAndIsRecordedSideBySide() throws IOException {
        Path out = work.resolve("bench");
        CliRunner.Result result = CliRunner.run("bench", "--config", "conf/sparkcnn.conf",
                "data.dir=" + MnistFixture.dir(), "data.train-limit=3000", "data.test-limit=2000",
                "training.batch-size-per-worker=64",
                "bench.single-jvm-threads=[1]", "bench.allreduce-averaging-frequencies=[5]",
                "bench.parameter-averaging=true", "bench.ring-peers=[2]", "bench.per-core-batch-sizes=[16, 64]",
                // 4 rounds per epoch of 2 workers x 5 minibatches: validated at round 2 and at the end (round 4)
                "bench.accuracy-targets=[" + MIN_ACCURACY + ", 1.0]", "bench.validation.every=2 rounds",
                "spark.master=local[2]",
                "spark.properties.\"spark.ui.enabled\"=false", "output.dir=" + out);
        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(Files.exists(out.resolve(RunDirectory.SUCCESS)));

        JsonNode cases = new ObjectMapper().readTree(out.resolve(BenchmarkTable.JSON_FILE).toFile()).get("cases");
        List<String> engines = new ArrayList<>();
        for (JsonNode c : cases) {
            engines.add(c.get("engine").asText());
            assertEquals(3000, c.get("images").asLong(), c.toString());
            assertTrue(c.get("testAccuracy").asDouble() >= MIN_ACCURACY, c.toString());
            double parts = c.get("computeSeconds").asDouble() + c.get("averagingSeconds").asDouble()
                    + c.get("otherSeconds").asDouble();
            assertEquals(c.get("wallSeconds").asDouble(), parts, 0.01, "time split adds up: " + c);
            assertTrue(c.get("cpuSeconds").asDouble() > 0, c.toString());
            assertReachedTheTargetItEndedAboveButNotPerfection(c);
        }
        assertEquals(List.of("single-jvm", "allreduce", "parameter-averaging"), engines);
        assertEquals(List.of(1, 2, 2), cases.findValuesAsText("workers").stream().map(Integer::parseInt).toList());

        JsonNode calls = new ObjectMapper().readTree(out.resolve(BenchmarkTable.JSON_FILE).toFile()).get("allReduceCalls");
        assertEquals(List.of("tcp-ring", "tcp-ring-encrypted", "shared-memory", "tcp-ring", "tcp-ring-encrypted",
                "shared-memory"), calls.findValuesAsText("transport"), "each transport, model-sized and one float: " + calls);
        for (JsonNode call : calls) {
            assertEquals(2, call.get("peers").asInt());
            assertTrue(call.get("medianMillis").asDouble() > 0, call.toString());
            assertTrue(call.get("floats").asLong() == 1 || call.get("cpuMillis").asDouble() > 0, call.toString());
        }

        JsonNode perCore = new ObjectMapper().readTree(out.resolve(BenchmarkTable.JSON_FILE).toFile()).get("perCore");
        assertEquals(List.of(16, 64), perCore.get("points").findValuesAsText("batchSize").stream().map(Integer::parseInt)
                .toList());
        for (JsonNode point : perCore.get("points")) {
            assertTrue(point.get("minibatches").asInt() > 0 && point.get("millisPerMinibatch").asDouble() > 0, point.toString());
        }
        double marginal = perCore.get("marginalMillisPerImage").asDouble();
        assertTrue(marginal > 0, "a bigger minibatch takes longer: " + perCore);
        assertEquals(1000 / marginal, perCore.get("ceilingImagesPerSecond").asDouble(), 1e-6);

        List<String> csv = Files.readAllLines(out.resolve(BenchmarkTable.CSV_FILE));
        assertEquals(4, csv.size(), "header and one row per case");
        assertTrue(csv.get(0).contains(",images_per_second,training_seconds_to_accuracy_" + MIN_ACCURACY
                + ",training_seconds_to_accuracy_1.0,cpu_seconds,"), csv.get(0));
        assertTrue(csv.get(2).startsWith("\"allreduce, averaging every 5\",allreduce,2,"), csv.get(2));
        assertTrue(csv.get(2).matches(".*,[0-9.]+,[0-9]+\\.[0-9]{3},not reached,.*"), "a time, then not reached: "
                + csv.get(2));
    }

    /**
     * The final model is validated too, and it is at or above {@link #MIN_ACCURACY} (asserted above), so the
     * case reached that target: at a positive training time within the case's training wall time (the time
     * spent validating is in neither). No case reaches 100% on 2,000 test digits after one epoch.
     */
    private static void assertReachedTheTargetItEndedAboveButNotPerfection(JsonNode c) {
        JsonNode validations = c.get("validations");
        assertTrue(validations.size() >= 2, "validated while training and at the end: " + c);
        assertTrue(c.get("validationSeconds").asDouble() > 0, c.toString());
        JsonNode last = validations.get(validations.size() - 1);
        // the single-JVM case validates in its JVM, the others on the executors with the final evaluation's code
        assertEquals(c.get("testAccuracy").asDouble(), last.get("accuracy").asDouble(),
                c.get("engine").asText().equals("single-jvm") ? 1.0 / 2000 : 0, "the last validation is of the final model: " + c);

        JsonNode reached = c.get("timeToAccuracy").get(0);
        assertEquals(MIN_ACCURACY, reached.get("target").asDouble());
        assertTrue(reached.get("reached").asBoolean(), c.toString());
        double seconds = reached.get("trainingSeconds").asDouble();
        assertTrue(seconds > 0 && seconds < c.get("wallSeconds").asDouble(), "within the training time: " + c);

        JsonNode perfection = c.get("timeToAccuracy").get(1);
        assertEquals(1.0, perfection.get("target").asDouble());
        assertFalse(perfection.get("reached").asBoolean(), c.toString());
        assertTrue(perfection.get("trainingSeconds").isNull(), c.toString());
    }
}

package org.sparkcnn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.output.FolderSnapshot;
import org.sparkcnn.common.CapturedLogs;
import org.sparkcnn.output.OutputLock;
import org.sparkcnn.output.RunDirectory;
import org.sparkcnn.train.CnnTrainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sparkcnn as a scheduler runs it, through the command line on an embedded Spark local[2] and real MNIST:
 * retried quality gates, a rerun with other settings, a second run on a held output.dir, a killed run's
 * stale lock, and a resume after a run killed while writing a checkpoint. One small model (3,000 images,
 * one epoch) is trained once and reused; the other cases start no Spark at all, except the resume.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(600)
class ScheduledRunsIT {
    /**
     * 3,000 images, one epoch, batch 64 on 2 workers (~5 averaging rounds): measured 91.8% on the 10k
     * test images (91.7% in a second run); the bar fails a model that did not learn. The gate of 0.9999 is out of its reach.
     */
    private static final double MIN_ONE_EPOCH = 0.80;
    /** The same after a second epoch, resumed from the first one's checkpoint: measured 93.9%. */
    private static final double MIN_TWO_EPOCHS = 0.85;
    private static final String IMPOSSIBLE_GATE = "0.9999";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;

    private static String[] job(String command, Path output, String... extra) {
        List<String> all = new ArrayList<>(List.of(command, "data.dir=" + MnistFixture.dir(),
                "data.train-limit=3000", "training.epochs=1", "training.batch-size-per-worker=64",
                "spark.master=local[2]", "spark.properties.\"spark.ui.enabled\"=false", "output.dir=" + output));
        all.addAll(List.of(extra));
        return all.toArray(String[]::new);
    }

    private static JsonNode report(Path run) throws IOException {
        return JSON.readTree(run.resolve("report.json").toFile());
    }

    private static void assertGateFailedOutput(Path run) throws IOException {
        assertFalse(Files.exists(run.resolve(RunDirectory.SUCCESS)), "no _SUCCESS below the gate");
        assertTrue(Files.exists(run.resolve(RunDirectory.GATE_FAILED)));
        assertFalse(Files.exists(run.resolve(OutputLock.FILE_NAME)), "lock released");
        JsonNode gate = report(run).at("/qualityGate");
        assertFalse(gate.get("passed").asBoolean());
        assertEquals(Double.parseDouble(IMPOSSIBLE_GATE), gate.get("minAccuracy").asDouble(), 1e-12);
        assertTrue(gate.get("reason").asText().contains("is below evaluation.min-accuracy " + IMPOSSIBLE_GATE),
                gate.toString());
    }

    @Test
    @Order(1)
    void aTrainRunBelowItsGateExits3AndSoDoesItsRetry() throws IOException {
        Path run = work.resolve("train");
        CliRunner.Result first = CliRunner.run(job("train", run, "--min-accuracy", IMPOSSIBLE_GATE));
        assertEquals(3, first.exitCode(), first.stderr());
        assertTrue(first.stderr().contains("is below evaluation.min-accuracy " + IMPOSSIBLE_GATE), first.stderr());
        assertGateFailedOutput(run);
        double accuracy = report(run).at("/evaluation/accuracy").asDouble();
        assertTrue(accuracy >= MIN_ONE_EPOCH, "a model that learned: test accuracy " + accuracy);
        assertTrue(Files.exists(run.resolve("model.zip")), "the model is kept for people to look at");
        assertTrue(Files.exists(run.resolve(RunDirectory.SETTINGS)));
        Map<String, FileTime> written = FolderSnapshot.of(run);

        // the scheduler's retry: the same command
        CliRunner.Result retry = CliRunner.run(job("train", run, "--min-accuracy", IMPOSSIBLE_GATE));
        assertEquals(3, retry.exitCode(), retry.stderr());
        assertTrue(retry.stderr().contains("not run again"), retry.stderr());
        assertGateFailedOutput(run);
        Map<String, FileTime> after = FolderSnapshot.of(run);
        after.remove(RunDirectory.GATE_FAILED); // rewritten with the retry's verdict
        written.remove(RunDirectory.GATE_FAILED);
        assertEquals(written, after, "not trained again: model and report untouched");
    }

    @Test
    @Order(2)
    void anEvaluateRunBelowItsGateExits3AndSoDoesItsRetry() throws IOException {
        Path model = work.resolve("train");
        Path run = work.resolve("evaluate");
        for (int attempt = 1; attempt <= 2; attempt++) {
            CliRunner.Result result = CliRunner.run(job("evaluate", run, "--model", model.toString(),
                    "--min-accuracy", IMPOSSIBLE_GATE));
            assertEquals(3, result.exitCode(), "attempt " + attempt + ": " + result.stderr());
            assertGateFailedOutput(run);
        }
        assertEquals(report(model).at("/evaluation/accuracy").asDouble(),
                report(run).at("/evaluation/accuracy").asDouble(), 1e-9);
    }

    @Test
    @Order(3)
    void aRerunWithOtherSettingsExits2ListingThemAndChangesNothing() throws IOException {
        Path run = work.resolve("train");
        Map<String, FileTime> before = FolderSnapshot.of(run);
        CliRunner.Result result = CliRunner.run(job("train", run, "--min-accuracy", IMPOSSIBLE_GATE,
                "training.epochs=3", "model.learning-rate=0.01"));
        assertEquals(2, result.exitCode(), result.stderr());
        assertTrue(result.stderr().contains("holds a run made with other settings: model.learning-rate 0.002 -> 0.01, "
                + "training.epochs 1 -> 3; set output.overwrite=true to replace it, or choose another output.dir"),
                result.stderr());
        assertEquals(1, result.stderr().lines().filter(l -> l.startsWith("sparkcnn:")).count(), result.stderr());
        assertEquals(before, FolderSnapshot.of(run));
    }

    @Test
    @Order(4)
    void aSecondRunOnAHeldOutputDirExits2NamingTheFirst() throws IOException {
        Path run = work.resolve("held");
        FileSystem fs = FileSystem.getLocal(new Configuration());
        OutputLock.Holder first = OutputLock.Holder.thisProcess("first-run", "train");
        try (OutputLock held = OutputLock.acquire(fs, new org.apache.hadoop.fs.Path(run.toUri()),
                Duration.ofSeconds(120), first)) {
            long start = System.nanoTime();
            CliRunner.Result second = CliRunner.run(job("train", run));
            assertEquals(2, second.exitCode(), second.stderr());
            assertTrue(second.stderr().contains("another run is writing it: host " + first.host() + ", pid "
                    + first.pid() + ", started " + first.start()), second.stderr());
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos(), "refused at once, no Spark");
            assertEquals(List.of(OutputLock.FILE_NAME), List.of(run.toFile().list()), "nothing else written");
        }
    }

    @Test
    @Order(5)
    void aKilledRunsStaleLockIsTakenOver() throws IOException {
        Path run = work.resolve("train");
        Path lock = run.resolve(OutputLock.FILE_NAME);
        Files.writeString(lock, "{\"host\":\"lost-node\",\"pid\":31337,\"start\":\"2026-12-01T02:00:00Z\","
                + "\"runId\":\"killed\",\"command\":\"train\",\"heartbeat\":\"2026-12-01T02:30:00Z\"}");
        Files.setLastModifiedTime(lock, FileTime.fromMillis(System.currentTimeMillis() - 600_000));
        try (CapturedLogs log = CapturedLogs.of(OutputLock.class)) {
            CliRunner.Result result = CliRunner.run(job("train", run, "--min-accuracy", IMPOSSIBLE_GATE,
                    "output.lock-stale-seconds=60"));
            assertEquals(3, result.exitCode(), "the lock taken over, the same verdict: " + result.stderr());
            assertTrue(log.texts().stream().anyMatch(l -> l.startsWith("WARN Taking over the stale lock")
                    && l.contains("host lost-node, pid 31337")), log.texts().toString());
        }
        assertFalse(Files.exists(lock), "the new holder released it");
    }

    @Test
    @Order(6)
    void aRunKilledWhileWritingACheckpointResumesWithoutItsLeftovers() throws IOException {
        // what a run of the same job killed in epoch 2 leaves: epoch 1's checkpoint, and a half-written one
        Path run = work.resolve("killed");
        Path checkpoints = run.resolve(RunDirectory.CHECKPOINTS);
        Path trained = work.resolve("train").resolve(RunDirectory.CHECKPOINTS);
        try (Stream<Path> s = Files.walk(trained)) {
            for (Path p : s.toList()) {
                Path target = checkpoints.resolve(trained.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        assertTrue(Files.exists(checkpoints.resolve("ckpt-e0002-s0000")), "epoch 1's checkpoint");
        Path half = Files.createDirectories(checkpoints.resolve("_tmp-ckpt-e0002-s0001-deadbeef"));
        Files.write(half.resolve("model.zip"), new byte[4096]);
        Path halfBest = Files.createDirectories(checkpoints.resolve("best").resolve("_tmp-best-e0002-r0000007-deadbeef"));

        try (CapturedLogs trainer = CapturedLogs.of(CnnTrainer.class)) {
            // the same job, extended to 2 epochs (safe to change on a resume)
            CliRunner.Result result = CliRunner.run(job("train", run, "training.epochs=2"));
            assertEquals(0, result.exitCode(), result.stderr());
            assertTrue(trainer.texts().stream().anyMatch(l -> l.contains("Resuming from checkpoint")
                    && l.contains("ckpt-e0002-s0000: epoch 2, segment 0/")), trainer.texts().toString());
        }
        assertFalse(Files.exists(half), "the half-written checkpoint is gone");
        assertFalse(Files.exists(halfBest), "the half-written best model is gone");
        assertTrue(Files.exists(run.resolve(RunDirectory.SUCCESS)));
        JsonNode report = report(run);
        assertEquals(2, report.at("/training/epochs").size(), "epoch 1 from the checkpoint, epoch 2 resumed");
        double accuracy = report.at("/evaluation/accuracy").asDouble();
        System.err.printf("ScheduledRunsIT: test accuracy %.4f after one epoch, %.4f after the resumed second%n",
                report(work.resolve("train")).at("/evaluation/accuracy").asDouble(), accuracy);
        assertTrue(accuracy >= MIN_TWO_EPOCHS, "resumed test accuracy " + accuracy);
        assertTrue(report.at("/qualityGate/passed").asBoolean());
    }
}

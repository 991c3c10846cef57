package org.sparkcnn.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.output.OutputLock;
import org.sparkcnn.output.RunDirectory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scheduled job whose driver dies: the embedded-mode launcher (a real JVM process) is killed with
 * SIGKILL in the middle of the second epoch; the newest checkpoint is then damaged on purpose; the same
 * command run again skips the damaged checkpoint, resumes from the one before, and finishes as well as an
 * uninterrupted run. The killed driver's lock on output.dir refuses a rerun (exit 2 naming it) until its
 * heartbeat is older than output.lock-stale-seconds; then the rerun takes it over. A validation set is held out, so the best model (kept in checkpoints/best/) and the
 * validation history must survive the kill too.
 */
// a hang fails the test that hung, by name; a killed and a resumed 2-epoch job on 6,000 images: a few minutes
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ResumeIT {
    /**
     * 6,000 images (1,000 held out for validation), 2 epochs, batch 64 on 2 workers: ~95%. Identical uninterrupted runs differ by up to
     * ~1 point here (dropout draws and the two workers' interleaving are not reproducible), so the resumed
     * run must land within 1.5 points of the reference and above 90%.
     */
    private static final double MIN_ACCURACY = 0.90;
    private static final double TOLERANCE = 0.015;
    private static final long TIMEOUT_MINUTES = 8;
    /**
     * The test waits this long after the kill; long enough that the rerun refused at once (a JVM start,
     * a few seconds, more on a loaded machine) still finds the lock fresh.
     */
    private static final int LOCK_STALE_SECONDS = 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    private static List<String> command(Path output) {
        return List.of("bin/sparkcnn", "train", "data.dir=" + MnistFixture.dir(), "data.train-limit=6000",
                "data.validation-size=1000", "training.epochs=2", "training.batch-size-per-worker=64", "checkpoint.every-rounds=3",
                "checkpoint.keep=2", "spark.master=local[2]", "spark.properties.\"spark.ui.enabled\"=false",
                "output.lock-stale-seconds=" + LOCK_STALE_SECONDS, "output.dir=" + output);
    }

    /** Starts the launcher; its merged output lines arrive in {@code lines}. */
    private static Process start(List<String> command, BlockingQueue<String> lines) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    System.out.println("  | " + line);
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // process gone
            }
        }, "launcher-output");
        reader.setDaemon(true);
        reader.start();
        return process;
    }

    private static List<String> runToEnd(List<String> command) throws Exception {
        return runToEnd(command, 0);
    }

    private static List<String> runToEnd(List<String> command, int exitCode) throws Exception {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Process process = start(command, lines);
        try {
            assertTrue(process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES), "finished in time");
            Thread.sleep(200);
            List<String> all = new ArrayList<>(lines);
            assertEquals(exitCode, process.exitValue(), String.join("\n", all));
            return all;
        } finally {
            process.destroyForcibly();
        }
    }

    private static double accuracy(Path run) throws IOException {
        return JSON.readTree(run.resolve("report.json").toFile()).at("/evaluation/accuracy").asDouble();
    }

    /** The round of the best model the oldest kept checkpoint (end of epoch 1) names. */
    private static long bestRound(Path checkpoints) throws IOException {
        JsonNode position = JSON.readTree(checkpoints.resolve("ckpt-e0002-s0000").resolve(CheckpointManager.POSITION)
                .toFile());
        JsonNode best = position.at("/validation/history/" + position.at("/validation/bestIndex").asInt());
        assertEquals(1, best.get("epoch").asInt());
        return best.get("round").asLong();
    }

    @Test
    void aKilledDriverIsResumedFromTheNewestIntactCheckpoint() throws Exception {
        Path run = work.resolve("interrupted");
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Process first = start(command(run), lines);
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(TIMEOUT_MINUTES);
            String line;
            do {
                line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertNotNull(line, "no checkpoint in the second epoch before the time limit");
            } while (!(line.contains("Checkpoint") && line.contains("ckpt-e0002-s0001")));
            first.destroyForcibly(); // SIGKILL: no shutdown hooks, like a lost driver node
            assertTrue(first.waitFor(1, TimeUnit.MINUTES));
        } finally {
            first.destroyForcibly();
        }
        // the dead driver's lock is still there: a rerun at once is refused, naming it
        Path lock = run.resolve(OutputLock.FILE_NAME);
        assertTrue(Files.exists(lock), "SIGKILL leaves the lock");
        String refused = String.join("\n", runToEnd(command(run), 2));
        assertTrue(refused.contains("another run is writing it: host ") && refused.contains(", pid " + first.pid()
                + ", started "), refused);
        assertFalse(Files.exists(run.resolve(RunDirectory.SUCCESS)), "a killed run is not complete");
        Path checkpoints = run.resolve(RunDirectory.CHECKPOINTS);
        List<String> saved;
        try (Stream<Path> s = Files.list(checkpoints)) {
            saved = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("ckpt-")).sorted().toList();
        }
        assertEquals(List.of("ckpt-e0002-s0000", "ckpt-e0002-s0001"), saved);
        try (Stream<Path> s = Files.list(checkpoints.resolve(CheckpointManager.BEST))) {
            assertEquals(List.of("best-e0001-r" + String.format("%07d", bestRound(checkpoints))),
                    s.map(p -> p.getFileName().toString()).toList(), "the best model so far: epoch 1's");
        }

        // damage the newest checkpoint: the rerun must not load it
        Path newestModel = checkpoints.resolve("ckpt-e0002-s0001").resolve(CheckpointManager.MODEL);
        byte[] bytes = Files.readAllBytes(newestModel);
        Files.write(newestModel, Arrays.copyOf(bytes, 1000));

        // the uninterrupted reference runs while the dead driver's lock grows stale (a 2-epoch run takes
        // longer than the 30 s bound, so the wait costs the suite nothing)
        Path reference = work.resolve("reference");
        runToEnd(command(reference));
        double referenceAccuracy = accuracy(reference);
        assertTrue(referenceAccuracy >= MIN_ACCURACY, "reference accuracy " + referenceAccuracy);

        // once its heartbeat is older than the bound, the rerun takes the lock over
        long staleAt = Files.getLastModifiedTime(lock).toMillis() + TimeUnit.SECONDS.toMillis(LOCK_STALE_SECONDS + 1);
        Thread.sleep(Math.max(0, staleAt - System.currentTimeMillis()));
        List<String> rerun = runToEnd(command(run));
        String log = String.join("\n", rerun);
        assertTrue(log.contains("Taking over the stale lock") && log.contains(", pid " + first.pid() + ", started "),
                log);
        assertFalse(Files.exists(lock), "released at the end");
        assertTrue(log.contains("Skipping damaged checkpoint") && log.contains("ckpt-e0002-s0001"), log);
        assertTrue(log.contains("Resuming from checkpoint") && log.contains("ckpt-e0002-s0000: epoch 2, segment 0/3"),
                log);
        assertTrue(Files.exists(run.resolve(RunDirectory.SUCCESS)));
        JsonNode report = JSON.readTree(run.resolve("report.json").toFile());
        assertEquals(2, report.at("/training/epochs").size(), "epoch 1 from the checkpoint, epoch 2 resumed");
        JsonNode validations = report.at("/training/validation/validations");
        assertEquals(2, validations.size(), "epoch 1's validation from the checkpoint, epoch 2's after the resume");
        assertEquals(report.at("/training/epochs/0/validationAccuracy").asDouble(),
                validations.get(0).get("accuracy").asDouble(), 1e-12);
        assertTrue(report.at("/training/validation/bestModel").asBoolean());
        double resumedAccuracy = accuracy(run);
        assertTrue(resumedAccuracy >= MIN_ACCURACY, "resumed accuracy " + resumedAccuracy);
        assertEquals(referenceAccuracy, resumedAccuracy, TOLERANCE, "resumed vs uninterrupted");
    }
}

package org.sparkcnn.output;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.common.QualityGate;
import org.sparkcnn.config.OutputConfig;
import org.sparkcnn.config.ResultSettings;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunDirectoryTest {
    private static final Configuration CONF = new Configuration();
    private static final ResultSettings.Fingerprint SETTINGS = new ResultSettings.Fingerprint("train",
            Map.of("training.epochs", "1"));
    private final List<OutputLock> locks = new ArrayList<>();

    @AfterEach
    void releaseLocks() {
        locks.forEach(OutputLock::close);
    }

    private RunDirectory open(URI dir, boolean overwrite, OutputConfig.OnIncomplete onIncomplete, String runId)
            throws IOException {
        OutputConfig config = new OutputConfig(dir, overwrite, onIncomplete, Duration.ofSeconds(120));
        RunDirectory.Location where = RunDirectory.locate(CONF, dir);
        locks.forEach(OutputLock::close);
        OutputLock lock = OutputLock.acquire(where.fs(), where.dir(), config.lockStale(),
                OutputLock.Holder.thisProcess(runId, "train"));
        locks.add(lock);
        return RunDirectory.open(lock, config, runId, SETTINGS);
    }

    private RunDirectory open(Path dir) throws IOException {
        return open(dir.toUri(), false, OutputConfig.OnIncomplete.RESUME, "r1");
    }

    private static void write(RunDirectory out, String name, String text) throws IOException {
        try (OutputStream s = out.create(name)) {
            s.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    @Test
    void nothingIsLeftWhenNothingWasWritten(@TempDir Path root) throws IOException {
        RunDirectory out = open(root.resolve("run"));
        assertEquals(List.of(OutputLock.FILE_NAME), names(root.resolve("run")), "only the lock while running");
        out.abort();
        releaseLocks();
        assertFalse(Files.exists(root.resolve("run")));
    }

    @Test
    void filesAppearOnlyAtCommitWithTheSettingsAndSuccessComesLast(@TempDir Path root) throws IOException {
        Path target = root.resolve("run");
        RunDirectory out = open(target);
        write(out, "report.json", "{}");
        assertFalse(Files.exists(target.resolve("report.json")), "staged, not yet visible");
        assertFalse(RunDirectory.isComplete(CONF, target.toUri()));
        out.commit(new QualityGate(0.5).judge(0.9));
        assertEquals("{}", Files.readString(target.resolve("report.json")));
        assertTrue(RunDirectory.isComplete(CONF, target.toUri()));
        FileSystem fs = FileSystem.getLocal(CONF);
        assertEquals(SETTINGS, RunDirectory.recordedSettings(fs, new org.apache.hadoop.fs.Path(target.toUri()))
                .orElseThrow());
        releaseLocks();
        assertEquals(List.of("_SUCCESS", "_settings.json", "report.json"), names(target), "staging folder removed");
    }

    @Test
    void aRunBelowItsGateIsWrittenWithoutSuccess(@TempDir Path root) throws IOException {
        Path target = root.resolve("run");
        RunDirectory out = open(target);
        write(out, "report.json", "{}");
        out.commit(new QualityGate(0.99).judge(0.95));
        releaseLocks();
        assertEquals(List.of(RunDirectory.GATE_FAILED, "_settings.json", "report.json"), names(target));
        assertEquals(RunDirectory.State.GATE_FAILED,
                RunDirectory.state(FileSystem.getLocal(CONF), new org.apache.hadoop.fs.Path(target.toUri())));
        QualityGate.Verdict recorded = RunDirectory.recordedGateFailure(FileSystem.getLocal(CONF),
                new org.apache.hadoop.fs.Path(target.toUri())).orElseThrow();
        assertEquals(0.95, recorded.accuracy(), 1e-12);
        assertEquals(0.99, recorded.minAccuracy(), 1e-12);
        assertTrue(recorded.reason().contains("is below evaluation.min-accuracy 0.9900"), recorded.reason());
    }

    @Test
    void abortKeepsCheckpointsButDropsStagedFiles(@TempDir Path root) throws IOException {
        Path target = root.resolve("run");
        RunDirectory out = open(target);
        Files.createDirectories(Path.of(URI.create(out.checkpointsDir().toUri().toString())));
        write(out, "model.zip", "partial");
        out.abort();
        releaseLocks();
        assertEquals(List.of(RunDirectory.CHECKPOINTS), names(target));
    }

    @Test
    void anIncompleteRunIsResumedOrCleanedAsConfigured(@TempDir Path root) throws IOException {
        Path target = root.resolve("run");
        Files.createDirectories(target.resolve(RunDirectory.CHECKPOINTS).resolve("ckpt-e0001-s0001"));
        Path killedStaging = Files.createDirectories(target.resolve("_tmp-run-20261201-dead"));
        open(target.toUri(), false, OutputConfig.OnIncomplete.RESUME, "r2");
        assertTrue(Files.exists(target.resolve(RunDirectory.CHECKPOINTS)), "resume keeps checkpoints");
        assertFalse(Files.exists(killedStaging), "a killed run's staging folder is removed");
        open(target.toUri(), false, OutputConfig.OnIncomplete.CLEAN, "r3");
        assertEquals(List.of(OutputLock.FILE_NAME), names(target), "clean removes the incomplete run, not the lock");
        releaseLocks();
        assertEquals(List.of(), names(target), "a folder the run did not create stays (its permissions may matter)");
    }

    @Test
    void aFinishedRunIsReplacedOnlyWhenOverwriting(@TempDir Path root) throws IOException {
        Path target = root.resolve("run");
        RunDirectory first = open(target);
        write(first, "report.json", "first");
        first.commit();

        BadInputException e = assertThrows(BadInputException.class, () -> open(target));
        assertTrue(e.getMessage().contains("already holds a finished run"), e.getMessage());

        RunDirectory second = open(target.toUri(), true, OutputConfig.OnIncomplete.RESUME, "r2");
        write(second, "report.json", "second");
        second.commit();
        releaseLocks();
        assertEquals("second", Files.readString(target.resolve("report.json")));
        assertEquals(List.of("_SUCCESS", "_settings.json", "report.json"), names(target));
    }

    @Test
    void aFileInTheWayIsBadInput(@TempDir Path root) throws IOException {
        Path file = Files.writeString(root.resolve("run"), "x");
        BadInputException e = assertThrows(BadInputException.class, () -> open(file));
        assertTrue(e.getMessage().contains("exists and is a file"), e.getMessage());
    }

    @Test
    void trailingSlashNamesTheSameFolder(@TempDir Path root) throws IOException {
        RunDirectory out = open(URI.create(root.toUri() + "run/"), false, OutputConfig.OnIncomplete.RESUME, "r1");
        out.commit();
        assertTrue(Files.exists(root.resolve("run").resolve(RunDirectory.SUCCESS)));
    }

    @Test
    void aRunThatLostItsLockPublishesNothing(@TempDir Path root) throws IOException {
        Path target = root.resolve("run");
        RunDirectory out = open(target);
        write(out, "report.json", "{}");
        // another run took the lock over (this one's heartbeat stalled past the bound)
        Files.writeString(target.resolve(OutputLock.FILE_NAME), "{\"host\":\"h2\",\"pid\":2,\"start\":\""
                + java.time.Instant.now() + "\",\"runId\":\"other\",\"command\":\"train\"}");
        IOException e = assertThrows(IOException.class, out::commit);
        assertTrue(e.getMessage().contains("lost its lock to host h2, pid 2"), e.getMessage());
        out.abort();
        assertFalse(Files.exists(target.resolve("report.json")));
        assertFalse(Files.exists(target.resolve(RunDirectory.SUCCESS)));
    }
}

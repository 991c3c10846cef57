package org.sparkcnn.job;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.common.QualityGate;
import org.sparkcnn.common.QualityGateException;
import org.sparkcnn.config.JobConfig;
import org.sparkcnn.config.JobConfigLoader;
import org.sparkcnn.config.ResultSettings;
import org.sparkcnn.output.FolderSnapshot;
import org.sparkcnn.common.CapturedLogs;
import org.sparkcnn.output.OutputLock;
import org.sparkcnn.output.RunDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a rerun does with what output.dir already holds, decided before Spark starts: the output folders
 * here are made by hand the way a finished, gated or killed run leaves them.
 */
@Timeout(60)
class OutputClaimTest {
    @TempDir
    Path work;

    private JobConfig config(Path output, String... overrides) {
        List<String> all = new ArrayList<>(List.of("output.dir=" + output, "data.dir=" + work.resolve("mnist"),
                "training.epochs=2"));
        all.addAll(List.of(overrides));
        return JobConfigLoader.load(Optional.empty(), all);
    }

    private static OutputClaim take(JobConfig config) throws IOException {
        return OutputClaim.take(config, "train", "test-run",
                Optional.of(new QualityGate(config.evaluation().minAccuracy())));
    }

    private static org.apache.hadoop.fs.Path hadoop(Path path) {
        return new org.apache.hadoop.fs.Path(path.toUri());
    }

    private static FileSystem fs() throws IOException {
        return FileSystem.getLocal(new Configuration());
    }

    /** A finished train run of {@code config} with this test accuracy, judged by its gate. */
    private static void finished(Path dir, JobConfig config, double accuracy) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(RunDirectory.SETTINGS), ResultSettings.of("train", config).toJson());
        Files.writeString(dir.resolve("report.json"), "{\"evaluation\": {\"accuracy\": " + accuracy + "}}");
        QualityGate.Verdict verdict = new QualityGate(config.evaluation().minAccuracy()).judge(accuracy);
        if (verdict.passed()) {
            RunDirectory.markPassed(fs(), hadoop(dir));
        } else {
            RunDirectory.markGateFailed(fs(), hadoop(dir), verdict, "first-run");
        }
    }

    @Test
    void theSameFinishedJobIsANoOpAndOtherSettingsAreRefusedListingThem() throws IOException {
        Path dir = work.resolve("run");
        finished(dir, config(dir), 0.97);
        Map<String, FileTime> before = FolderSnapshot.of(dir);

        try (OutputClaim claim = take(config(dir, "training.log-every-rounds=1", "spark.master=local[2]"))) {
            assertTrue(claim.output().isEmpty(), "same settings (operational ones aside): nothing to do");
        }
        BadInputException e = assertThrows(BadInputException.class,
                () -> take(config(dir, "training.epochs=3", "model.learning-rate=0.01")));
        assertEquals("output.dir file:" + dir + ": holds a run made with other settings: "
                + "model.learning-rate 0.002 -> 0.01, training.epochs 2 -> 3; "
                + "set output.overwrite=true to replace it, or choose another output.dir", e.getMessage());
        assertEquals(before, FolderSnapshot.of(dir), "nothing changed, no lock left");

        try (OutputClaim claim = take(config(dir, "training.epochs=3", "output.overwrite=true"))) {
            assertTrue(claim.output().isPresent(), "overwrite replaces it");
        }
    }

    @Test
    void aFailedGateStaysFailedForTheSameOrAStricterGate() throws IOException {
        Path dir = work.resolve("run");
        finished(dir, config(dir, "evaluation.min-accuracy=0.99"), 0.97);
        assertFalse(Files.exists(dir.resolve(RunDirectory.SUCCESS)));

        for (String gate : List.of("0.99", "0.99", "0.995")) {
            QualityGateException e = assertThrows(QualityGateException.class,
                    () -> take(config(dir, "evaluation.min-accuracy=" + gate)));
            assertTrue(e.getMessage().startsWith("test accuracy 0.9700 is below evaluation.min-accuracy "
                    + String.format(java.util.Locale.ROOT, "%.4f", Double.parseDouble(gate))), e.getMessage());
            assertTrue(e.getMessage().contains("not run again"), e.getMessage());
            assertFalse(Files.exists(dir.resolve(RunDirectory.SUCCESS)), "never _SUCCESS below the gate");
            assertTrue(Files.exists(dir.resolve(RunDirectory.GATE_FAILED)));
            assertFalse(Files.exists(dir.resolve(OutputLock.FILE_NAME)), "lock released");
        }
    }

    @Test
    void aLooserGateTheRecordedAccuracyPassesPublishesTheRun() throws IOException {
        Path dir = work.resolve("run");
        finished(dir, config(dir, "evaluation.min-accuracy=0.99"), 0.97);
        try (OutputClaim claim = take(config(dir, "evaluation.min-accuracy=0.95"))) {
            assertTrue(claim.output().isEmpty(), "nothing to train again");
        }
        assertTrue(Files.exists(dir.resolve(RunDirectory.SUCCESS)));
        assertFalse(Files.exists(dir.resolve(RunDirectory.GATE_FAILED)));
    }

    @Test
    void aStricterGateWithdrawsAPublishedRun() throws IOException {
        Path dir = work.resolve("run");
        finished(dir, config(dir, "evaluation.min-accuracy=0.95"), 0.97);
        assertTrue(Files.exists(dir.resolve(RunDirectory.SUCCESS)));
        assertThrows(QualityGateException.class, () -> take(config(dir, "evaluation.min-accuracy=0.99")));
        assertFalse(Files.exists(dir.resolve(RunDirectory.SUCCESS)), "nothing waiting for _SUCCESS takes it now");
        assertEquals(0.99, RunDirectory.recordedGateFailure(fs(), hadoop(dir)).orElseThrow().minAccuracy(), 1e-12);
    }

    @Test
    void aSecondRunIsRefusedAtOnceNamingTheFirst() throws IOException {
        Path dir = work.resolve("run");
        OutputLock.Holder first = OutputLock.Holder.thisProcess("first-run", "train");
        try (OutputLock held = OutputLock.acquire(fs(), hadoop(dir), Duration.ofSeconds(120), first)) {
            BadInputException e = assertThrows(BadInputException.class, () -> take(config(dir)));
            assertTrue(e.getMessage().contains("another run is writing it: host " + first.host() + ", pid "
                    + first.pid() + ", started " + first.start()), e.getMessage());
            assertEquals("first-run", OutputLock.holderOf(fs(), hadoop(dir)).orElseThrow().runId());
        }
    }

    @Test
    void checkpointsMadeWithOtherSettingsAreRefusedExceptRaisedEpochs() throws IOException {
        Path dir = work.resolve("run");
        Path checkpoint = Files.createDirectories(dir.resolve(RunDirectory.CHECKPOINTS).resolve("ckpt-e0002-s0000"));
        Files.write(checkpoint.resolve("settings.json"), ResultSettings.of("train", config(dir)).toJson());

        BadInputException e = assertThrows(BadInputException.class, () -> take(config(dir, "model.seed=7")));
        assertTrue(e.getMessage().contains("its checkpoints were made with other settings: model.seed 12345 -> 7; "
                + "set output.on-incomplete=clean to start over"), e.getMessage());
        try (CapturedLogs log = CapturedLogs.of(OutputClaim.class);
             OutputClaim claim = take(config(dir, "training.epochs=4"))) {
            assertTrue(claim.output().isPresent(), "raising the epochs extends the run");
            assertTrue(log.texts().contains("INFO Resuming with settings changed since the checkpoints were written "
                    + "(safe to change): training.epochs 2 -> 4"), log.texts().toString());
        }
        try (OutputClaim claim = take(config(dir, "model.seed=7", "output.on-incomplete=clean"))) {
            assertTrue(claim.output().isPresent());
            assertFalse(Files.exists(dir.resolve(RunDirectory.CHECKPOINTS)), "clean starts over");
        }
    }

    @Test
    void anOutputDirThatCannotBeWrittenIsBadInput() throws IOException {
        Path file = Files.writeString(work.resolve("a-file"), "x");
        BadInputException e = assertThrows(BadInputException.class, () -> take(config(file.resolve("run"))));
        assertTrue(e.getMessage().startsWith("output.dir " + file.resolve("run").toUri() + "/: cannot be written here"),
                e.getMessage());
    }
}

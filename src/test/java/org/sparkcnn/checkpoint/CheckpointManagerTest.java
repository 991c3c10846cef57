package org.sparkcnn.checkpoint;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.config.ModelConfig;
import org.sparkcnn.config.Optimizer;
import org.sparkcnn.config.ResultSettings;
import org.sparkcnn.model.CnnArchitecture;
import org.sparkcnn.train.EpochRecord;
import org.sparkcnn.train.EarlyStopping;
import org.sparkcnn.train.TrainingPosition;
import org.sparkcnn.train.ValidationState;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointManagerTest {
    private static MultiLayerNetwork network;

    @BeforeAll
    static void trainedALittle() {
        network = new MultiLayerNetwork(CnnArchitecture.build(new ModelConfig(7, Optimizer.ADAM, 1e-3, 0.9, 0, 0.4, 1.0),
                DatasetShape.MNIST));
        network.init();
        // one step, so that Adam's state is not all zeros
        network.fit(Nd4j.rand(DataType.FLOAT, 8, 784), Nd4j.eye(10).getRows(0, 1, 2, 3, 4, 5, 6, 7).castTo(DataType.FLOAT));
    }

    private static TrainingPosition position(int epoch, int segments) {
        return new TrainingPosition(epoch, segments, 4, 7,
                List.of(new EpochRecord(1, 10, 600, 2.5, 240, 0.5, Double.NaN, 0.9)), List.of(0.9, 0.7, 0.5),
                ValidationState.INITIAL, null);
    }

    private static final ResultSettings.Fingerprint SETTINGS = new ResultSettings.Fingerprint("train",
            Map.of("training.epochs", "2", "model.learning-rate", "0.002"));

    private static CheckpointManager manager(java.nio.file.Path dir, int keep) throws IOException {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        return new CheckpointManager(fs, new Path(dir.toUri()), keep, SETTINGS);
    }

    private static List<String> names(java.nio.file.Path dir) throws IOException {
        try (Stream<java.nio.file.Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    @Test
    void theNewestCheckpointComesBackWithParametersOptimiserStateAndPosition(@TempDir java.nio.file.Path dir)
            throws IOException {
        CheckpointManager checkpoints = manager(dir, 2);
        checkpoints.save(network, position(1, 2));
        checkpoints.save(network, position(2, 0));
        checkpoints.save(network, position(2, 1));
        assertEquals(List.of("ckpt-e0002-s0000", "ckpt-e0002-s0001"), names(dir), "only the newest 2 kept");

        Checkpoint newest = checkpoints.newestValid().orElseThrow();
        assertEquals(position(2, 1), newest.position());
        assertEquals(network.params(), newest.network().params());
        assertEquals(network.getUpdater().getStateViewArray(), newest.network().getUpdater().getStateViewArray());
    }

    @Test
    void aDamagedOrHalfWrittenCheckpointIsSkipped(@TempDir java.nio.file.Path dir) throws IOException {
        CheckpointManager checkpoints = manager(dir, 3);
        checkpoints.save(network, position(1, 1));
        checkpoints.save(network, position(1, 2));
        // the newest is damaged: its model is cut short
        java.nio.file.Path model = dir.resolve("ckpt-e0001-s0002").resolve(CheckpointManager.MODEL);
        byte[] bytes = Files.readAllBytes(model);
        Files.write(model, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        // and a crash left a temporary folder that must never be taken for a checkpoint
        Files.createDirectories(dir.resolve("_tmp-ckpt-e0009-s0000-1"));

        Checkpoint used = checkpoints.newestValid().orElseThrow();
        assertEquals(position(1, 1), used.position());
        assertTrue(used.path().getName().endsWith("ckpt-e0001-s0001"));
    }

    @Test
    void theEarlyStoppingStateAndTheBestModelSurviveTheRoundTrip(@TempDir java.nio.file.Path dir)
            throws IOException {
        CheckpointManager checkpoints = manager(dir, 2);
        EarlyStopping rule = new EarlyStopping(2, 0.01);
        ValidationState state = rule.observe(ValidationState.INITIAL, 1, 10, true, 0.95, 0.2);
        MultiLayerNetwork best = network.clone();
        checkpoints.saveBest(best, state.best().orElseThrow());
        state = rule.observe(state, 2, 20, true, 0.955, 0.18);
        // the live model moves on after the best one was measured
        MultiLayerNetwork later = network.clone();
        later.params().addi(0.5);
        TrainingPosition position = new TrainingPosition(3, 0, 4, 7, List.of(), List.of(0.9, 0.7), state,
                state.best().orElseThrow().modelName());
        checkpoints.save(later, position);

        Checkpoint read = checkpoints.newestValid().orElseThrow();
        assertEquals(position, read.position(), "history, best index and patience used");
        assertEquals(1, read.position().validation().validationsWithoutImprovement());
        assertEquals(later.params(), read.network().params());
        assertEquals(best.params(), read.toResumePoint().bestNetwork().orElseThrow().params());
        assertEquals(best.getUpdater().getStateViewArray(), read.best().getUpdater().getStateViewArray());

        // one more validation without improvement: stopped; the stopped state is resumed as stopped
        ValidationState stopped = rule.observe(state, 3, 30, true, 0.951, 0.19);
        assertTrue(stopped.stopped(), stopped.toString());
        checkpoints.save(later, new TrainingPosition(4, 0, 4, 7, List.of(), List.of(), stopped,
                stopped.best().orElseThrow().modelName()));
        assertEquals(stopped, checkpoints.newestValid().orElseThrow().position().validation());
    }

    @Test
    void bestModelsNoKeptCheckpointNamesAreRemovedAndAMissingOneMakesTheCheckpointDamaged(
            @TempDir java.nio.file.Path dir) throws IOException {
        CheckpointManager checkpoints = manager(dir, 1);
        EarlyStopping rule = new EarlyStopping(0, 0);
        ValidationState first = rule.observe(ValidationState.INITIAL, 1, 10, true, 0.90, 0.3);
        checkpoints.saveBest(network, first.best().orElseThrow());
        checkpoints.save(network, new TrainingPosition(2, 0, 1, 7, List.of(), List.of(), first,
                first.best().orElseThrow().modelName()));
        ValidationState second = rule.observe(first, 2, 20, true, 0.93, 0.2);
        checkpoints.saveBest(network, second.best().orElseThrow());
        assertEquals(List.of("best-e0001-r0000010", "best-e0002-r0000020"), names(dir.resolve(CheckpointManager.BEST)));
        checkpoints.save(network, new TrainingPosition(3, 0, 1, 7, List.of(), List.of(), second,
                second.best().orElseThrow().modelName()));
        assertEquals(List.of("best-e0002-r0000020"), names(dir.resolve(CheckpointManager.BEST)),
                "the first best is named by no kept checkpoint");

        Files.delete(dir.resolve(CheckpointManager.BEST).resolve("best-e0002-r0000020").resolve(CheckpointManager.MODEL));
        assertTrue(checkpoints.newestValid().isEmpty(), "a checkpoint without its best model is never loaded");
    }

    @Test
    void withoutAValidationSetTheBestIsOnlyReportedAndTheCheckpointNeedsNoStoredModel(
            @TempDir java.nio.file.Path dir) throws IOException {
        // the default job: validations on the test set are recorded (best included) but no model is stored
        CheckpointManager checkpoints = manager(dir, 2);
        ValidationState state = EarlyStopping.OFF.observe(ValidationState.INITIAL, 1, 93, true, 0.985, 0.04);
        TrainingPosition position = new TrainingPosition(2, 0, 2, 7, List.of(), List.of(0.1), state, null);
        checkpoints.save(network, position);

        Checkpoint read = checkpoints.newestValid().orElseThrow();
        assertEquals(position, read.position());
        assertTrue(read.toResumePoint().bestNetwork().isEmpty());
    }

    @Test
    void noCheckpointsMeansAFreshStart(@TempDir java.nio.file.Path dir) throws IOException {
        assertTrue(manager(dir.resolve("none"), 2).newestValid().isEmpty());
    }

    @Test
    void everyCheckpointRecordsTheRunsSettings(@TempDir java.nio.file.Path dir) throws IOException {
        CheckpointManager checkpoints = manager(dir, 2);
        assertTrue(checkpoints.newestSettings().isEmpty(), "no checkpoint, no settings");
        checkpoints.save(network, position(1, 1));
        assertTrue(Files.exists(dir.resolve("ckpt-e0001-s0001").resolve(CheckpointManager.SETTINGS)));
        assertEquals(SETTINGS, checkpoints.newestSettings().orElseThrow());
    }

    @Test
    void whatAKilledWriteLeftIsRemovedBeforeAResume(@TempDir java.nio.file.Path dir) throws IOException {
        CheckpointManager checkpoints = manager(dir, 2);
        checkpoints.save(network, position(1, 1));
        // a run killed in the middle of writing a checkpoint and a best model
        java.nio.file.Path deadCheckpoint = Files.createDirectories(dir.resolve("_tmp-ckpt-e0001-s0002-1a2b3c4d"));
        Files.write(deadCheckpoint.resolve(CheckpointManager.MODEL), new byte[1000]);
        java.nio.file.Path deadBest = Files.createDirectories(dir.resolve(CheckpointManager.BEST)
                .resolve("_tmp-best-e0001-r0000020-5e6f7a8b"));

        checkpoints.removeLeftovers();

        assertFalse(Files.exists(deadCheckpoint));
        assertFalse(Files.exists(deadBest));
        assertEquals(List.of(CheckpointManager.BEST, "ckpt-e0001-s0001"), names(dir), "complete checkpoints stay");
        assertEquals(position(1, 1), checkpoints.newestValid().orElseThrow().position());
    }
}

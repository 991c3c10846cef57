package org.sparkcnn.cli;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.common.ExitCode;
import org.sparkcnn.config.ModelConfig;
import org.sparkcnn.config.Optimizer;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.model.CnnArchitecture;
import org.sparkcnn.output.FolderSnapshot;
import org.sparkcnn.output.ModelStore;
import org.sparkcnn.output.RunDirectory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a run needs at its end is proven before it starts Spark (in every deploy mode: the driver does this
 * before its SparkContext): an unwritable checkpoints folder and a damaged model are exit 2 at once, with
 * one line naming the URI and the cause, and nothing is written. (An unwritable output.dir:
 * OutputClaimTest and the README's /proc/nowhere run.)
 */
@Timeout(120)
class FailFastTest {
    @TempDir
    Path work;

    private static String[] job(String command, String... extra) {
        List<String> all = new java.util.ArrayList<>(List.of(command, "--config", "conf/sparkcnn.conf",
                "data.dir=" + MnistFixture.dir(), "training.epochs=1", "spark.master=local[1]",
                "spark.properties.\"spark.ui.enabled\"=false"));
        all.addAll(Arrays.asList(extra));
        return all.toArray(String[]::new);
    }

    /** The one line sparkcnn printed for the refusal. */
    private static String refusal(CliRunner.Result result) {
        List<String> lines = result.stderr().lines().filter(l -> l.startsWith("sparkcnn: ")).toList();
        assertEquals(1, lines.size(), result.stderr());
        return lines.get(0);
    }

    @Test
    void aCheckpointsFolderThatCannotBeWrittenIsRefusedBeforeTraining() throws IOException {
        Path run = Files.createDirectories(work.resolve("run"));
        // root writes anywhere on a local disk, so the folder is blocked by a file where it would be
        Files.writeString(run.resolve(RunDirectory.CHECKPOINTS), "a file in the way");
        Map<String, FileTime> before = FolderSnapshot.of(run);
        long started = System.nanoTime();
        CliRunner.Result result = CliRunner.run(job("train", "output.dir=" + run));
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        assertEquals(ExitCode.BAD_INPUT, result.exitCode(), result.stderr());
        String line = refusal(result);
        assertTrue(line.contains("output.dir's checkpoints folder file:" + run.resolve(RunDirectory.CHECKPOINTS)
                + ": cannot be written here ("), line);
        assertEquals(before, FolderSnapshot.of(run), "nothing written, no lock left");
        assertTrue(seconds < 15, "refused after " + seconds + " s");
    }

    @Test
    void aTruncatedModelIsRefusedBeforeEvaluatingOrPredicting() throws IOException {
        Path model = work.resolve("model.zip");
        ModelConfig config = new ModelConfig(42, Optimizer.ADAM, 1e-3, 0.9, 0, 0.4, 1.0);
        MultiLayerNetwork network = new MultiLayerNetwork(CnnArchitecture.build(config, org.sparkcnn.data.DatasetShape.MNIST));
        network.init();
        try (OutputStream out = Files.newOutputStream(model)) {
            ModelStore.write(network, out);
        }
        byte[] whole = Files.readAllBytes(model);
        Files.write(model, Arrays.copyOf(whole, whole.length / 2));

        for (String command : new String[]{"evaluate", "predict"}) {
            Path output = work.resolve(command);
            long started = System.nanoTime();
            String[] args = command.equals("predict")
                    ? job(command, "--model", model.toString(), "--input", MnistFixture.testImages().toString(),
                    "output.dir=" + output)
                    : job(command, "--model", model.toString(), "output.dir=" + output);
            CliRunner.Result result = CliRunner.run(args);
            long seconds = (System.nanoTime() - started) / 1_000_000_000L;
            assertEquals(ExitCode.BAD_INPUT, result.exitCode(), command + ": " + result.stderr());
            String line = refusal(result);
            assertTrue(line.contains(model.toUri().getPath() + ": not a readable DL4J model zip ("), line);
            assertFalse(Files.exists(output), command + " created output.dir");
            assertTrue(seconds < 15, command + " refused after " + seconds + " s");
        }
    }

    /** A setting of an engine the command does not run is refused from the command line, before anything is written. */
    @Test
    void aSettingOfAnEngineThatDoesNotRunIsRefusedAtOnce() {
        Map<String, String[]> runs = Map.of(
                "training.prefetch-batches: does not apply to training.engine=allreduce (only parameter-averaging "
                        + "reads it: remove it, or set training.engine=parameter-averaging)",
                job("train", "training.prefetch-batches=4", "output.dir=" + work.resolve("train")),
                "training.peer-timeout-seconds: does not apply to this bench, which runs no allreduce case (remove "
                        + "it, or list averaging frequencies in bench.allreduce-averaging-frequencies)",
                job("bench", "training.peer-timeout-seconds=30", "bench.allreduce-averaging-frequencies=[]",
                        "output.dir=" + work.resolve("bench")));
        runs.forEach((expected, args) -> {
            CliRunner.Result result = CliRunner.run(args);
            assertEquals(ExitCode.BAD_INPUT, result.exitCode(), args[0] + ": " + result.stderr());
            assertTrue(refusal(result).endsWith(expected), refusal(result));
            assertFalse(Files.exists(work.resolve(args[0])), args[0] + " created output.dir");
        });
    }
}

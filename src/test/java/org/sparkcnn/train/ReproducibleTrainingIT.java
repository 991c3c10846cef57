package org.sparkcnn.train;

import org.sparkcnn.common.CapturedLogs;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.cli.SparkCnn;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.output.ModelStore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same configuration, seed, data and number of workers give the same model: two training runs on
 * Spark local[2] and real MNIST end with the same parameters (SHA-256 of the parameter vector) and the
 * same test accuracy and loss in report.json, and so does a third run whose first pass failed in round
 * 3 and was retried.
 */
@Timeout(900)
class ReproducibleTrainingIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;

    private record Run(String parametersSha256, double accuracy, double loss) {
    }

    private static Run train(String name) throws IOException, NoSuchAlgorithmException {
        Path out = work.resolve(name);
        int code = SparkCnn.execute("train", "data.dir=" + MnistFixture.dir(), "data.train-limit=4000",
                "training.epochs=1", "spark.master=local[2]", "spark.properties.\"spark.ui.enabled\"=false",
                "output.dir=" + out);
        assertEquals(0, code, name + " exit code");
        float[] params = ModelStore.read(new Configuration(), out.toUri()).params().toFloatVector();
        ByteBuffer bytes = ByteBuffer.allocate(params.length * Float.BYTES);
        bytes.asFloatBuffer().put(params);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
        JsonNode evaluation = JSON.readTree(out.resolve("report.json").toFile()).at("/evaluation");
        Run run = new Run(sha, evaluation.at("/accuracy").asDouble(), evaluation.at("/loss").asDouble());
        System.out.println(name + ": " + run);
        return run;
    }

    @Test
    void twoRunsAndARunWithARetriedPassGiveTheSameModel() throws Exception {
        Run first = train("first");
        assertTrue(first.accuracy() > 0.85, "trained: " + first);
        Run second = train("second");
        assertEquals(first, second, "a second run with the same settings");

        Run retried;
        try (CapturedLogs log = CapturedLogs.of(AllReduceTrainer.class)) {
            WorkerFaults.arm(new WorkerFaults.Fault(1, 3, WorkerFaults.Kind.THROW));
            retried = train("retried");
            assertTrue(WorkerFaults.firedAtNanos() != 0, "the injected failure happened");
            assertEquals(1, log.containing("All-reduce pass failed (attempt").size(), "the pass was retried");
        } finally {
            WorkerFaults.disarm();
        }
        assertEquals(first, retried, "a run whose first pass failed in round 3 and was retried");
    }
}

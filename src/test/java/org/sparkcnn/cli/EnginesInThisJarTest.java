package org.sparkcnn.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.config.TrainingEngine;
import org.sparkcnn.train.TrainingEngines;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs in both builds and checks each against what its classpath really holds: the Spark 3.5 build has
 * dl4j-spark and so the parameter-averaging engine, the Spark 4 build has neither, and there asking for
 * that engine is bad input (exit 2, one line) found before any output is written.
 */
class EnginesInThisJarTest {
    private static boolean dl4jSparkOnClasspath() {
        try {
            Class.forName("org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer", false,
                    EnginesInThisJarTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @Test
    void theEnginesAreThoseTheClasspathHas() {
        assertTrue(TrainingEngines.has(TrainingEngine.ALLREDUCE));
        assertEquals(dl4jSparkOnClasspath(), TrainingEngines.has(TrainingEngine.PARAMETER_AVERAGING));
    }

    @Test
    void versionNamesTheEnginesOfThisJar() {
        String[] version = new VersionProvider().getVersion();
        String all = String.join("\n", version);
        assertTrue(all.contains("engines: allreduce (sparkcnn ring all-reduce)"), all);
        assertEquals(dl4jSparkOnClasspath(), all.contains("parameter-averaging (dl4j-spark 1.0.0-M2)"), all);
        assertFalse(all.contains("unknown"), all);
        assertTrue(version[0].contains("Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION()), version[0]);
    }

    @Test
    void parameterAveragingIsRefusedWithOneLineWhereTheJarLacksIt(@TempDir Path tmp) {
        Path out = tmp.resolve("run");
        if (dl4jSparkOnClasspath()) {
            // the Spark 3.5 build: the engine is there to build (training with it is TrainAndEvaluateIT's and BenchIT's)
            assertEquals(TrainingEngine.PARAMETER_AVERAGING,
                    TrainingEngines.require(TrainingEngine.PARAMETER_AVERAGING, "training.engine").engine());
            return;
        }
        for (List<String> args : List.of(List.of("train", "training.engine=parameter-averaging"),
                List.of("bench", "bench.parameter-averaging=true"))) {
            List<String> all = new java.util.ArrayList<>(args);
            all.add("output.dir=" + out.toUri());
            CliRunner.Result r = CliRunner.run(all.toArray(String[]::new));
            assertEquals(2, r.exitCode(), r.stderr());
            List<String> ours = Arrays.stream(r.stderr().split("\\R")).filter(l -> l.startsWith("sparkcnn: ")).toList();
            assertEquals(1, ours.size(), r.stderr());
            assertTrue(ours.get(0).startsWith("sparkcnn: " + args.get(1) + ": this sparkcnn jar (Spark 4"), ours.get(0));
            assertTrue(ours.get(0).contains("has no parameter-averaging engine; it has allreduce"), ours.get(0));
            assertFalse(Files.exists(out), "nothing is written before the refusal");
        }
    }
}

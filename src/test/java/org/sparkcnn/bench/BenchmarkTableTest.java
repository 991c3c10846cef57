package org.sparkcnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchmarkTableTest {
    private static final List<Double> TARGETS = List.of(0.9, 0.99, 0.993);

    /** Validated three times: 85% after 10 s of training, 99.0% (exactly) after 20 s, 98.8% after 30 s. */
    private static BenchmarkResult allreduce() {
        return BenchmarkResult.builder().name("allreduce, averaging every 5").engine("allreduce").workers(2)
                .threadsPerWorker(1).batchSizePerWorker(128).averagingFrequency(5).images(60_000).wallSeconds(30)
                .cpuSeconds(57).computeSeconds(24).averagingSeconds(3).otherSeconds(3).testAccuracy(0.9885)
                .validationSeconds(6).validations(List.of(new ValidationPoint(10, 0.85), new ValidationPoint(20, 0.99),
                        new ValidationPoint(30, 0.988)))
                .build();
    }

    @Test
    void theTimeToATargetIsThatOfTheFirstValidationAtOrAboveIt() {
        BenchmarkResult r = allreduce();
        assertEquals(OptionalDouble.of(10), r.trainingSecondsTo(0.85), "at the target counts");
        assertEquals(OptionalDouble.of(20), r.trainingSecondsTo(0.9));
        assertEquals(OptionalDouble.of(20), r.trainingSecondsTo(0.99), "the first, not a later one");
        assertEquals(OptionalDouble.empty(), r.trainingSecondsTo(0.993));
        assertEquals(2000, r.imagesPerSecond(), 1e-9, "training time only: the 6 s of validations are not in it");
    }

    @Test
    void everyFieldIsNamedOrTheBuilderRefuses() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> BenchmarkResult.builder().name("x").engine("allreduce").build());
        assertEquals("BenchmarkResult.workers was not set", e.getMessage());
    }

    @Test
    void theConsoleShowsATimeOrNotReachedPerTargetNextToImagesPerSecond() {
        String console = new BenchmarkTable(List.of(allreduce()), TARGETS, List.of(), Optional.empty()).console();
        List<String> lines = console.lines().toList();
        assertTrue(lines.get(0).contains("images/s  s to 90.0%  s to 99.0%  s to 99.3% cpu ms/i"), console);
        assertTrue(lines.get(1).contains("60000      2000        20.0        20.0 not reached     0.95"), console);
        assertTrue(lines.get(1).endsWith("98.85%"), console);
        assertTrue(lines.get(2).startsWith("s to X%: training seconds (wall clock less the time spent validating"),
                console);
    }

    @Test
    void withoutTargetsTheTableHasNoTimeColumns() {
        String console = new BenchmarkTable(List.of(allreduce()), List.of(), List.of(), Optional.empty()).console();
        assertFalse(console.contains("s to"), console);
        assertEquals(2, console.lines().count(), console);
        String csv = new BenchmarkTable(List.of(allreduce()), List.of(), List.of(), Optional.empty()).csv();
        assertFalse(csv.contains("training_seconds_to"), csv);
    }

    @Test
    void theCsvHasATrainingTimeColumnPerTarget() {
        List<String> csv = new BenchmarkTable(List.of(allreduce()), TARGETS, List.of(), Optional.empty()).csv()
                .lines().toList();
        assertEquals("case,engine,workers,threads_per_worker,batch_size_per_worker,averaging_frequency,images,"
                + "wall_seconds,images_per_second,training_seconds_to_accuracy_0.9,training_seconds_to_accuracy_0.99,"
                + "training_seconds_to_accuracy_0.993,cpu_seconds,cpu_ms_per_image,compute_seconds,averaging_seconds,"
                + "other_seconds,test_accuracy,validations,validation_seconds", csv.get(0));
        assertEquals("\"allreduce, averaging every 5\",allreduce,2,1,128,5,60000,30.000,2000.0,20.000,20.000,"
                + "not reached,57.000,0.9500,24.000,3.000,3.000,0.9885,3,6.000", csv.get(1));
    }

    @Test
    void theJsonHasTheTargetsEveryValidationAndTheTimeToEachTarget() throws IOException {
        JsonNode root = new ObjectMapper().readTree(new BenchmarkTable(List.of(allreduce()), TARGETS, List.of(),
                Optional.empty()).json("2 cores", "{}"));
        assertEquals("[0.9,0.99,0.993]", root.get("accuracyTargets").toString());
        JsonNode c = root.get("cases").get(0);
        assertEquals(6, c.get("validationSeconds").asDouble());
        assertEquals("[{\"trainingSeconds\":10.0,\"accuracy\":0.85},{\"trainingSeconds\":20.0,\"accuracy\":0.99},"
                + "{\"trainingSeconds\":30.0,\"accuracy\":0.988}]", c.get("validations").toString());
        assertEquals("[{\"target\":0.9,\"reached\":true,\"trainingSeconds\":20.0},"
                + "{\"target\":0.99,\"reached\":true,\"trainingSeconds\":20.0},"
                + "{\"target\":0.993,\"reached\":false,\"trainingSeconds\":null}]", c.get("timeToAccuracy").toString());
        assertEquals(2000, c.get("imagesPerSecond").asDouble(), 1e-9);
    }

    @Test
    void targetsReadAsPercentages() {
        assertEquals("99.0", BenchmarkTable.percent(0.99));
        assertEquals("99.3", BenchmarkTable.percent(0.993));
        assertEquals("99.25", BenchmarkTable.percent(0.9925));
        assertEquals("100.0", BenchmarkTable.percent(1));
    }
}

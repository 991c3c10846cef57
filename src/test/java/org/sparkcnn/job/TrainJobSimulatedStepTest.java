package org.sparkcnn.job;

import org.junit.jupiter.api.Test;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.config.JobConfigLoader;
import org.sparkcnn.config.JobConfig;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench's compute-free mode never trains a model that learned nothing: train refuses it up front. */
class TrainJobSimulatedStepTest {
    @Test
    void trainRefusesTheComputeFreeBenchModeBeforeStarting() {
        JobConfig config = JobConfigLoader.load(Optional.empty(), List.of("bench.simulated-step-millis=60",
                "bench.single-jvm-threads=[]", "bench.per-core-batch-sizes=[]", "bench.parameter-averaging=false",
                "output.dir=/nonexistent/never-created"));
        BadInputException e = assertThrows(BadInputException.class, () -> TrainJob.run(config));
        assertTrue(e.getMessage().startsWith("bench.simulated-step-millis = 60: the bench's compute-free mode"),
                e.getMessage());
    }
}

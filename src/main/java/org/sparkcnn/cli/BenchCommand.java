package org.sparkcnn.cli;

import org.sparkcnn.bench.BenchmarkTable;
import org.sparkcnn.config.JobConfig;
import org.sparkcnn.config.TrainingEngine;
import org.sparkcnn.train.TrainingEngines;
import org.sparkcnn.job.BenchJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark: train the same CNN on the same data and budget (bench.epochs) as a single JVM "
                + "without Spark and on Spark with each engine and averaging frequency (bench.*), then print and "
                + "write images/s, CPU per image, compute/averaging/other time and test accuracy to "
                + "output.dir/bench.csv and bench.json.")
final class BenchCommand implements Callable<Integer> {
    @Mixin
    JobOptions job;

    @Override
    public Integer call() throws Exception {
        JobConfig config = job.loadForBench();
        if (config.bench().parameterAveraging().orElse(false)) {
            TrainingEngines.require(TrainingEngine.PARAMETER_AVERAGING, "bench.parameter-averaging=true");
        }
        Optional<BenchmarkTable> table = BenchJob.run(config);
        if (table.isEmpty()) {
            JobOptions.reportAlreadyComplete(config);
        } else {
            System.out.print(table.get().console());
        }
        return 0;
    }
}

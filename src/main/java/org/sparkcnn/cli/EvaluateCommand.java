package org.sparkcnn.cli;

import org.sparkcnn.job.EvaluateJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a saved model on the test set and write metrics.json and _SUCCESS to output.dir.")
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "URI",
            description = "A model.zip, or the output folder of a train run (any Hadoop URI or local path).")
    String model;

    @Mixin
    JobOptions job;

    @Override
    public Integer call() throws Exception {
        job.overrides.add("evaluation.model=" + model);
        EvaluateJob.run(job.load());
        return 0;
    }
}

package org.sparkcnn.cli;

import org.sparkcnn.job.EvaluateJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a saved model on the test set and write metrics.json and _SUCCESS to output.dir.")
final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Mixin
    JobOptions job;

    @Override
    public Integer call() throws Exception {
        job.overrides.add("evaluation.model=" + model.model);
        EvaluateJob.run(job.load());
        return 0;
    }
}

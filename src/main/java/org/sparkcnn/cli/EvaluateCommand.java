package org.sparkcnn.cli;

import org.sparkcnn.job.EvaluateJob;
import org.sparkcnn.config.JobConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a saved model on the test set and write its report (report.json, report.html, CSVs, "
                + "pictures) and _SUCCESS to output.dir.")
final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Mixin
    JobOptions job;

    @Mixin
    QualityGateOption gate;

    @Override
    public Integer call() throws Exception {
        job.overrides.add("evaluation.model=" + model.model);
        gate.addTo(job.overrides);
        JobConfig config = job.load();
        if (EvaluateJob.run(config).isEmpty()) {
            JobOptions.reportAlreadyComplete(config);
        }
        return 0;
    }
}

package org.sparkcnn.cli;

import org.sparkcnn.job.TrainJob;
import org.sparkcnn.config.JobConfig;
import org.sparkcnn.train.TrainingEngines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the CNN on the executors (checkpointing; a rerun resumes), evaluate it on the test "
                + "set, and write model.zip, the report and _SUCCESS to output.dir.")
final class TrainCommand implements Callable<Integer> {
    @Mixin
    JobOptions job;

    @Mixin
    QualityGateOption gate;

    @Override
    public Integer call() throws Exception {
        gate.addTo(job.overrides);
        JobConfig config = job.load();
        TrainingEngines.require(config.training().engine(),
                "training.engine=" + config.training().engine().configValue());
        if (TrainJob.run(config).isEmpty()) {
            JobOptions.reportAlreadyComplete(config);
        }
        return 0;
    }
}

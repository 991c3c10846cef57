package org.sparkcnn.cli;

import org.sparkcnn.job.TrainJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the CNN on the executors, evaluate it on the test set, and write model.zip, "
                + "metrics.json and _SUCCESS to output.dir.")
final class TrainCommand implements Callable<Integer> {
    @Mixin
    JobOptions job;

    @Override
    public Integer call() throws Exception {
        TrainJob.run(job.load());
        return 0;
    }
}

package org.sparkcnn.cli;

import org.sparkcnn.job.PredictJob;
import org.sparkcnn.config.JobConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Score images with a saved model on the executors; write Parquet (id, [label,] prediction, "
                + "probability), _summary.json and _SUCCESS to output.dir.")
final class PredictCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "URI",
            description = "The images: an IDX images file, a Parquet folder or an image folder (see --format).")
    String input;

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT",
            description = "idx (default), parquet or images (a folder of PNG/JPEG files).")
    String format;

    @Mixin
    JobOptions job;

    @Override
    public Integer call() throws Exception {
        job.overrides.add("predict.model=" + model.model);
        job.overrides.add("predict.input=" + input);
        if (format != null) {
            job.overrides.add("predict.format=" + format);
        }
        JobConfig config = job.load();
        if (PredictJob.run(config).isEmpty()) {
            JobOptions.reportAlreadyComplete(config);
        }
        return 0;
    }
}

package org.sparkcnn.cli;

import org.sparkcnn.config.JobConfig;
import org.sparkcnn.config.JobConfigLoader;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The options every job command shares: a config file and key=value overrides. */
final class JobOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Job configuration (HOCON), e.g. conf/sparkcnn.conf. Default: built-in defaults.")
    Path config;

    @Parameters(paramLabel = "KEY=VALUE", arity = "0..*",
            description = "Setting overrides, e.g. training.epochs=2 output.dir=hdfs://nn:8020/runs/r1")
    List<String> overrides = new ArrayList<>();

    JobConfig load() {
        return JobConfigLoader.load(Optional.ofNullable(config), overrides);
    }

    /** As {@link #load()} for the bench, whose cases (not training.engine) decide which engine settings apply. */
    JobConfig loadForBench() {
        return JobConfigLoader.loadForBench(Optional.ofNullable(config), overrides);
    }

    /** A rerun of a job that already completed does nothing and succeeds, as schedulers expect. */
    static void reportAlreadyComplete(JobConfig config) {
        System.err.println("sparkcnn: output.dir " + config.output().dir() + " already holds a complete run "
                + "(_SUCCESS): nothing to do. Set output.overwrite=true to run it again.");
    }
}

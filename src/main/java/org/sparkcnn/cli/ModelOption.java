package org.sparkcnn.cli;

import picocli.CommandLine.Option;

/** The saved model a command uses. */
final class ModelOption {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "URI",
            description = "A model.zip, or the output folder of a train run (any Hadoop URI or local path).")
    String model;
}

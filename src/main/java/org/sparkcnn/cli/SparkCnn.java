package org.sparkcnn.cli;

import org.sparkcnn.common.BadInputException;
import org.sparkcnn.common.ExitCode;
import org.sparkcnn.common.QualityGateException;
import org.apache.spark.SparkUserAppException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code sparkcnn} command, for spark-submit and the embedded launcher alike.
 * Exit codes: 0 success (or nothing to do), 1 runtime failure, 2 bad input or configuration, 3 quality
 * gate missed after the report was written (see README).
 */
@Command(name = "sparkcnn", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Train and evaluate a CNN on MNIST-style IDX data, distributed over Spark executors.",
        subcommands = {TrainCommand.class, EvaluateCommand.class, PredictCommand.class, DownloadCommand.class,
                BenchCommand.class})
public final class SparkCnn implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(SparkCnn.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: train, evaluate, predict or download");
    }

    public static void main(String[] args) throws SparkUserAppException {
        DriverExit.exit(execute(args));
    }

    /** Runs the command line and returns the exit code instead of exiting (used by tests). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new SparkCnn());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> handle(e));
        cli.setParameterExceptionHandler((e, args1) -> {
            System.err.println("sparkcnn: " + e.getMessage());
            System.err.println("Try 'sparkcnn " + (e.getCommandLine().getCommandName().equals("sparkcnn")
                    ? "" : e.getCommandLine().getCommandName() + " ") + "--help'.");
            return ExitCode.BAD_INPUT;
        });
        return cli.execute(args);
    }

    private static int handle(Exception e) {
        QualityGateException gate = causeOfType(e, QualityGateException.class);
        if (gate != null) {
            System.err.println("sparkcnn: quality gate failed: " + gate.getMessage());
            return ExitCode.QUALITY_GATE;
        }
        BadInputException bad = causeOfType(e, BadInputException.class);
        if (bad != null) {
            LOG.debug("Bad input", e);
            System.err.println("sparkcnn: " + bad.getMessage());
            return ExitCode.BAD_INPUT;
        }
        LOG.error("sparkcnn failed", e);
        System.err.println("sparkcnn: failed: " + e);
        return ExitCode.FAILURE;
    }

    /** Executor-side bad input reaches the driver wrapped in a SparkException: look through the causes. */
    private static <T extends Throwable> T causeOfType(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}

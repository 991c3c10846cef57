package org.sparkcnn.common;

/**
 * The run completed and wrote its report, but the model is below the configured quality bar
 * (evaluation.min-accuracy): the CLI exits with {@link ExitCode#QUALITY_GATE} so schedulers fail the run.
 */
public class QualityGateException extends RuntimeException {
    public QualityGateException(String message) {
        super(message);
    }

    /** Throws when {@code accuracy} is below {@code minAccuracy} (0 = no gate). */
    public static void check(double accuracy, double minAccuracy) {
        if (minAccuracy > 0 && !(accuracy >= minAccuracy)) {
            throw new QualityGateException(String.format(java.util.Locale.ROOT,
                    "test accuracy %.4f is below evaluation.min-accuracy %.4f (the report was written)",
                    accuracy, minAccuracy));
        }
    }
}

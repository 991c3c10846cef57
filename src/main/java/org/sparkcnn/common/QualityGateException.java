package org.sparkcnn.common;

/**
 * The model is below the configured quality bar (evaluation.min-accuracy): the CLI exits with
 * {@link ExitCode#QUALITY_GATE} so schedulers fail the run. Thrown after the report was written (and
 * published without {@code _SUCCESS}), or on a rerun that judges the recorded accuracy again.
 */
public class QualityGateException extends RuntimeException {
    public QualityGateException(String message) {
        super(message);
    }
}

package org.sparkcnn.common;

/** Process exit codes, documented in README.md; schedulers (Airflow, Oozie, cron) act on them. */
public final class ExitCode {
    public static final int OK = 0;
    /** A runtime failure: Spark job failed, I/O error, out of memory... */
    public static final int FAILURE = 1;
    /** Bad input or configuration: nothing was written. */
    public static final int BAD_INPUT = 2;
    /** The run completed and wrote its report, but the model missed evaluation.min-accuracy. */
    public static final int QUALITY_GATE = 3;

    private ExitCode() {
    }
}

package org.sparkcnn.config;

import java.util.Locale;

/** The distributed-training engines a job can choose; the config value is the lower-case, hyphenated name. */
public enum TrainingEngine {
    /** Models resident on the workers for a whole pass, averaged by a ring all-reduce between them. */
    ALLREDUCE,
    /** dl4j-spark's ParameterAveragingTrainingMaster: one Spark job per round, averaged on the driver. */
    PARAMETER_AVERAGING;

    /** The value of {@code training.engine} that chooses this engine, e.g. "parameter-averaging". */
    public String configValue() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}

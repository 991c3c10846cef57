package org.sparkcnn.config;

import java.util.Objects;

/**
 * How the distributed training runs: the settings every engine reads, and each engine's own settings in
 * its own record (handed only to that engine). Built by name through {@link #builder()}: most fields are
 * whole numbers, which a positional constructor call would let one swap unnoticed.
 *
 * @param engine                  how the workers' models are averaged
 * @param epochs                  passes over the training set
 * @param batchSizePerWorker      minibatch size each worker fits
 * @param averagingFrequency      minibatches per worker between two parameter averagings
 * @param workers                 parallel training tasks; 0 = Spark's default parallelism
 * @param averageUpdaterState     average the optimiser state too
 * @param threadsPerTask          native threads per training task; 0 = derived from the executor's cores
 * @param logEveryRounds          progress log interval in rounds
 * @param logProbabilitiesEveryRounds interval of the DEBUG softmax sample log, 0 = off
 * @param allReduce               the {@code allreduce} engine's own settings
 * @param parameterAveraging      the {@code parameter-averaging} engine's own settings
 */
public record TrainingConfig(TrainingEngine engine, int epochs, int batchSizePerWorker, int averagingFrequency,
                             int workers, boolean averageUpdaterState, int threadsPerTask, int logEveryRounds,
                             int logProbabilitiesEveryRounds, AllReduceSettings allReduce,
                             ParameterAveragingSettings parameterAveraging) {
    public TrainingConfig {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(allReduce, "allReduce");
        Objects.requireNonNull(parameterAveraging, "parameterAveraging");
    }

    /** A builder with nothing set: every field must be named (reference.conf holds the defaults). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to change some of them. */
    public Builder toBuilder() {
        return new Builder().engine(engine).epochs(epochs).batchSizePerWorker(batchSizePerWorker)
                .averagingFrequency(averagingFrequency).workers(workers).averageUpdaterState(averageUpdaterState)
                .threadsPerTask(threadsPerTask).logEveryRounds(logEveryRounds)
                .logProbabilitiesEveryRounds(logProbabilitiesEveryRounds).allReduce(allReduce)
                .parameterAveraging(parameterAveraging);
    }

    /** The same settings with another engine and averaging frequency (benchmarks compare them). */
    public TrainingConfig withEngine(TrainingEngine otherEngine, int otherAveragingFrequency) {
        return toBuilder().engine(otherEngine).averagingFrequency(otherAveragingFrequency).build();
    }

    /** The same settings with another number of epochs. */
    public TrainingConfig withEpochs(int otherEpochs) {
        return toBuilder().epochs(otherEpochs).build();
    }

    /** Builds a {@link TrainingConfig} field by field; {@link #build()} refuses one with a field left unset. */
    public static final class Builder {
        private TrainingEngine engine;
        private Integer epochs;
        private Integer batchSizePerWorker;
        private Integer averagingFrequency;
        private Integer workers;
        private Boolean averageUpdaterState;
        private Integer threadsPerTask;
        private Integer logEveryRounds;
        private Integer logProbabilitiesEveryRounds;
        private AllReduceSettings allReduce;
        private ParameterAveragingSettings parameterAveraging;

        private Builder() {
        }

        public Builder engine(TrainingEngine value) {
            engine = value;
            return this;
        }

        public Builder epochs(int value) {
            epochs = value;
            return this;
        }

        public Builder batchSizePerWorker(int value) {
            batchSizePerWorker = value;
            return this;
        }

        public Builder averagingFrequency(int value) {
            averagingFrequency = value;
            return this;
        }

        public Builder workers(int value) {
            workers = value;
            return this;
        }

        public Builder averageUpdaterState(boolean value) {
            averageUpdaterState = value;
            return this;
        }

        public Builder threadsPerTask(int value) {
            threadsPerTask = value;
            return this;
        }

        public Builder logEveryRounds(int value) {
            logEveryRounds = value;
            return this;
        }

        public Builder logProbabilitiesEveryRounds(int value) {
            logProbabilitiesEveryRounds = value;
            return this;
        }

        public Builder allReduce(AllReduceSettings value) {
            allReduce = value;
            return this;
        }

        public Builder parameterAveraging(ParameterAveragingSettings value) {
            parameterAveraging = value;
            return this;
        }

        /** @throws NullPointerException naming the first field left unset */
        public TrainingConfig build() {
            return new TrainingConfig(set(engine, "engine"), set(epochs, "epochs"),
                    set(batchSizePerWorker, "batchSizePerWorker"), set(averagingFrequency, "averagingFrequency"),
                    set(workers, "workers"), set(averageUpdaterState, "averageUpdaterState"),
                    set(threadsPerTask, "threadsPerTask"), set(logEveryRounds, "logEveryRounds"),
                    set(logProbabilitiesEveryRounds, "logProbabilitiesEveryRounds"), set(allReduce, "allReduce"),
                    set(parameterAveraging, "parameterAveraging"));
        }

        private static <T> T set(T value, String field) {
            return Objects.requireNonNull(value, () -> "TrainingConfig." + field + " was not set");
        }
    }
}

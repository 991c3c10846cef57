package org.sparkcnn.bench;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One benchmark case's figures. Built by name through {@link #builder()}: most fields are numbers of the
 * same type, which a positional constructor call would let one swap unnoticed.
 *
 * @param name               e.g. "allreduce, averaging every 5"
 * @param engine             single-jvm, allreduce or parameter-averaging
 * @param workers            parallel training tasks (1 for single-JVM)
 * @param threadsPerWorker   native threads per task
 * @param batchSizePerWorker minibatch each task fits
 * @param averagingFrequency minibatches per worker between averagings (0: single-JVM, nothing to average)
 * @param images             training images fitted
 * @param wallSeconds        training wall time (start-up, the validations while training and the final test
 *                           evaluation excluded)
 * @param cpuSeconds         CPU time of this process during training (all executors, in local mode; the
 *                           validations' excluded)
 * @param computeSeconds     of the wall time: fitting minibatches
 * @param averagingSeconds   of the wall time: averaging parameters (and waiting for the slowest worker)
 * @param otherSeconds       of the wall time: the rest (Spark jobs, shipping the model, data)
 * @param testAccuracy       on the test set after training
 * @param validationSeconds  wall time spent measuring the model on the test set while it trained (not in
 *                           {@code wallSeconds})
 * @param validations        those measurements, in the order they were taken (empty without accuracy targets)
 */
public record BenchmarkResult(String name, String engine, int workers, int threadsPerWorker, int batchSizePerWorker,
                              int averagingFrequency, long images, double wallSeconds, double cpuSeconds,
                              double computeSeconds, double averagingSeconds, double otherSeconds,
                              double testAccuracy, double validationSeconds, List<ValidationPoint> validations) {
    public BenchmarkResult {
        validations = List.copyOf(validations);
    }

    /** A builder with nothing set: every field must be named. */
    public static Builder builder() {
        return new Builder();
    }

    public double imagesPerSecond() {
        return images / wallSeconds;
    }

    /** CPU milliseconds spent per training image. */
    public double cpuMillisPerImage() {
        return 1000 * cpuSeconds / images;
    }

    /** Share of the wall time spent averaging. */
    public double averagingShare() {
        return averagingSeconds / wallSeconds;
    }

    /**
     * The training time (validations excluded) at which the first validation at or above {@code target}
     * was taken; empty when none reached it.
     */
    public OptionalDouble trainingSecondsTo(double target) {
        return validations.stream().filter(v -> v.accuracy() >= target).mapToDouble(ValidationPoint::trainingSeconds)
                .findFirst();
    }

    /** Builds a {@link BenchmarkResult} field by field; {@link #build()} refuses one with a field left unset. */
    public static final class Builder {
        private String name;
        private String engine;
        private Integer workers;
        private Integer threadsPerWorker;
        private Integer batchSizePerWorker;
        private Integer averagingFrequency;
        private Long images;
        private Double wallSeconds;
        private Double cpuSeconds;
        private Double computeSeconds;
        private Double averagingSeconds;
        private Double otherSeconds;
        private Double testAccuracy;
        private Double validationSeconds;
        private List<ValidationPoint> validations;

        private Builder() {
        }

        public Builder name(String value) {
            name = value;
            return this;
        }

        public Builder engine(String value) {
            engine = value;
            return this;
        }

        public Builder workers(int value) {
            workers = value;
            return this;
        }

        public Builder threadsPerWorker(int value) {
            threadsPerWorker = value;
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

        public Builder images(long value) {
            images = value;
            return this;
        }

        public Builder wallSeconds(double value) {
            wallSeconds = value;
            return this;
        }

        public Builder cpuSeconds(double value) {
            cpuSeconds = value;
            return this;
        }

        public Builder computeSeconds(double value) {
            computeSeconds = value;
            return this;
        }

        public Builder averagingSeconds(double value) {
            averagingSeconds = value;
            return this;
        }

        public Builder otherSeconds(double value) {
            otherSeconds = value;
            return this;
        }

        public Builder testAccuracy(double value) {
            testAccuracy = value;
            return this;
        }

        public Builder validationSeconds(double value) {
            validationSeconds = value;
            return this;
        }

        public Builder validations(List<ValidationPoint> value) {
            validations = value;
            return this;
        }

        /** @throws NullPointerException naming the first field left unset */
        public BenchmarkResult build() {
            return new BenchmarkResult(set(name, "name"), set(engine, "engine"), set(workers, "workers"),
                    set(threadsPerWorker, "threadsPerWorker"), set(batchSizePerWorker, "batchSizePerWorker"),
                    set(averagingFrequency, "averagingFrequency"), set(images, "images"),
                    set(wallSeconds, "wallSeconds"), set(cpuSeconds, "cpuSeconds"),
                    set(computeSeconds, "computeSeconds"), set(averagingSeconds, "averagingSeconds"),
                    set(otherSeconds, "otherSeconds"), set(testAccuracy, "testAccuracy"),
                    set(validationSeconds, "validationSeconds"), set(validations, "validations"));
        }

        private static <T> T set(T value, String field) {
            return Objects.requireNonNull(value, () -> "BenchmarkResult." + field + " was not set");
        }
    }
}

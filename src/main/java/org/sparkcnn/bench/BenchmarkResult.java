package org.sparkcnn.bench;

/**
 * One benchmark case's figures.
 *
 * @param name               e.g. "allreduce, averaging every 5"
 * @param engine             single-jvm, allreduce or parameter-averaging
 * @param workers            parallel training tasks (1 for single-JVM)
 * @param threadsPerWorker   native threads per task
 * @param averagingFrequency minibatches per worker between averagings (0: single-JVM, nothing to average)
 * @param images             training images fitted
 * @param wallSeconds        training wall time (start-up and test evaluation excluded)
 * @param cpuSeconds         CPU time of this process during training (all executors, in local mode)
 * @param computeSeconds     of the wall time: fitting minibatches
 * @param averagingSeconds   of the wall time: averaging parameters (and waiting for the slowest worker)
 * @param otherSeconds       of the wall time: the rest (Spark jobs, shipping the model, data)
 * @param testAccuracy       on the test set after training
 */
public record BenchmarkResult(String name, String engine, int workers, int threadsPerWorker, int batchSizePerWorker,
                              int averagingFrequency, long images, double wallSeconds, double cpuSeconds,
                              double computeSeconds, double averagingSeconds, double otherSeconds,
                              double testAccuracy) {
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
}

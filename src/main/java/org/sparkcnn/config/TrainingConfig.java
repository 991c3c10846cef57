package org.sparkcnn.config;

/**
 * How the distributed training runs.
 *
 * @param engine                  how the workers' models are averaged
 * @param epochs                  passes over the training set
 * @param batchSizePerWorker      minibatch size each worker fits
 * @param averagingFrequency      minibatches per worker between two parameter averagings
 * @param workers                 parallel training tasks; 0 = Spark's default parallelism
 * @param prefetchBatches         minibatches prefetched asynchronously per worker
 * @param averageUpdaterState     average the optimiser state too
 * @param threadsPerTask          native threads per training task; 0 = derived from the executor's cores
 * @param logEveryRounds          progress log interval in rounds
 * @param logProbabilitiesEveryRounds interval of the DEBUG softmax sample log, 0 = off
 * @param peerTimeoutSeconds      all-reduce engine: how long a worker waits for its ring neighbours
 * @param cpuKernels              all-reduce engine and single-JVM bench, CPU backend: what computes the
 *                                forward and backward pass
 */
public record TrainingConfig(TrainingEngine engine, int epochs, int batchSizePerWorker, int averagingFrequency, int workers,
                             int prefetchBatches, boolean averageUpdaterState, int threadsPerTask,
                             int logEveryRounds, int logProbabilitiesEveryRounds,
                             int peerTimeoutSeconds, CpuKernels cpuKernels) {
    /** The same settings with another engine and averaging frequency (benchmarks compare them). */
    public TrainingConfig withEngine(TrainingEngine otherEngine, int otherAveragingFrequency) {
        return new TrainingConfig(otherEngine, epochs, batchSizePerWorker, otherAveragingFrequency, workers,
                prefetchBatches, averageUpdaterState, threadsPerTask, logEveryRounds, logProbabilitiesEveryRounds,
                peerTimeoutSeconds, cpuKernels);
    }

    /** The same settings with other CPU kernels (benchmarks compare them). */
    public TrainingConfig withCpuKernels(CpuKernels otherKernels) {
        return new TrainingConfig(engine, epochs, batchSizePerWorker, averagingFrequency, workers,
                prefetchBatches, averageUpdaterState, threadsPerTask, logEveryRounds, logProbabilitiesEveryRounds,
                peerTimeoutSeconds, otherKernels);
    }

    /** The same settings with another number of epochs. */
    public TrainingConfig withEpochs(int otherEpochs) {
        return new TrainingConfig(engine, otherEpochs, batchSizePerWorker, averagingFrequency, workers,
                prefetchBatches, averageUpdaterState, threadsPerTask, logEveryRounds, logProbabilitiesEveryRounds,
                peerTimeoutSeconds, cpuKernels);
    }
}

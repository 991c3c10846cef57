package org.sparkcnn.config;

/**
 * The settings only the {@code parameter-averaging} engine (dl4j-spark's ParameterAveragingTrainingMaster)
 * reads.
 *
 * @param prefetchBatches minibatches each worker prefetches asynchronously; 0 = off
 */
public record ParameterAveragingSettings(int prefetchBatches) {
}

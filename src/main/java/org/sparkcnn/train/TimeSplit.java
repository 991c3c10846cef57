package org.sparkcnn.train;

/**
 * Wall time of training, split by what it was spent on.
 *
 * @param totalMillis       whole fit calls
 * @param computeMillis     workers fitting minibatches (summed over workers, divided by workers)
 * @param aggregationMillis collecting and averaging parameters and broadcasting them again
 * @param otherMillis       the rest: job scheduling, data splitting, task start-up
 */
public record TimeSplit(long totalMillis, long computeMillis, long aggregationMillis, long otherMillis) {
}

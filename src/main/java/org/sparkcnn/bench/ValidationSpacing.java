package org.sparkcnn.bench;

/**
 * How often each bench case is measured on the test set while it trains (bench.validation.every): after
 * the same number of training images in every case, so that their times to an accuracy are found at the same
 * resolution. A round is training.averaging-frequency minibatches per worker, as in train.
 *
 * @param everyRounds        N of "N rounds"; 0 = after each epoch
 * @param workers            the Spark cases' parallel training tasks
 * @param averagingFrequency training.averaging-frequency
 */
public record ValidationSpacing(int everyRounds, int workers, int averagingFrequency) {
    public ValidationSpacing {
        if (everyRounds < 0 || workers < 1 || averagingFrequency < 1) {
            throw new IllegalArgumentException("every " + everyRounds + " rounds, " + workers + " workers, averaging every "
                    + averagingFrequency);
        }
    }

    /**
     * A Spark case's interval in its own rounds (0 = epoch): an all-reduce case averaging every
     * {@code caseFrequency} minibatches validates every N x averaging-frequency / caseFrequency of its rounds,
     * rounded to the nearest (at least 1).
     */
    public int roundsAveragingEvery(int caseFrequency) {
        if (everyRounds == 0) {
            return 0;
        }
        return (int) Math.max(1, Math.round((double) everyRounds * averagingFrequency / caseFrequency));
    }

    /**
     * The single-JVM cases' interval in minibatches (0 = epoch), of the Spark cases' batch size per worker:
     * the N rounds' images of all workers, N x workers x averaging-frequency minibatches.
     */
    public int singleJvmMinibatches() {
        return Math.multiplyExact(everyRounds, Math.multiplyExact(workers, averagingFrequency));
    }
}

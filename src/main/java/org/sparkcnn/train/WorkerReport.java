package org.sparkcnn.train;

import java.io.Serializable;

/**
 * What one all-reduce training task sends back to the driver at the end of a pass: its timings, and
 * from the lead worker (rank 0) the per-round losses and the trained state. Every worker ends a pass
 * with the same averaged parameters, so one copy is enough.
 *
 * <p>A plain class rather than a record: Spark serialises task results with Kryo.
 */
final class WorkerReport implements Serializable {
    private static final long serialVersionUID = 1L;

    int rank;
    int minibatches;
    long computeNanos;
    long averagingNanos;
    /** Mean loss over all workers' minibatches of each round; lead worker only. */
    double[] roundLosses;
    /** The state after the last round; lead worker only. */
    NetworkSnapshot finalState;
}

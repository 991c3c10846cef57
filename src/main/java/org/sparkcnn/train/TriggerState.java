package org.sparkcnn.train;

/**
 * What a {@link Trigger} looks at: where training stands at a boundary between two training passes (a
 * checkpoint segment or the end of an epoch).
 *
 * @param epoch           the epoch the boundary belongs to (1-based)
 * @param epochEnd        the boundary is the end of {@code epoch}
 * @param rounds          averaging rounds fitted since the start of training (all epochs)
 * @param previousRounds  {@code rounds} at the previous boundary
 * @param stopRequested   early stopping has asked training to end
 */
public record TriggerState(int epoch, boolean epochEnd, long rounds, long previousRounds, boolean stopRequested) {
    /** Epochs completed at this boundary. */
    public int epochsCompleted() {
        return epochEnd ? epoch : epoch - 1;
    }
}

package org.sparkcnn.train;

/** Driver-side callback after each parameter-averaging round ("split" in DL4J's terms). */
@FunctionalInterface
public interface RoundListener {
    /**
     * @param round     1-based round within the current pass
     * @param rounds    rounds in the current pass
     * @param meanLoss  training loss averaged over the workers of this round
     */
    void roundCompleted(int round, int rounds, double meanLoss);
}

package org.sparkcnn.train;

/**
 * One measurement of the model during training.
 *
 * @param epoch    the epoch it was taken in (1-based)
 * @param round    averaging rounds fitted since the start of training when it was taken
 * @param epochEnd taken at the end of {@code epoch}
 * @param accuracy accuracy on the validation set (or the test set when there is none)
 * @param loss     mean cross-entropy on that set
 * @param improved it beat the best so far by more than the minimum delta (the first one always does)
 */
public record ValidationRecord(int epoch, long round, boolean epochEnd, double accuracy, double loss,
                               boolean improved) {
    /** Name of the best-model folder that holds the model measured here. */
    public String modelName() {
        return String.format("best-e%04d-r%07d", epoch, round);
    }
}

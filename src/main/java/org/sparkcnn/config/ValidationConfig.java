package org.sparkcnn.config;

/**
 * When the model is validated during training and when training stops early (keys
 * {@code training.validation.*} and {@code training.early-stopping.*}).
 *
 * @param everyRounds validate every N averaging rounds; 0 = after each epoch
 * @param patience    stop when the validation accuracy has not improved by more than {@code minDelta} for
 *                    this many validations in a row; 0 = never stop early
 * @param minDelta    the smallest accuracy gain (absolute, e.g. 0.001 = 0.1 point) that counts as an
 *                    improvement
 */
public record ValidationConfig(int everyRounds, int patience, double minDelta) {
    /** What {@code training.validation.every} said, for logs. */
    public String describeEvery() {
        return describeEvery(everyRounds, "rounds");
    }

    /**
     * An interval as the {@code validation.every} keys spell it: "epoch" for 0, else {@code "<every> <unit>"}
     * (the bench's cases count rounds or, one network alone, minibatches).
     */
    public static String describeEvery(int every, String unit) {
        return every == 0 ? "epoch" : every + " " + unit;
    }
}

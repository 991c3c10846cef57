package org.sparkcnn.train;

/**
 * Decides WHEN something happens during training (validate, stop), in the style of BigDL's
 * {@code Trigger}: evaluated at every boundary between two training passes; what happens is someone
 * else's business. Triggers are pure functions of the {@link TriggerState}, so a resumed run fires at the
 * same boundaries as an uninterrupted one.
 */
@FunctionalInterface
public interface Trigger {
    boolean fires(TriggerState state);

    /** Not at all. */
    static Trigger never() {
        return s -> false;
    }

    /** At the end of every epoch. */
    static Trigger everyEpoch() {
        return TriggerState::epochEnd;
    }

    /**
     * Every {@code rounds} averaging rounds: at the first boundary at or after each multiple of
     * {@code rounds} (counted over the whole run). Boundaries are checkpoint segments, so a segment that
     * crosses several multiples fires once.
     */
    static Trigger severalIteration(int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be >= 1, got " + rounds);
        }
        return s -> s.rounds() / rounds > s.previousRounds() / rounds;
    }

    /** Once {@code epochs} epochs are complete. */
    static Trigger maxEpoch(int epochs) {
        return s -> s.epochsCompleted() >= epochs;
    }

    /** When early stopping has asked training to end. */
    static Trigger stopRequested() {
        return TriggerState::stopRequested;
    }

    /** Fires when this one or {@code other} fires. */
    default Trigger or(Trigger other) {
        return s -> fires(s) || other.fires(s);
    }
}

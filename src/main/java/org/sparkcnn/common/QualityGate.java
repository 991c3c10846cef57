package org.sparkcnn.common;

import java.util.Locale;

/**
 * The quality gate of train and evaluate ({@code evaluation.min-accuracy}, {@code --min-accuracy}): the
 * test accuracy a model must reach for its run to be published with {@code _SUCCESS}.
 *
 * @param minAccuracy the bar; 0 = no gate
 */
public record QualityGate(double minAccuracy) {

    /**
     * What the gate said about one accuracy.
     *
     * @param minAccuracy the bar it was judged against (0 = no gate)
     * @param accuracy    the test accuracy judged
     * @param passed      whether the run may be published
     * @param reason      one line saying why, for reports, markers and the console
     */
    public record Verdict(double minAccuracy, double accuracy, boolean passed, String reason) {
        /** Exit code 3 for a failed gate; nothing for a passed one. */
        public void throwIfFailed() {
            if (!passed) {
                throw new QualityGateException(reason);
            }
        }
    }

    public Verdict judge(double accuracy) {
        if (minAccuracy <= 0) {
            return new Verdict(minAccuracy, accuracy, true, "no quality gate (evaluation.min-accuracy = 0)");
        }
        // NaN (nothing evaluated) fails: a gate must never pass what it could not measure
        boolean passed = accuracy >= minAccuracy;
        return new Verdict(minAccuracy, accuracy, passed, String.format(Locale.ROOT,
                "test accuracy %.4f is %s evaluation.min-accuracy %.4f", accuracy, passed ? "at or above" : "below",
                minAccuracy));
    }
}

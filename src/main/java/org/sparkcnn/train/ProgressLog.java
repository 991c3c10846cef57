package org.sparkcnn.train;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns round completions into progress a person can follow: epoch, round, loss, images/s and ETA,
 * logged every {@code logEveryRounds} rounds and at the end of each epoch.
 */
final class ProgressLog implements RoundListener {
    private static final Logger LOG = LoggerFactory.getLogger("org.sparkcnn.progress");

    private final int epochs;
    private final long imagesPerEpoch;
    private final int roundsPerEpoch;
    private final int logEveryRounds;
    private final long runStartNanos = System.nanoTime();
    private final List<Double> epochLosses = new ArrayList<>();
    private final List<Double> allLosses = new ArrayList<>();
    private int epoch;
    private long epochStartNanos;
    private int roundsInEpoch;
    private int roundsAtStart;

    /**
     * @param roundsPerEpoch averaging rounds an epoch has (an estimate: the engine deals minibatches to
     *                       rounds itself)
     * @param earlierLosses  losses of rounds before a resume
     */
    ProgressLog(int epochs, long imagesPerEpoch, int roundsPerEpoch, int logEveryRounds, List<Double> earlierLosses) {
        this.epochs = epochs;
        this.imagesPerEpoch = imagesPerEpoch;
        this.roundsPerEpoch = Math.max(1, roundsPerEpoch);
        this.logEveryRounds = logEveryRounds;
        this.allLosses.addAll(earlierLosses);
    }

    /** @param roundsDone rounds of this epoch fitted before a resume */
    void startEpoch(int epoch, int roundsDone) {
        this.epoch = epoch;
        this.epochStartNanos = System.nanoTime();
        this.epochLosses.clear();
        this.roundsInEpoch = roundsDone;
        this.roundsAtStart = roundsDone;
    }

    @Override
    public void roundCompleted(int round, int rounds, double meanLoss) {
        epochLosses.add(meanLoss);
        allLosses.add(meanLoss);
        roundsInEpoch++;
        if (roundsInEpoch % logEveryRounds == 0) {
            double epochSeconds = seconds(System.nanoTime() - epochStartNanos);
            double fraction = Math.min(1.0, (double) roundsInEpoch / roundsPerEpoch);
            double rate = imagesPerEpoch * (double) (roundsInEpoch - roundsAtStart) / roundsPerEpoch
                    / Math.max(epochSeconds, 1e-9);
            double epochEta = (1 - fraction) * imagesPerEpoch / rate;
            double runEta = epochEta + (epochs - epoch) * imagesPerEpoch / rate;
            LOG.info(String.format("epoch %d/%d  round %d/%d  loss %.4f  %.0f images/s  epoch ETA %s  run ETA %s",
                    epoch, epochs, roundsInEpoch, roundsPerEpoch, meanLoss, rate, format(epochEta), format(runEta)));
        }
    }

    /** Rounds fitted so far in this epoch (including those before a resume). */
    int roundsInEpoch() {
        return roundsInEpoch;
    }

    /** Ends the epoch's clock: training time excludes the test evaluation that follows. */
    double finishTraining() {
        return seconds(System.nanoTime() - epochStartNanos);
    }

    /**
     * @param accuracy measured at the end of the epoch on {@code dataset}, NaN when not measured
     * @param dataset  {@link ValidationPlan#VALIDATION} or {@link ValidationPlan#TEST}
     * @param complete false when training stopped early in the middle of the epoch
     */
    EpochRecord epochRecord(double seconds, double accuracy, String dataset, boolean complete) {
        double meanLoss = epochLosses.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        // a stopped epoch fitted its share of the images (the rounds per epoch are an estimate: capped)
        long fitted = complete ? imagesPerEpoch
                : Math.min(imagesPerEpoch, Math.round(imagesPerEpoch * (double) roundsInEpoch / roundsPerEpoch));
        // after a resume, only this process's share of the epoch was timed
        double images = fitted * (double) (roundsInEpoch - roundsAtStart) / Math.max(1, roundsInEpoch);
        boolean test = ValidationPlan.TEST.equals(dataset);
        EpochRecord record = new EpochRecord(epoch, roundsInEpoch, fitted, seconds,
                images / Math.max(seconds, 1e-9), meanLoss, test ? accuracy : Double.NaN,
                test ? Double.NaN : accuracy);
        String measured = Double.isFinite(accuracy) ? String.format(", %s accuracy %.4f", dataset, accuracy) : "";
        LOG.info(String.format("epoch %d/%d done in %s: %d rounds, mean loss %.4f, %.0f images/s%s, elapsed %s",
                epoch, epochs, format(seconds), roundsInEpoch, meanLoss, record.imagesPerSecond(), measured,
                format(seconds(System.nanoTime() - runStartNanos))));
        return record;
    }

    /** Rounds fitted since the start of training (including those before a resume). */
    long roundsSoFar() {
        return allLosses.size();
    }

    List<Double> allLosses() {
        return List.copyOf(allLosses);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    static String format(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "?";
        }
        Duration d = Duration.ofMillis(Math.round(seconds * 1000));
        if (d.toHours() > 0) {
            return String.format("%dh%02dm%02ds", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
        }
        if (d.toMinutes() > 0) {
            return String.format("%dm%02ds", d.toMinutes(), d.toSecondsPart());
        }
        return String.format("%.1fs", seconds);
    }
}

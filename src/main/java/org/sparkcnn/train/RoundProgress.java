package org.sparkcnn.train;

import java.io.Serializable;

/**
 * A finished round, sent by the lead all-reduce worker to the driver through the sparkcnn plugin while
 * the pass still runs, so that progress can be logged live.
 *
 * @param passId which pass (and so which {@link RoundRelay}) the round belongs to
 */
record RoundProgress(long passId, int round, int rounds, double meanLoss) implements Serializable {
}

package org.sparkcnn.train;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands the rounds of one all-reduce pass to the driver's {@link RoundListener} exactly once and in
 * order. Rounds arrive live from the lead worker (through the plugin, on Spark's RPC thread) and, at the
 * end of the pass, all at once in the lead worker's result, which fills in whatever the live messages
 * had not delivered yet: plugin messages travel apart from task results and may be late, and after a
 * retried stage the live messages start again at round 1.
 */
final class RoundRelay implements AutoCloseable {
    private static final Map<Long, RoundRelay> OPEN = new ConcurrentHashMap<>();

    private final long passId;
    private final RoundListener listener;
    private int delivered;
    private boolean closed;

    private RoundRelay(long passId, RoundListener listener) {
        this.passId = passId;
        this.listener = listener;
    }

    static RoundRelay open(long passId, RoundListener listener) {
        RoundRelay relay = new RoundRelay(passId, listener);
        OPEN.put(passId, relay);
        return relay;
    }

    /** A live message from a worker; ignored when its pass is over or the round was delivered already. */
    static void onProgress(RoundProgress progress) {
        RoundRelay relay = OPEN.get(progress.passId());
        if (relay != null) {
            relay.deliver(progress.round(), progress.rounds(), progress.meanLoss());
        }
    }

    private synchronized void deliver(int round, int rounds, double meanLoss) {
        if (closed || round != delivered + 1) {
            return;
        }
        delivered = round;
        listener.roundCompleted(round, rounds, meanLoss);
    }

    /** Delivers the rounds still missing from the pass's final losses, then stops listening. */
    synchronized void complete(double[] roundLosses) {
        for (int round = delivered + 1; round <= roundLosses.length; round++) {
            deliver(round, roundLosses.length, roundLosses[round - 1]);
        }
        close();
    }

    @Override
    public synchronized void close() {
        closed = true;
        OPEN.remove(passId, this);
    }
}

package org.sparkcnn.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkcnn.allreduce.AllReduce;
import org.sparkcnn.fit.MinibatchFitter;
import org.sparkcnn.model.SubnormalFlush;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * One worker of synchronous data-parallel training with a model that stays resident for a whole pass:
 * it fits {@code minibatchesPerRound} of its own minibatches, then averages parameters (and optimiser
 * state) with the other workers through an {@link AllReduce}, and repeats. Unlike dl4j-spark's
 * parameter averaging, nothing goes through the driver between rounds and the network is not rebuilt
 * each round.
 */
final class ResidentWorker {
    /** Two extra floats ride along with the parameters: the round's summed loss and minibatch count. */
    private static final int LOSS_SLOTS = 2;

    private final MinibatchFitter fitter;
    private final MultiLayerNetwork network;
    private final AllReduce ring;
    private final boolean averageUpdaterState;
    /** Checked between rounds: a cancelled task frees its slot now, not at the end of its pass. */
    private final BooleanSupplier cancelled;
    private final long parameters;
    private final long stateLength;
    /** Parameters, optimiser state and loss slots, contiguous so that one ring call averages them all. */
    private final INDArray exchange;

    ResidentWorker(MinibatchFitter fitter, AllReduce ring, boolean averageUpdaterState) {
        this(fitter, ring, averageUpdaterState, () -> Thread.currentThread().isInterrupted());
    }

    /** @param cancelled whether to stop before the next round, e.g. "Spark killed this task" */
    ResidentWorker(MinibatchFitter fitter, AllReduce ring, boolean averageUpdaterState, BooleanSupplier cancelled) {
        this.fitter = fitter;
        this.network = fitter.network();
        this.ring = ring;
        this.cancelled = cancelled;
        INDArray state = NetworkSnapshot.updaterState(network);
        this.averageUpdaterState = averageUpdaterState && state != null;
        this.parameters = network.params().length();
        this.stateLength = this.averageUpdaterState ? state.length() : 0;
        this.exchange = Nd4j.create(DataType.FLOAT, parameters + stateLength + LOSS_SLOTS);
    }

    /**
     * Fits {@code rounds} rounds; a worker whose minibatches run out before the others' still takes part
     * in every averaging, contributing its current parameters.
     *
     * @param live told about each round as it completes (the loss is the mean over all workers)
     */
    WorkerReport fit(List<DataSet> minibatches, int minibatchesPerRound, int rounds, RoundListener live)
            throws IOException {
        WorkerReport report = new WorkerReport();
        report.rank = ring.rank();
        report.minibatches = minibatches.size();
        report.roundLosses = new double[rounds];
        // every worker flushes after the same rounds, so averaged states stay identical
        int roundsPerFlush = Math.max(1, SubnormalFlush.EVERY_MINIBATCHES / Math.max(1, minibatchesPerRound));
        for (int round = 0; round < rounds; round++) {
            if (cancelled.getAsBoolean()) {
                throw new InterruptedIOException("all-reduce worker " + ring.rank() + " cancelled before round "
                        + (round + 1) + " of " + rounds);
            }
            long start = System.nanoTime();
            double lossSum = 0;
            int fitted = 0;
            int end = Math.min(minibatches.size(), (round + 1) * minibatchesPerRound);
            for (int b = round * minibatchesPerRound; b < end; b++) {
                lossSum += fitter.fit(minibatches.get(b));
                fitted++;
            }
            WorkerFaults.beforeAveraging(ring.rank(), round + 1, cancelled);
            long computed = System.nanoTime();
            report.computeNanos += computed - start;
            double meanLoss = average(lossSum, fitted);
            if ((round + 1) % roundsPerFlush == 0 && !fitter.flushesSubnormalState()) {
                SubnormalFlush.optimizerState(network);
            }
            report.averagingNanos += System.nanoTime() - computed;
            report.roundLosses[round] = meanLoss;
            live.roundCompleted(round + 1, rounds, meanLoss);
        }
        return report;
    }

    /** Averages this worker's state with every other worker's; returns the mean loss of the round. */
    private double average(double lossSum, int fitted) throws IOException {
        INDArray params = exchange.get(NDArrayIndex.interval(0, parameters));
        params.assign(network.params().reshape(parameters));
        INDArray state = null;
        if (averageUpdaterState) {
            state = exchange.get(NDArrayIndex.interval(parameters, parameters + stateLength));
            state.assign(NetworkSnapshot.updaterState(network).reshape(stateLength));
        }
        exchange.putScalar(parameters + stateLength, lossSum);
        exchange.putScalar(parameters + stateLength + 1, fitted);

        // the ring works on host memory: make it current there first (a no-op on the CPU backend)
        AffinityManager affinity = Nd4j.getAffinityManager();
        affinity.ensureLocation(exchange, AffinityManager.Location.HOST);
        FloatBuffer host = exchange.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
        ring.sumInPlace(host);
        affinity.tagLocation(exchange, AffinityManager.Location.HOST);

        double loss = exchange.getDouble(parameters + stateLength) / Math.max(1, exchange.getDouble(parameters + stateLength + 1));
        float mean = 1.0f / ring.size();
        network.params().assign(params.muli(mean).reshape(network.params().shape()));
        if (state != null) {
            INDArray view = NetworkSnapshot.updaterState(network);
            view.assign(state.muli(mean).reshape(view.shape()));
        }
        return loss;
    }

    /** The state to send back to the driver. */
    NetworkSnapshot snapshot() {
        return NetworkSnapshot.of(network);
    }
}

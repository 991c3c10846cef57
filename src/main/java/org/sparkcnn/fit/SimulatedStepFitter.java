package org.sparkcnn.fit;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A "training step" that waits instead of computing, for {@code bench.simulated-step-millis} only: the
 * network is never changed, so the model learns nothing. It lets {@code sparkcnn bench} measure the ring
 * and Spark's barrier with more workers than the machine has cores (8-16 workers on 2 cores), each
 * worker taking as long per minibatch as a measured CPU step or an estimated GPU step would. The train
 * command refuses the setting.
 */
public final class SimulatedStepFitter implements MinibatchFitter {
    private final MultiLayerNetwork network;
    private final long stepNanos;

    public SimulatedStepFitter(MultiLayerNetwork network, Duration step) {
        if (step.isNegative() || step.isZero()) {
            throw new IllegalArgumentException("a simulated step needs a positive duration, got " + step);
        }
        this.network = network;
        this.stepNanos = step.toNanos();
    }

    /** Waits the step's duration (a bounded wait: at most the configured step); the loss is not known. */
    @Override
    public double fit(DataSet minibatch) {
        long end = System.nanoTime() + stepNanos;
        for (long left = stepNanos; left > 0 && !Thread.currentThread().isInterrupted(); left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
        return Double.NaN;
    }

    @Override
    public MultiLayerNetwork network() {
        return network;
    }
}

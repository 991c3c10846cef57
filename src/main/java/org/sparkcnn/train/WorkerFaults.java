package org.sparkcnn.train;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Test hook: makes one all-reduce worker fail, once, at a chosen round, so that tests can check that the
 * other workers give up within seconds and the pass is retried. Off unless a test {@link #arm arms} it;
 * it acts only in the JVM where it was armed, which in Spark local mode is the one running every task.
 */
final class WorkerFaults {
    /** What the chosen worker does when it reaches the round. */
    enum Kind {
        /** throws, as a worker whose step failed */
        THROW,
        /** stops responding: blocks until the task is cancelled (or 10 minutes pass) */
        STALL
    }

    /** Fault at (rank, round), round 1-based: it happens before that round's averaging. */
    record Fault(int rank, int round, Kind kind) {
    }

    private static final AtomicReference<Fault> ARMED = new AtomicReference<>();
    /** When the armed fault happened, for tests that measure how long recovery took. */
    private static volatile long firedAtNanos;

    private WorkerFaults() {
    }

    static void arm(Fault fault) {
        firedAtNanos = 0;
        ARMED.set(fault);
    }

    static void disarm() {
        ARMED.set(null);
    }

    /** System.nanoTime() when the armed fault happened; 0 while it has not. */
    static long firedAtNanos() {
        return firedAtNanos;
    }

    /** Called by every worker before it averages a round; does nothing unless armed for this one. */
    static void beforeAveraging(int rank, int round, BooleanSupplier cancelled) {
        Fault fault = ARMED.get();
        if (fault == null || fault.rank() != rank || fault.round() != round || !ARMED.compareAndSet(fault, null)) {
            return;
        }
        firedAtNanos = System.nanoTime();
        if (fault.kind() == Kind.THROW) {
            throw new IllegalStateException("injected fault: worker " + rank + " failed in round " + round);
        }
        long until = System.nanoTime() + 600_000_000_000L;
        while (!cancelled.getAsBoolean() && System.nanoTime() < until) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

package org.sparkcnn.train;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Closes a task's all-reduce group as soon as the task is cancelled, which wakes the task's thread
 * wherever it waits in the group (a socket read, a shared-memory barrier) with an error. Spark kills the
 * other tasks of a failed barrier stage without interrupting their threads: without this, a task blocked
 * on a peer that will never answer would hold its slot, and the pass's retry, until the peer timeout.
 */
final class CancellationWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CancellationWatch.class);
    /** How often a watched task is checked: the longest a cancelled task keeps waiting. */
    static final long CHECK_MILLIS = 200;
    private static final ScheduledExecutorService CHECKER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sparkcnn-cancellation-watch");
        t.setDaemon(true);
        return t;
    });

    private final ScheduledFuture<?> check;

    private CancellationWatch(ScheduledFuture<?> check) {
        this.check = check;
    }

    /**
     * Runs {@code onCancel} once, on a thread of its own, when {@code cancelled} turns true, until closed.
     *
     * @param what names the watched task in the log
     */
    static CancellationWatch watch(String what, BooleanSupplier cancelled, Runnable onCancel) {
        AtomicBoolean done = new AtomicBoolean();
        return new CancellationWatch(CHECKER.scheduleWithFixedDelay(() -> {
            if (!done.get() && cancelled.getAsBoolean() && done.compareAndSet(false, true)) {
                LOG.info("{} was cancelled: leaving its all-reduce group", what);
                try {
                    onCancel.run();
                } catch (RuntimeException e) {
                    LOG.warn("Leaving the all-reduce group of cancelled {} failed", what, e);
                }
            }
        }, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS));
    }

    @Override
    public void close() {
        check.cancel(false);
    }
}

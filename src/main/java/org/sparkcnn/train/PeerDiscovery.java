package org.sparkcnn.train;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Task side of the ring's rendezvous: how a training task learns every peer's message (where its ring listens, in
 * which JVM, how many minibatches it has) from the driver's {@link RendezvousBoard}.
 *
 * <p>The driver's plugin answers one message at a time and must not block (its RPC endpoint has one thread), so a
 * task asks again until the answer is complete, first after 1 ms and then twice as long each time up to
 * {@link #LONGEST_PAUSE}: a pass whose tasks start together meets within a few milliseconds, and a task waiting
 * for a slow peer costs the driver at most 50 small requests a second.
 */
final class PeerDiscovery {
    static final Duration LONGEST_PAUSE = Duration.ofMillis(20);

    /** The channel to the driver's plugin: {@link SparkCnnPlugin#askDriver} on an executor; answers on the wire. */
    @FunctionalInterface
    interface DriverChannel {
        Object ask(Object message) throws IOException;
    }

    /** Throws when the task has been killed: Spark's stage ended or was cancelled. */
    @FunctionalInterface
    interface KillCheck {
        void throwIfKilled();
    }

    private PeerDiscovery() {
    }

    /**
     * @param timeout how long to wait for the last task of the pass (training.peer-timeout-seconds)
     * @return every task's message, by rank
     * @throws IOException when the driver refuses, cannot be reached, or the pass's tasks have not all arrived
     *                     within {@code timeout}
     */
    static List<String> throughDriver(DriverChannel driver, RendezvousRequest request, Duration timeout,
                                      KillCheck killed) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMillis = 1;
        while (true) {
            RendezvousReply answer;
            try {
                answer = RendezvousReply.fromWire(driver.ask(request));
            } catch (IllegalArgumentException e) {
                throw new IOException("the driver's sparkcnn plugin did not answer the rendezvous: " + e.getMessage(), e);
            }
            if (answer.refusal() != null) {
                throw new IOException("the driver refused task " + request.rank() + "'s rendezvous: " + answer.refusal());
            }
            if (answer.isComplete()) {
                return answer.messages();
            }
            killed.throwIfKilled();
            if (System.nanoTime() - deadline > 0) {
                throw new IOException(answer.missing() + " of the pass's " + request.size()
                        + " tasks did not start within " + timeout.toSeconds() + " s (training.peer-timeout-seconds)");
            }
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                killed.throwIfKilled();
                throw new IOException("interrupted while waiting for the pass's other tasks", e);
            }
            pauseMillis = Math.min(pauseMillis * 2, LONGEST_PAUSE.toMillis());
        }
    }
}

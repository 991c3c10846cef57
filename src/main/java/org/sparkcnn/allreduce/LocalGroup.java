package org.sparkcnn.allreduce;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A whole all-reduce group on threads of this JVM, one thread per peer: what the bench times single calls
 * with and what the tests check sums with. Training never uses it: there every peer is a Spark task.
 */
public final class LocalGroup {
    /** How the peers reach each other. */
    public enum Transport {
        /** {@link RingAllReduce} over loopback TCP, as executors in different JVMs do */
        TCP_RING,
        /** the same, every frame encrypted and authenticated (AES-GCM) */
        TCP_RING_ENCRYPTED,
        /** {@link SharedMemoryAllReduce}, as tasks of one executor do */
        SHARED_MEMORY
    }

    /** What one peer does once it is in the group; the group is closed after it returns. */
    @FunctionalInterface
    public interface Peer<T> {
        T run(int rank, AllReduce group) throws Exception;
    }

    private LocalGroup() {
    }

    /**
     * Forms a group of {@code peers}, runs {@code peer} on each and returns their results by rank.
     *
     * @param joinTimeout how long a peer waits for the others to join
     * @param runTimeout  how long to wait for every peer's result
     * @throws IOException when a peer fails or does not finish in time: the first peer's by rank, once every
     *                     peer has ended or the time is up
     */
    public static <T> List<T> run(Transport transport, int peers, Duration joinTimeout, Duration runTimeout,
                                  Peer<T> peer) throws IOException {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String sharedMemoryKey = "local-" + UUID.randomUUID();
        List<RingConnector.Listener> listeners = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(peers);
        try {
            boolean tcp = transport != Transport.SHARED_MEMORY;
            if (tcp) {
                for (int i = 0; i < peers; i++) {
                    listeners.add(RingConnector.listen("127.0.0.1"));
                }
            }
            List<String> addresses = listeners.stream().map(RingConnector.Listener::address).toList();
            List<Future<T>> futures = new ArrayList<>();
            for (int rank = 0; rank < peers; rank++) {
                int r = rank;
                futures.add(pool.submit(() -> {
                    try (AllReduce group = tcp
                            ? listeners.get(r).connect(r, addresses, secret,
                            transport == Transport.TCP_RING_ENCRYPTED, joinTimeout)
                            : SharedMemoryAllReduce.join(sharedMemoryKey, r, peers, joinTimeout)) {
                        return peer.run(r, group);
                    }
                }));
            }
            // every peer's end is awaited (until one deadline) before the first failure is reported, so
            // that the peers of a failed one end by themselves, not because the pool is shut down
            long deadline = System.nanoTime() + runTimeout.toNanos();
            List<T> results = new ArrayList<>();
            IOException firstFailure = null;
            for (Future<T> f : futures) {
                try {
                    results.add(resultOf(f, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), runTimeout));
                } catch (InterruptedIOException e) {
                    throw e;
                } catch (IOException e) {
                    if (firstFailure == null) {
                        firstFailure = e;
                    } else {
                        firstFailure.addSuppressed(e);
                    }
                }
            }
            if (firstFailure != null) {
                throw firstFailure;
            }
            return results;
        } finally {
            for (RingConnector.Listener l : listeners) {
                l.close();
            }
            pool.shutdownNow();
        }
    }

    private static <T> T resultOf(Future<T> peer, Duration left, Duration timeout) throws IOException {
        try {
            return peer.get(left.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for an all-reduce peer");
        } catch (TimeoutException e) {
            throw new IOException("an all-reduce peer did not finish within " + timeout.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            throw new IOException("an all-reduce peer failed: " + e.getCause(), e.getCause());
        }
    }
}

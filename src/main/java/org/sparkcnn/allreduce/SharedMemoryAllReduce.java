package org.sparkcnn.allreduce;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link AllReduce} for peers that all run in one JVM (Spark local mode, or one executor running every
 * task): the peers read each other's vectors directly instead of sending them through TCP loopback,
 * which on a busy machine costs more CPU than the training step's own averaging. Each peer sums one
 * slice of the vector over all peers and writes the total back into every peer's vector, so the work
 * is split evenly as in the ring. Each slice is summed in rank order by the same peer whatever the
 * timing, so the result is the same in every run.
 *
 * <p>A peer that leaves ({@link #close()}), fails, is interrupted or times out aborts the whole group at
 * once: the peers waiting for it wake within milliseconds with an {@link IOException} instead of waiting
 * their timeout (600 s by default) for a peer that will never come.
 */
public final class SharedMemoryAllReduce implements AllReduce {
    /** Identifies this JVM among the peers, to tell whether they can share memory. */
    public static final String JVM_ID = UUID.randomUUID().toString();

    private static final Map<String, Group> GROUPS = new ConcurrentHashMap<>();
    private static final int CHUNK_FLOATS = 64 * 1024;

    private final String key;
    private final Group group;
    private final int rank;
    private final long timeoutNanos;
    private final float[] total = new float[CHUNK_FLOATS];
    private final float[] addend = new float[CHUNK_FLOATS];
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * The peers' vectors and a barrier that any peer can break for all. Not {@link
     * java.util.concurrent.CyclicBarrier}: that one only breaks when a peer waiting on it gives up, and a
     * peer that failed before it arrived never does.
     */
    private static final class Group {
        final FloatBuffer[] vectors;
        private int arrived;
        private long generation;
        /** Why the group can no longer be used; null while it can. */
        private String abortedBecause;
        private int closed;

        Group(int size) {
            vectors = new FloatBuffer[size];
        }

        synchronized void await(int rank, long timeoutNanos) throws IOException {
            check();
            long gen = generation;
            if (++arrived == vectors.length) {
                arrived = 0;
                generation++;
                notifyAll();
                return;
            }
            long deadline = System.nanoTime() + timeoutNanos;
            while (generation == gen) {
                check();
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    abort("peer " + rank + " waited " + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos)
                            + " s for the others");
                    check();
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    abort("peer " + rank + " was interrupted");
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for the other peers");
                }
            }
        }

        private void check() throws IOException {
            if (abortedBecause != null) {
                throw new IOException("the shared-memory group is broken: " + abortedBecause);
            }
        }

        /** Wakes every waiting peer with an error; the first reason is kept. */
        synchronized void abort(String reason) {
            if (abortedBecause == null) {
                abortedBecause = reason;
            }
            notifyAll();
        }

        /** Aborts the group for the others; true once every peer has left. */
        synchronized boolean leave(int rank) {
            abort("peer " + rank + " left the group");
            // a peer may still be reading this one's vector (when close comes from another thread)
            return ++closed == vectors.length;
        }
    }

    private SharedMemoryAllReduce(String key, Group group, int rank, Duration timeout) {
        this.key = key;
        this.group = group;
        this.rank = rank;
        this.timeoutNanos = timeout.toNanos();
    }

    /**
     * Joins the group named {@code key}, created by its first peer.
     *
     * @param key     unique to this group of peers: a group is never reused, not even by a retried attempt
     * @param timeout how long a peer waits for the others in each call before it aborts the group
     */
    public static SharedMemoryAllReduce join(String key, int rank, int size, Duration timeout) {
        return new SharedMemoryAllReduce(key, GROUPS.computeIfAbsent(key, k -> new Group(size)), rank, timeout);
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return group.vectors.length;
    }

    @Override
    public void sumInPlace(FloatBuffer data) throws IOException {
        int size = size();
        if (size == 1) {
            return;
        }
        group.vectors[rank] = data;
        group.await(rank, timeoutNanos); // every peer has published its vector
        int length = data.limit();
        int from = (int) ((long) length * rank / size);
        int to = (int) ((long) length * (rank + 1) / size);
        for (int pos = from; pos < to; pos += CHUNK_FLOATS) {
            int n = Math.min(CHUNK_FLOATS, to - pos);
            group.vectors[0].get(pos, total, 0, n);
            for (int peer = 1; peer < size; peer++) {
                group.vectors[peer].get(pos, addend, 0, n);
                for (int i = 0; i < n; i++) {
                    total[i] += addend[i];
                }
            }
            for (FloatBuffer vector : group.vectors) {
                vector.put(pos, total, 0, n);
            }
        }
        group.await(rank, timeoutNanos); // every slice is summed: the vectors may be used again
    }

    /**
     * Leaves the group, and aborts it for the peers: a peer that closes after its last call leaves peers
     * that made the same calls unaffected (they have all passed the last barrier), and one that closes
     * early, because its task failed, must not leave the others waiting for it. Safe to call again, and
     * from another thread while this peer waits (to cancel it).
     */
    @Override
    public void close() {
        // the group stays registered until every peer has left, so that a peer joining after another
        // failed finds it aborted instead of starting a new group and waiting its whole timeout
        if (closed.compareAndSet(false, true) && group.leave(rank)) {
            GROUPS.remove(key, group);
        }
    }

    @Override
    public String toString() {
        return "shared-memory group rank " + rank + "/" + size();
    }
}

package org.sparkcnn.allreduce;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link AllReduce} for peers that all run in one JVM (Spark local mode, or one executor running every
 * task): the peers read each other's vectors directly instead of sending them through TCP loopback,
 * which on a busy machine costs more CPU than the training step's own averaging. Each peer sums one
 * slice of the vector over all peers and writes the total back into every peer's vector, so the work
 * is split evenly as in the ring.
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
    private boolean failed;

    private static final class Group {
        final FloatBuffer[] vectors;
        final CyclicBarrier barrier;

        Group(int size) {
            vectors = new FloatBuffer[size];
            barrier = new CyclicBarrier(size);
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
     * @param key unique to this group of peers: a group is never reused, not even by a retried attempt
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
        await(); // every peer has published its vector
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
        await(); // every slice is summed: the vectors may be used again
    }

    private void await() throws IOException {
        try {
            group.barrier.await(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            failed = true;
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the other peers");
        } catch (BrokenBarrierException e) {
            failed = true;
            throw new IOException("another peer of the group failed or left");
        } catch (TimeoutException e) {
            failed = true;
            throw new IOException("the other peers did not arrive within " + timeoutNanos / 1_000_000_000 + " s");
        }
    }

    @Override
    public void close() {
        if (failed || group.barrier.getNumberWaiting() > 0) {
            // wake peers still waiting for this one: they fail now instead of at their timeout
            group.barrier.reset();
        }
        GROUPS.remove(key, group);
    }

    @Override
    public String toString() {
        return "shared-memory group rank " + rank + "/" + size();
    }
}

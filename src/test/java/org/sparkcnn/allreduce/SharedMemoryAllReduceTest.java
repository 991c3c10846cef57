package org.sparkcnn.allreduce;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Peers on threads of this JVM, as Spark local mode runs them. */
@Timeout(60)
class SharedMemoryAllReduceTest {
    /** Far longer than any wait below may take: a peer that fails fast was woken, not timed out. */
    private static final Duration LONG_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void everyPeerEndsWithTheSumOverManyRounds() throws Exception {
        for (int peers : new int[] {1, 2, 3}) {
            int length = 200_003; // more than one chunk, not divisible by the peers
            List<FloatBuffer> results = LocalGroup.run(LocalGroup.Transport.SHARED_MEMORY, peers, Duration.ofSeconds(20),
                    Duration.ofSeconds(40), (rank, group) -> {
                        FloatBuffer data = direct(length);
                        for (int i = 0; i < length; i++) {
                            data.put(i, rank + i % 7);
                        }
                        for (int round = 0; round < 5; round++) {
                            group.sumInPlace(data);
                        }
                        return data;
                    });
            // each round multiplies by the peer count after the first: sum_r(r + i%7) * peers^4
            for (FloatBuffer result : results) {
                for (int i : new int[] {0, 1, 6, 100_000, length - 1}) {
                    float first = peers * (peers - 1) / 2f + peers * (i % 7);
                    assertEquals(first * (float) Math.pow(peers, 4), result.get(i), 1e-3f * first * Math.pow(peers, 4));
                }
            }
        }
    }

    @Test
    void theSumIsBitForBitTheSameInEveryRun() throws Exception {
        // values whose float sum depends on the order of addition: the order must not depend on timing
        float[] first = sumOfAwkwardValues();
        for (int run = 0; run < 5; run++) {
            assertArrayEquals(first, sumOfAwkwardValues());
        }
    }

    private static float[] sumOfAwkwardValues() throws IOException {
        int length = 100_000;
        List<FloatBuffer> results = LocalGroup.run(LocalGroup.Transport.SHARED_MEMORY, 3, Duration.ofSeconds(20),
                Duration.ofSeconds(40), (rank, group) -> {
                    FloatBuffer data = direct(length);
                    java.util.SplittableRandom random = new java.util.SplittableRandom(rank);
                    for (int i = 0; i < length; i++) {
                        data.put(i, (float) (random.nextGaussian() * Math.pow(10, random.nextInt(8))));
                    }
                    group.sumInPlace(data);
                    return data;
                });
        float[] out = new float[length];
        results.get(0).get(0, out);
        return out;
    }

    @Test
    void aPeerThatFailsBeforeTheBarrierWakesAWaitingPeerAtOnce() throws Exception {
        String key = "fail-" + UUID.randomUUID();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (SharedMemoryAllReduce failing = SharedMemoryAllReduce.join(key, 1, 2, LONG_TIMEOUT)) {
            AtomicReference<Thread> waiter = new AtomicReference<>();
            Future<?> waiting = pool.submit(() -> {
                waiter.set(Thread.currentThread());
                try (SharedMemoryAllReduce group = SharedMemoryAllReduce.join(key, 0, 2, LONG_TIMEOUT)) {
                    group.sumInPlace(direct(10));
                }
                return null;
            });
            awaitBlocked(waiter);
            long failed = System.nanoTime();
            failing.close(); // as the try-with-resources of a task whose training threw does
            ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
            double seconds = (System.nanoTime() - failed) / 1e9;
            assertInstanceOf(IOException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("peer 1 left"), e.getCause().getMessage());
            System.out.printf("shared memory: waiting peer failed %.3f s after its peer left%n", seconds);
            assertTrue(seconds < 2, "waited " + seconds + " s");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPeerThatArrivesAfterAnotherFailedFailsAtOnce() throws Exception {
        String key = "late-" + UUID.randomUUID();
        SharedMemoryAllReduce.join(key, 1, 2, LONG_TIMEOUT).close(); // failed before the other even joined
        long start = System.nanoTime();
        try (SharedMemoryAllReduce late = SharedMemoryAllReduce.join(key, 0, 2, LONG_TIMEOUT)) {
            assertThrows(IOException.class, () -> late.sumInPlace(direct(10)));
        }
        assertTrue(System.nanoTime() - start < 2_000_000_000L);
    }

    @Test
    void aStalledPeerIsGivenUpAfterTheTimeoutAndTheWholeGroupFails() throws Exception {
        String key = "stall-" + UUID.randomUUID();
        Duration timeout = Duration.ofSeconds(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        // ranks 0 and 1 take part, rank 2 joined but stopped responding (never calls, never leaves)
        try (SharedMemoryAllReduce stalled = SharedMemoryAllReduce.join(key, 2, 3, timeout)) {
            long start = System.nanoTime();
            List<Future<Double>> peers = List.of(0, 1).stream().map(rank -> pool.submit(() -> {
                try (SharedMemoryAllReduce group = SharedMemoryAllReduce.join(key, rank, 3, timeout)) {
                    group.sumInPlace(direct(10));
                    return -1.0;
                } catch (IOException e) {
                    return (System.nanoTime() - start) / 1e9;
                }
            })).toList();
            for (Future<Double> peer : peers) {
                double seconds = peer.get(10, TimeUnit.SECONDS);
                System.out.printf("shared memory: peer of a stalled peer failed after %.3f s (timeout %d s)%n",
                        seconds, timeout.toSeconds());
                assertTrue(seconds >= 0.9 && seconds < 3, "failed after " + seconds + " s");
            }
            assertThrows(IOException.class, () -> stalled.sumInPlace(direct(10)), "the group is broken for all");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closingFromAnotherThreadCancelsAWaitingPeer() throws Exception {
        String key = "cancel-" + UUID.randomUUID();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (SharedMemoryAllReduce absent = SharedMemoryAllReduce.join(key, 1, 2, LONG_TIMEOUT)) {
            SharedMemoryAllReduce group = SharedMemoryAllReduce.join(key, 0, 2, LONG_TIMEOUT);
            AtomicReference<Thread> waiter = new AtomicReference<>();
            Future<?> waiting = pool.submit(() -> {
                waiter.set(Thread.currentThread());
                group.sumInPlace(direct(10));
                return null;
            });
            awaitBlocked(waiter);
            long cancelled = System.nanoTime();
            group.close(); // what the training task's cancellation watch does
            ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
            assertInstanceOf(IOException.class, e.getCause());
            assertTrue(System.nanoTime() - cancelled < 2_000_000_000L);
            group.close(); // a second close, by the task itself, is harmless
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits until the thread is parked, i.e. waiting on the group (bounded). */
    static void awaitBlocked(AtomicReference<Thread> thread) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (thread.get() == null || thread.get().getState() != Thread.State.TIMED_WAITING) {
            assertTrue(System.nanoTime() < deadline, "the peer never started waiting");
            Thread.sleep(5);
        }
    }

    static FloatBuffer direct(int length) {
        return ByteBuffer.allocateDirect(length * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}

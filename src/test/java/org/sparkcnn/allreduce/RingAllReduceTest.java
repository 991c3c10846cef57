package org.sparkcnn.allreduce;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real rings of peers on loopback, one thread per peer. */
@Timeout(60)
class RingAllReduceTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes();

    @Test
    void everyPeerEndsWithTheElementWiseSum() throws Exception {
        for (int peers : new int[] {1, 2, 3, 5}) {
            // lengths that do not divide evenly, shorter than the peers, and longer than one socket chunk
            for (int length : new int[] {1, 7, 1_000_003}) {
                float[][] inputs = randomVectors(peers, length, 31L * peers + length);
                float[] expected = new float[length];
                for (float[] input : inputs) {
                    for (int i = 0; i < length; i++) {
                        expected[i] += input[i];
                    }
                }
                List<float[]> results = runRing(peers, (rank, ring) -> {
                    FloatBuffer data = direct(inputs[rank]);
                    ring.sumInPlace(data);
                    float[] out = new float[length];
                    data.get(0, out);
                    return out;
                });
                for (float[] result : results) {
                    assertArrayEquals(expected, result, 1e-3f, peers + " peers, length " + length);
                }
            }
        }
    }

    @Test
    void aRingCanBeUsedForManyRounds() throws Exception {
        List<float[]> results = runRing(3, (rank, ring) -> {
            FloatBuffer data = direct(new float[] {rank, 1});
            for (int round = 0; round < 50; round++) {
                ring.sumInPlace(data);
                data.put(0, data.get(0) / 3);
                data.put(1, data.get(1) / 3);
            }
            return new float[] {data.get(0), data.get(1)};
        });
        for (float[] result : results) {
            assertArrayEquals(new float[] {1, 1}, result, 1e-5f);
        }
    }

    @Test
    void aConnectionWithoutTheSecretIsTurnedAwayAndTheRingStillForms() throws Exception {
        try (RingConnector.Listener a = RingConnector.listen("127.0.0.1");
             RingConnector.Listener b = RingConnector.listen("127.0.0.1")) {
            List<String> addresses = List.of(a.address(), b.address());
            try (Socket intruder = new Socket("127.0.0.1", RingConnector.socketAddress(a.address()).getPort())) {
                OutputStream out = intruder.getOutputStream();
                out.write(new byte[SECRET.length]);
                out.write(new byte[] {0, 0, 0, 1});
                out.flush();
                ExecutorService pool = Executors.newFixedThreadPool(2);
                try {
                    Future<float[]> r0 = pool.submit(() -> sumOnce(a, 0, addresses, 1f));
                    Future<float[]> r1 = pool.submit(() -> sumOnce(b, 1, addresses, 2f));
                    assertArrayEquals(new float[] {3f}, r0.get(30, TimeUnit.SECONDS));
                    assertArrayEquals(new float[] {3f}, r1.get(30, TimeUnit.SECONDS));
                } finally {
                    pool.shutdownNow();
                }
            }
        }
    }

    @Test
    void aPeerThatDiesFailsItsNeighboursInsteadOfHangingThem() throws Exception {
        CountDownLatch connected = new CountDownLatch(3);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (RingConnector.Listener l0 = RingConnector.listen("127.0.0.1");
             RingConnector.Listener l1 = RingConnector.listen("127.0.0.1");
             RingConnector.Listener l2 = RingConnector.listen("127.0.0.1")) {
            List<RingConnector.Listener> listeners = List.of(l0, l1, l2);
            List<String> addresses = listeners.stream().map(RingConnector.Listener::address).toList();
            List<Future<?>> peers = new ArrayList<>();
            for (int rank = 0; rank < 3; rank++) {
                int r = rank;
                peers.add(pool.submit(() -> {
                    try (RingAllReduce ring = listeners.get(r).connect(r, addresses, SECRET, Duration.ofSeconds(20))) {
                        connected.countDown();
                        connected.await();
                        if (r == 2) {
                            return null; // leaves the ring: its sockets close
                        }
                        ring.sumInPlace(direct(new float[100_000]));
                        return null;
                    }
                }));
            }
            for (Future<?> survivor : peers.subList(0, 2)) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> survivor.get(30, TimeUnit.SECONDS));
                assertInstanceOf(IOException.class, e.getCause());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPeerWaitingForANeighbourThatDiedBeforeConnectingGivesUpWhenCancelled() throws Exception {
        // rank 1 listens but dies before it connects: rank 0 reaches it, then waits for it to connect back
        try (RingConnector.Listener l0 = RingConnector.listen("127.0.0.1");
             RingConnector.Listener l1 = RingConnector.listen("127.0.0.1")) {
            List<String> addresses = List.of(l0.address(), l1.address());
            long start = System.nanoTime();
            long cancelAt = start + TimeUnit.MILLISECONDS.toNanos(500); // as when Spark kills the barrier stage
            InterruptedIOException e = assertThrows(InterruptedIOException.class, () -> l0.connect(0, addresses, SECRET,
                    Duration.ofSeconds(60), () -> System.nanoTime() > cancelAt));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds < 10, "gave up after " + seconds + " s, not at once after the cancellation");
            assertTrue(e.getMessage().contains("ring peer 1"), e.getMessage());
        }
    }

    @Test
    void addressesParseWithIpv6Literals() {
        assertEquals(7077, RingConnector.socketAddress("[::1]:7077").getPort());
        assertEquals("10.0.0.5", RingConnector.hostOf("10.0.0.5:41234"));
        assertThrows(IllegalArgumentException.class, () -> RingConnector.socketAddress("no-port"));
    }

    private static float[] sumOnce(RingConnector.Listener listener, int rank, List<String> addresses, float value)
            throws IOException {
        try (RingAllReduce ring = listener.connect(rank, addresses, SECRET, Duration.ofSeconds(20))) {
            FloatBuffer data = direct(new float[] {value});
            ring.sumInPlace(data);
            return new float[] {data.get(0)};
        }
    }

    private static List<float[]> runRing(int peers, LocalGroup.Peer<float[]> body) throws IOException {
        return LocalGroup.run(LocalGroup.Transport.TCP_RING, peers, Duration.ofSeconds(20), Duration.ofSeconds(40), body);
    }

    private static float[][] randomVectors(int count, int length, long seed) {
        Random random = new Random(seed);
        float[][] vectors = new float[count][length];
        for (float[] v : vectors) {
            for (int i = 0; i < length; i++) {
                v[i] = random.nextFloat() - 0.5f;
            }
        }
        return vectors;
    }

    private static FloatBuffer direct(float[] values) {
        FloatBuffer buffer = ByteBuffer.allocateDirect(values.length * Float.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        buffer.put(values).flip();
        return buffer;
    }
}

package org.sparkcnn.allreduce;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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

/** The ring with encryption on: right sums, nothing readable on the wire, nothing altered unnoticed. */
@Timeout(60)
class EncryptedRingTest {
    private static final int FLOATS = 100_000;

    @Test
    void everyPeerEndsWithTheElementWiseSum() throws Exception {
        // longer than one chunk of the ring and not a whole number of frames; 3 peers, so chunks differ in length
        int length = 1_000_003;
        float[][] inputs = new float[3][length];
        Random random = new Random(5);
        float[] expected = new float[length];
        for (float[] input : inputs) {
            for (int i = 0; i < length; i++) {
                input[i] = random.nextFloat() - 0.5f;
                expected[i] += input[i];
            }
        }
        List<float[]> results = LocalGroup.run(LocalGroup.Transport.TCP_RING_ENCRYPTED, 3, Duration.ofSeconds(20),
                Duration.ofSeconds(40), (rank, ring) -> {
                    FloatBuffer data = TestRings.direct(length, 0);
                    data.put(0, inputs[rank]);
                    ring.sumInPlace(data);
                    ring.sumInPlace(data.put(0, inputs[rank])); // a second call: the frame numbers go on
                    float[] out = new float[length];
                    data.get(0, out);
                    return out;
                });
        for (float[] result : results) {
            assertArrayEquals(expected, result, 1e-3f);
        }
    }

    @Test
    void aByteAlteredOnTheWayFailsTheCallInsteadOfEnteringTheSum() throws Exception {
        try (RingConnector.Listener a = RingConnector.listen("127.0.0.1");
             RingConnector.Listener b = RingConnector.listen("127.0.0.1");
             Relay relay = Relay.flipping(b.address(), RingHandshake.CONNECTOR_BYTES + 1_000)) {
            List<Throwable> failures = failuresOfOneCall(a, b, relay);
            assertTrue(failures.get(1).getMessage().contains("failed authentication"), failures.get(1).getMessage());
        }
    }

    @Test
    void aFrameCutShortFailsTheCall() throws Exception {
        try (RingConnector.Listener a = RingConnector.listen("127.0.0.1");
             RingConnector.Listener b = RingConnector.listen("127.0.0.1");
             Relay relay = Relay.cutting(b.address(), RingHandshake.CONNECTOR_BYTES + 1_000)) {
            failuresOfOneCall(a, b, relay);
        }
    }

    @Test
    void theParametersCrossTheNetworkEncryptedOnlyWhenAskedTo() throws Exception {
        for (boolean encrypt : new boolean[] {false, true}) {
            try (RingConnector.Listener a = RingConnector.listen("127.0.0.1");
                 RingConnector.Listener b = RingConnector.listen("127.0.0.1");
                 Relay relay = Relay.to(b.address())) {
                float[] sums = new float[2];
                TestRings.runPeers(List.of(a, b), rank -> rank == 0 ? List.of(a.address(), relay.address())
                        : List.of(a.address(), b.address()), encrypt, (rank, ring) -> {
                    FloatBuffer data = TestRings.direct(FLOATS, 1.5f + rank);
                    ring.sumInPlace(data);
                    sums[rank] = data.get(FLOATS - 1);
                    return null;
                });
                assertArrayEquals(new float[] {4f, 4f}, sums);
                // rank 0 sent half its vector of 1.5f: sixteen of them in a row on the wire give it away
                byte[] pattern = ByteBuffer.allocate(64).order(RingAllReduce.WIRE_ORDER)
                        .putFloat(1.5f).putFloat(1.5f).putFloat(1.5f).putFloat(1.5f).putFloat(1.5f).putFloat(1.5f)
                        .putFloat(1.5f).putFloat(1.5f).putFloat(1.5f).putFloat(1.5f).putFloat(1.5f).putFloat(1.5f)
                        .putFloat(1.5f).putFloat(1.5f).putFloat(1.5f).putFloat(1.5f).array();
                byte[] wire = relay.recorded();
                assertTrue(wire.length > FLOATS * 2, "recorded " + wire.length + " bytes");
                assertEquals(!encrypt, TestRings.contains(wire, pattern), encrypt ? "plaintext on the wire of an encrypted ring"
                        : "the control: a ring without encryption sends the floats as they are");
            }
        }
    }

    /** Runs one encrypted call with rank 0 reaching rank 1 through {@code relay}; both peers must fail. */
    private static List<Throwable> failuresOfOneCall(RingConnector.Listener a, RingConnector.Listener b, Relay relay)
            throws Exception {
        List<String> direct = List.of(a.address(), b.address());
        List<String> relayed = List.of(a.address(), relay.address());
        List<RingConnector.Listener> listeners = List.of(a, b);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> peers = new ArrayList<>();
            for (int rank = 0; rank < 2; rank++) {
                int r = rank;
                peers.add(pool.submit(() -> {
                    try (RingAllReduce ring = listeners.get(r).connect(r, r == 0 ? relayed : direct, TestRings.SECRET, true,
                            TestRings.PEER_TIMEOUT)) {
                        ring.sumInPlace(TestRings.direct(FLOATS, 1f));
                        return null;
                    }
                }));
            }
            List<Throwable> failures = new ArrayList<>();
            for (Future<?> peer : peers) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> peer.get(20, TimeUnit.SECONDS));
                assertInstanceOf(IOException.class, e.getCause());
                failures.add(e.getCause());
            }
            return failures;
        } finally {
            pool.shutdownNow();
        }
    }
}

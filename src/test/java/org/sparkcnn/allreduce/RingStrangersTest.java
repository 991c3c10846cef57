package org.sparkcnn.allreduce;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sparkcnn.common.CapturedLogs;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Strangers at the ring's ports, while the ring forms and while it runs rounds: the ring forms without
 * waiting for them, its sums stay right, and each one is logged once at WARN with its address. Rings of
 * two peers on loopback with encryption on, as under {@code spark.network.crypto.enabled=true}.
 */
@Timeout(90)
class RingStrangersTest {
    private static final byte[] SECRET = TestRings.SECRET;
    /** Shorter than the default so the tests are quick; a slow sender needs longer than this for its hello. */
    private static final Duration HANDSHAKE = Duration.ofSeconds(3);
    private static final Duration PEER_TIMEOUT = TestRings.PEER_TIMEOUT;
    private static final int FLOATS = 100_000;

    /** What a stranger does with a ring port once connected. */
    enum Stranger {
        IDLE_CONNECTION,
        PORT_SCAN,
        RANDOM_BYTES,
        WRONG_SECRET,
        REPLAYED_HANDSHAKE,
        SLOW_SENDER
    }

    /** One stranger's connection; it stays open (but for the port scan) until the test ends. */
    private static final class Intruder implements AutoCloseable {
        final Socket socket = new Socket();
        final String address;
        final Thread behaviour;

        Intruder(Stranger stranger, InetSocketAddress port, RingHandshake.Link link, byte[] replay) throws IOException {
            socket.connect(port, 5_000);
            socket.setSoTimeout(20_000);
            address = socket.getLocalSocketAddress().toString(); // what the ring port sees as its remote address
            OutputStream out = socket.getOutputStream();
            behaviour = new Thread(() -> {
                try {
                    switch (stranger) {
                        case IDLE_CONNECTION -> { }
                        case PORT_SCAN -> socket.close();
                        case RANDOM_BYTES -> {
                            byte[] noise = new byte[4096];
                            new Random(7).nextBytes(noise);
                            out.write(noise);
                        }
                        case WRONG_SECRET -> {
                            // the whole protocol, done right, with another secret
                            byte[] hello = RingHandshake.hello(link, RingHandshake.nonce());
                            out.write(hello);
                            byte[] challenge = socket.getInputStream().readNBytes(RingHandshake.CHALLENGE_BYTES);
                            byte[] listenerNonce = Arrays.copyOf(challenge, RingHandshake.NONCE_BYTES);
                            out.write(RingHandshake.mac(RingHandshake.authKey("another secret, 32 bytes long!!".getBytes(
                                    StandardCharsets.US_ASCII)), "connector", RingHandshake.transcript(hello, listenerNonce)));
                        }
                        case REPLAYED_HANDSHAKE -> out.write(replay);
                        case SLOW_SENDER -> {
                            // a well-formed hello, one byte every 100 ms: 5 s in all, longer than the handshake deadline
                            for (byte b : RingHandshake.hello(link, RingHandshake.nonce())) {
                                out.write(b);
                                out.flush();
                                Thread.sleep(100);
                            }
                        }
                    }
                    out.flush();
                } catch (IOException | InterruptedException e) {
                    // refused and closed by the ring port, or the test ended
                }
            }, "test-stranger-" + stranger);
            behaviour.setDaemon(true);
            behaviour.start();
        }

        @Override
        public void close() throws InterruptedException {
            RingAllReduce.closeQuietly(socket);
            behaviour.join(5_000);
        }
    }

    @ParameterizedTest
    @EnumSource(Stranger.class)
    void aStrangerWhileTheRingFormsDelaysNoPeerAndIsLoggedOnce(Stranger stranger) throws Exception {
        byte[] replay = stranger == Stranger.REPLAYED_HANDSHAKE ? capturedHandshake() : null;
        List<Intruder> intruders = new ArrayList<>();
        try (CapturedLogs logs = CapturedLogs.of(PeerAcceptor.class)) {
            try (RingConnector.Listener a = RingConnector.listen("127.0.0.1", HANDSHAKE);
                 RingConnector.Listener b = RingConnector.listen("127.0.0.1", HANDSHAKE)) {
                List<String> addresses = List.of(a.address(), b.address());
                // at both ports before either peer serves them: they are first in each port's queue
                intruders.add(new Intruder(stranger, RingConnector.socketAddress(a.address()),
                        new RingHandshake.Link(2, 1, 0, true), replay));
                intruders.add(new Intruder(stranger, RingConnector.socketAddress(b.address()),
                        new RingHandshake.Link(2, 0, 1, true), replay));
                Thread.sleep(200); // let the strangers' bytes arrive first too

                long start = System.nanoTime();
                List<Long> formed = TestRings.runPeers(List.of(a, b), rank -> addresses, true, (rank, ring) -> {
                    long connectedAt = System.nanoTime();
                    for (int round = 0; round < 3; round++) {
                        sumAndCheck(ring, round);
                    }
                    return connectedAt;
                });
                double seconds = (formed.stream().mapToLong(Long::longValue).max().orElseThrow() - start) / 1e9;
                // a port that served one connection at a time would have waited out the stranger's deadline first
                assertTrue(seconds < HANDSHAKE.toSeconds(), "the ring took " + seconds + " s to form, a "
                        + stranger + " delayed it");
                awaitLogged(logs, intruders);
            } finally {
                for (Intruder i : intruders) {
                    i.close();
                }
            }
            assertLoggedOnceEach(logs, intruders, stranger);
        }
    }

    @ParameterizedTest
    @EnumSource(Stranger.class)
    void aStrangerWhileTheRingRunsRoundsStopsNothingAndIsLoggedOnce(Stranger stranger) throws Exception {
        byte[] replay = stranger == Stranger.REPLAYED_HANDSHAKE ? capturedHandshake() : null;
        List<Intruder> intruders = new ArrayList<>();
        CountDownLatch running = new CountDownLatch(2);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger rounds = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (CapturedLogs logs = CapturedLogs.of(PeerAcceptor.class)) {
            try (RingConnector.Listener a = RingConnector.listen("127.0.0.1", HANDSHAKE);
                 RingConnector.Listener b = RingConnector.listen("127.0.0.1", HANDSHAKE)) {
                List<String> addresses = List.of(a.address(), b.address());
                List<RingConnector.Listener> listeners = List.of(a, b);
                List<Future<Integer>> peers = new ArrayList<>();
                for (int rank = 0; rank < 2; rank++) {
                    int r = rank;
                    peers.add(pool.submit(() -> {
                        try (RingAllReduce ring = listeners.get(r).connect(r, addresses, SECRET, true, PEER_TIMEOUT)) {
                            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                            for (int round = 0; ; round++) {
                                // the last element is a vote to stop, summed like the rest so both peers agree
                                boolean votesStop = stop.get() || System.nanoTime() > until;
                                if (sumAndCheck(ring, round, votesStop)) {
                                    return round + 1;
                                }
                                if (r == 0) {
                                    rounds.incrementAndGet();
                                }
                                if (round == 0) {
                                    running.countDown();
                                }
                            }
                        }
                    }));
                }
                assertTrue(running.await(30, TimeUnit.SECONDS), "the ring did not start its rounds");
                intruders.add(new Intruder(stranger, RingConnector.socketAddress(a.address()),
                        new RingHandshake.Link(2, 1, 0, true), replay));
                intruders.add(new Intruder(stranger, RingConnector.socketAddress(b.address()),
                        new RingHandshake.Link(2, 0, 1, true), replay));
                awaitLogged(logs, intruders);
                int afterStrangers = rounds.get();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (rounds.get() < afterStrangers + 5 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                stop.set(true);
                for (Future<Integer> peer : peers) {
                    assertTrue(peer.get(30, TimeUnit.SECONDS) >= afterStrangers + 5,
                            "the rounds stopped after a " + stranger);
                }
            } finally {
                pool.shutdownNow();
                for (Intruder i : intruders) {
                    i.close();
                }
            }
            assertLoggedOnceEach(logs, intruders, stranger);
        }
    }

    @Test
    void aListenerWithoutTheSecretIsRefusedByTheConnectingPeer() throws Exception {
        try (RingConnector.Listener a = RingConnector.listen("127.0.0.1", HANDSHAKE);
             RingConnector.Listener b = RingConnector.listen("127.0.0.1", HANDSHAKE)) {
            List<String> addresses = List.of(a.address(), b.address());
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                long start = System.nanoTime();
                Future<?> honest = pool.submit(() -> {
                    a.connect(0, addresses, SECRET, true, PEER_TIMEOUT).close();
                    return null;
                });
                // rank 1 listens with another secret: the honest peer must not trust it, not only the reverse
                Future<?> impostor = pool.submit(() -> {
                    b.connect(1, addresses, "another secret, 32 bytes long!!".getBytes(StandardCharsets.US_ASCII),
                            true, PEER_TIMEOUT).close();
                    return null;
                });
                ExecutionException e = assertThrows(ExecutionException.class, () -> honest.get(20, TimeUnit.SECONDS));
                assertInstanceOf(IOException.class, e.getCause());
                assertTrue(e.getCause().getMessage().contains("ring peer 1")
                        && e.getCause().getMessage().contains("does not prove it knows this ring's secret"),
                        e.getCause().getMessage());
                double seconds = (System.nanoTime() - start) / 1e9;
                assertTrue(seconds < PEER_TIMEOUT.toSeconds() / 2.0, "refused only after " + seconds + " s");
                assertThrows(ExecutionException.class, () -> impostor.get(20, TimeUnit.SECONDS));
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** The bytes a real peer sends to open a connection of a ring with {@link #SECRET}, as seen on the wire. */
    private static byte[] capturedHandshake() throws Exception {
        try (RingConnector.Listener a = RingConnector.listen("127.0.0.1");
             RingConnector.Listener b = RingConnector.listen("127.0.0.1");
             Relay relay = Relay.to(b.address())) {
            TestRings.runPeers(List.of(a, b), rank -> rank == 0 ? List.of(a.address(), relay.address())
                    : List.of(a.address(), b.address()), true, (rank, ring) -> {
                ring.sumInPlace(TestRings.direct(10, 1f));
                return null;
            });
            byte[] wire = relay.recorded();
            assertTrue(wire.length > RingHandshake.CONNECTOR_BYTES, "recorded only " + wire.length + " bytes");
            return Arrays.copyOf(wire, RingHandshake.CONNECTOR_BYTES);
        }
    }

    private static void sumAndCheck(AllReduce ring, int round) throws IOException {
        sumAndCheck(ring, round, false);
    }

    /**
     * One round: every element is {@code round + rank + 1} on each peer, so each sum is known; the last
     * element carries a vote to stop. @return whether a peer voted to stop
     */
    private static boolean sumAndCheck(AllReduce ring, int round, boolean votesStop) throws IOException {
        FloatBuffer data = TestRings.direct(FLOATS + 1, round + ring.rank() + 1);
        data.put(FLOATS, votesStop ? 1 : 0);
        ring.sumInPlace(data);
        float expected = 2 * round + 3;
        for (int i = 0; i < FLOATS; i++) {
            if (data.get(i) != expected) {
                fail("round " + round + ", element " + i + ": " + data.get(i) + " instead of " + expected);
            }
        }
        return data.get(FLOATS) > 0;
    }

    private static void awaitLogged(CapturedLogs logs, List<Intruder> intruders) throws InterruptedException {
        long deadline = System.nanoTime() + 3 * HANDSHAKE.toNanos();
        for (Intruder i : intruders) {
            while (logs.warningsContaining(i.address) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
    }

    private static void assertLoggedOnceEach(CapturedLogs logs, List<Intruder> intruders, Stranger stranger) {
        assertEquals(2, intruders.size());
        for (Intruder i : intruders) {
            assertEquals(1, logs.warningsContaining(i.address), stranger + " at " + i.address + " logged "
                    + logs.warningsContaining(i.address) + " times at WARN: " + logs.lines());
        }
        assertFalse(logs.lines().stream().anyMatch(l -> l.message().contains(new String(SECRET,
                StandardCharsets.US_ASCII))), "the secret in a log line");
    }
}

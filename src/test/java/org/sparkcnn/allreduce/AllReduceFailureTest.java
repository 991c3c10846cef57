package org.sparkcnn.allreduce;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A peer that fails in round 3 of a pass, or stops responding, in every transport: the other peers must
 * fail with an error within seconds of a failure, and within the peer timeout of a stall, never hang.
 */
@Timeout(60)
class AllReduceFailureTest {
    private static final int PEERS = 4; // in a ring of 4, rank 3 is nobody's neighbour of rank 1
    private static final int FAILING = 1;
    private static final int LENGTH = 1_000_003;

    @ParameterizedTest
    @EnumSource(LocalGroup.Transport.class)
    void aPeerThatThrowsInRoundThreeFailsEveryOtherPeerWithinSeconds(LocalGroup.Transport transport)
            throws InterruptedException {
        AtomicLong failedAt = new AtomicLong();
        List<Double> secondsToFail = new ArrayList<>();
        // the join timeout is also the read/barrier timeout: far longer than the test may take
        assertThrows(IOException.class, () -> LocalGroup.run(transport, PEERS, Duration.ofSeconds(45),
                Duration.ofSeconds(50), (rank, group) -> {
                    FloatBuffer data = SharedMemoryAllReduceTest.direct(LENGTH);
                    for (int round = 1; round <= 10; round++) {
                        if (rank == FAILING && round == 3) {
                            failedAt.set(System.nanoTime());
                            throw new IllegalStateException("injected: peer " + rank + " failed in round 3");
                        }
                        try {
                            group.sumInPlace(data);
                        } catch (IOException lost) {
                            record(secondsToFail, failedAt.get(), lost);
                            throw lost;
                        }
                    }
                    return null;
                }));
        assertTrue(failedAt.get() != 0, "the injected failure happened");
        awaitRecords(secondsToFail);
        assertEquals(PEERS - 1, secondsToFail.size(), "every other peer failed: " + secondsToFail);
        System.out.printf("%s: peers failed %s s after peer %d threw in round 3%n", transport, secondsToFail, FAILING);
        for (double s : secondsToFail) {
            assertTrue(s < 5, transport + ": a peer failed only " + s + " s after the failure");
        }
    }

    @ParameterizedTest
    @EnumSource(LocalGroup.Transport.class)
    void aPeerThatStopsRespondingIsGivenUpAfterThePeerTimeout(LocalGroup.Transport transport)
            throws InterruptedException {
        Duration peerTimeout = Duration.ofSeconds(2);
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong stalledAt = new AtomicLong();
        List<Double> secondsToFail = new ArrayList<>();
        try {
            assertThrows(IOException.class, () -> LocalGroup.run(transport, PEERS, peerTimeout, Duration.ofSeconds(30),
                    (rank, group) -> {
                        FloatBuffer data = SharedMemoryAllReduceTest.direct(LENGTH);
                        for (int round = 1; round <= 10; round++) {
                            if (rank == FAILING && round == 3) {
                                stalledAt.set(System.nanoTime());
                                // alive but silent, until the others have given up (bounded)
                                release.await(30, TimeUnit.SECONDS);
                                return null;
                            }
                            try {
                                group.sumInPlace(data);
                            } catch (IOException lost) {
                                if (record(secondsToFail, stalledAt.get(), lost) == PEERS - 1) {
                                    release.countDown();
                                }
                                throw lost;
                            }
                        }
                        return null;
                    }));
        } finally {
            release.countDown();
        }
        awaitRecords(secondsToFail);
        System.out.printf("%s: peers failed %s s after peer %d stalled in round 3 (peer timeout %d s)%n", transport,
                secondsToFail, FAILING, peerTimeout.toSeconds());
        assertEquals(PEERS - 1, secondsToFail.size(), "every other peer failed: " + secondsToFail);
        for (double s : secondsToFail) {
            // a stalled peer cannot be told from a slow one before the timeout; once it has passed, the
            // first peer to give up takes the others down with it
            assertTrue(s >= peerTimeout.toMillis() / 1000.0 * 0.9 && s < peerTimeout.toSeconds() + 5,
                    transport + ": a peer failed " + s + " s after the stall");
        }
    }

    /**
     * Notes when a surviving peer failed; returns how many have. A peer interrupted by the test harness
     * (which stops the group once one peer's error is in) would not count: it must have failed by itself.
     */
    private static int record(List<Double> secondsToFail, long since, IOException lost) {
        assertFalse(Thread.currentThread().isInterrupted(), "a peer failed only when the harness stopped it: " + lost);
        synchronized (secondsToFail) {
            secondsToFail.add((System.nanoTime() - since) / 1e9);
            return secondsToFail.size();
        }
    }

    /** LocalGroup returns on the first peer's error: give the others' records a moment (bounded). */
    private static void awaitRecords(List<Double> secondsToFail) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            synchronized (secondsToFail) {
                if (secondsToFail.size() >= PEERS - 1) {
                    return;
                }
            }
            Thread.sleep(10);
        }
    }
}

package org.sparkcnn.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ring's rendezvous through the driver's board, without Spark: the tasks of a pass all get every task's
 * message by rank, the last to arrive without waiting, and a task is never left waiting on a pass that ended, a
 * peer that never came, or its own cancellation.
 */
@Timeout(60)
class PeerDiscoveryTest {
    private static final PeerDiscovery.KillCheck ALIVE = () -> { };
    /** As the plugin answers: through the wire form, as JDK types. */
    private static final PeerDiscovery.DriverChannel DRIVER = message -> wire(RendezvousBoard.answer((RendezvousRequest) message));
    private static long nextGroup = 1_000;

    /** The answer as an executor receives it: only JDK classes, which its RPC thread can deserialise. */
    private static Object wire(RendezvousReply reply) {
        Object wire = reply.toWire();
        assertTrue(wire instanceof String[] || wire instanceof Integer || wire instanceof String,
                "a JDK type on the wire: " + wire.getClass());
        return wire;
    }

    private static RendezvousRequest request(long group, int attempt, int rank, int size) {
        return new RendezvousRequest(group, attempt, rank, size, "task " + rank + " of attempt " + attempt);
    }

    @Test
    void everyTaskOfAPassGetsEveryMessageByRankAndTheLastToArriveDoesNotWait() throws Exception {
        long group = nextGroup++;
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (RendezvousBoard board = RendezvousBoard.open(group, 4)) {
            List<Future<List<String>>> early = new ArrayList<>();
            for (int rank = 0; rank < 3; rank++) {
                RendezvousRequest request = request(group, 0, rank, 4);
                early.add(pool.submit(() -> PeerDiscovery.throughDriver(DRIVER, request,
                        Duration.ofSeconds(30), ALIVE)));
            }
            Thread.sleep(200); // the first three are waiting now
            AtomicInteger lastAsks = new AtomicInteger();
            List<String> last = PeerDiscovery.throughDriver(message -> {
                lastAsks.incrementAndGet();
                return wire(RendezvousBoard.answer((RendezvousRequest) message));
            }, request(group, 0, 3, 4), Duration.ofSeconds(30), ALIVE);

            List<String> expected = List.of("task 0 of attempt 0", "task 1 of attempt 0", "task 2 of attempt 0",
                    "task 3 of attempt 0");
            assertEquals(expected, last);
            assertEquals(1, lastAsks.get(), "the last task is answered at its first request");
            for (Future<List<String>> waiting : early) {
                assertEquals(expected, waiting.get(10, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRetriedStagesTasksMeetEachOtherNotTheFailedAttempts() throws Exception {
        long group = nextGroup++;
        try (RendezvousBoard board = RendezvousBoard.open(group, 2)) {
            assertEquals(1, RendezvousBoard.answer(request(group, 0, 0, 2)).missing());
            // attempt 0's task 1 never came; attempt 1's tasks find each other, not attempt 0's task 0
            assertEquals(1, RendezvousBoard.answer(request(group, 1, 1, 2)).missing());
            RendezvousReply reply = RendezvousBoard.answer(request(group, 1, 0, 2));
            assertTrue(reply.isComplete());
            assertEquals(List.of("task 0 of attempt 1", "task 1 of attempt 1"), reply.messages());
        }
    }

    @Test
    void aPassThatEndedOrATaskOfAnotherSizeIsRefusedInsteadOfWaitedFor() {
        long group = nextGroup++;
        try (RendezvousBoard board = RendezvousBoard.open(group, 2)) {
            IOException wrongSize = assertThrows(IOException.class, () -> PeerDiscovery.throughDriver(
                    DRIVER, request(group, 0, 2, 3), Duration.ofSeconds(30), ALIVE));
            assertTrue(wrongSize.getMessage().contains("task 2 of 3 does not belong to this pass of 2 tasks"),
                    wrongSize.getMessage());
        }
        IOException ended = assertThrows(IOException.class, () -> PeerDiscovery.throughDriver(
                DRIVER, request(group, 0, 0, 2), Duration.ofSeconds(30), ALIVE));
        assertTrue(ended.getMessage().contains("no open rendezvous for this pass"), ended.getMessage());
        assertThrows(IllegalStateException.class, () -> {
            try (RendezvousBoard first = RendezvousBoard.open(group, 2);
                 RendezvousBoard second = RendezvousBoard.open(group, 2)) {
                // a group id is used once at a time
            }
        });
    }

    @Test
    void aPeerThatNeverComesFailsTheWaitAfterThePeerTimeoutNamingHowManyAreMissing() throws Exception {
        long group = nextGroup++;
        try (RendezvousBoard board = RendezvousBoard.open(group, 3)) {
            long start = System.nanoTime();
            IOException timeout = assertThrows(IOException.class, () -> PeerDiscovery.throughDriver(
                    DRIVER, request(group, 0, 0, 3), Duration.ofSeconds(1), ALIVE));
            double waited = (System.nanoTime() - start) / 1e9;
            assertEquals("2 of the pass's 3 tasks did not start within 1 s (training.peer-timeout-seconds)",
                    timeout.getMessage());
            assertTrue(waited >= 1.0 && waited < 10, "gave up after " + waited + " s");
        }
    }

    @Test
    void aKilledTaskStopsWaitingAtItsNextRequest() throws Exception {
        long group = nextGroup++;
        AtomicBoolean killed = new AtomicBoolean();
        AtomicInteger asks = new AtomicInteger();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (RendezvousBoard board = RendezvousBoard.open(group, 2)) {
            Future<List<String>> waiting = pool.submit(() -> PeerDiscovery.throughDriver(message -> {
                asks.incrementAndGet();
                return wire(RendezvousBoard.answer((RendezvousRequest) message));
            }, request(group, 0, 0, 2), Duration.ofSeconds(600), () -> {
                if (killed.get()) {
                    throw new IllegalStateException("killed");
                }
            }));
            while (asks.get() < 3) {
                Thread.sleep(5);
            }
            killed.set(true);
            java.util.concurrent.ExecutionException stopped = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> waiting.get(5, TimeUnit.SECONDS), "the task stopped within a pause of the kill");
            assertEquals("killed", stopped.getCause().getMessage());
        } finally {
            pool.shutdownNow();
        }
    }
}

package org.sparkcnn.output;

import org.sparkcnn.common.CapturedLogs;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sparkcnn.common.BadInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@link OutputLock} promises, on whichever Hadoop file system a subclass gives: the local one
 * (OutputLockTest) and a real HDFS (OutputLockHdfsIT).
 */
@Timeout(120)
abstract class OutputLockContract {
    private static final Duration STALE = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The file system under test. */
    abstract FileSystem fs();

    /** A fresh folder on it for one test. */
    abstract Path newRoot() throws IOException;

    private static OutputLock.Holder holder(String runId) {
        return OutputLock.Holder.thisProcess(runId, "train");
    }

    private JsonNode lockContent(Path dir) throws IOException {
        try (InputStream in = fs().open(new Path(dir, OutputLock.FILE_NAME))) {
            return JSON.readTree(in);
        }
    }

    @Test
    void aSecondRunIsRefusedNamingTheHolder() throws IOException {
        Path dir = new Path(newRoot(), "run");
        OutputLock.Holder first = holder("first");
        try (OutputLock lock = OutputLock.acquire(fs(), dir, STALE, first)) {
            assertEquals("first", lockContent(dir).get("runId").asText());
            assertEquals(first.pid(), lockContent(dir).get("pid").asLong());
            BadInputException refused = assertThrows(BadInputException.class,
                    () -> OutputLock.acquire(fs(), dir, STALE, holder("second")));
            assertTrue(refused.getMessage().contains("another run is writing it: host " + first.host() + ", pid "
                    + first.pid() + ", started " + first.start() + " (train run first)"), refused.getMessage());
            assertFalse(refused.getMessage().contains("\n"), "one line");
            assertEquals("first", lockContent(dir).get("runId").asText(), "the holder keeps it");
        }
        assertFalse(fs().exists(dir), "released, and the empty folder it created is gone");
    }

    @Test
    void ofRunsStartingAtOnceExactlyOneGetsTheLock() throws Exception {
        Path dir = new Path(newRoot(), "run");
        int runs = 6;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(runs);
        List<Future<OutputLock>> attempts = new ArrayList<>();
        try {
            for (int i = 0; i < runs; i++) {
                String runId = "run-" + i;
                Callable<OutputLock> attempt = () -> {
                    go.await(30, TimeUnit.SECONDS);
                    try {
                        return OutputLock.acquire(fs(), dir, STALE, holder(runId));
                    } catch (BadInputException e) {
                        return null;
                    }
                };
                attempts.add(pool.submit(attempt));
            }
            go.countDown();
            List<OutputLock> winners = new ArrayList<>();
            for (Future<OutputLock> attempt : attempts) {
                OutputLock lock = attempt.get(60, TimeUnit.SECONDS);
                if (lock != null) {
                    winners.add(lock);
                }
            }
            assertEquals(1, winners.size(), "exactly one of " + runs + " runs holds the folder");
            assertEquals(winners.get(0).holder().runId(), lockContent(dir).get("runId").asText());
            winners.forEach(OutputLock::close);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aKilledRunsStaleLockIsTakenOverWithAWarning() throws IOException {
        Path dir = new Path(newRoot(), "run");
        fs().mkdirs(dir);
        Path file = new Path(dir, OutputLock.FILE_NAME);
        // what a run killed with SIGKILL ten minutes ago left: its lock, never renewed since
        try (FSDataOutputStream out = fs().create(file, false)) {
            out.write(("{\"host\":\"dead-host\",\"pid\":4242,\"start\":\"2026-12-01T03:00:00Z\","
                    + "\"runId\":\"dead-run\",\"command\":\"train\",\"heartbeat\":\"2026-12-01T03:10:00Z\"}")
                    .getBytes(StandardCharsets.UTF_8));
        }
        long tenMinutesAgo = System.currentTimeMillis() - Duration.ofMinutes(10).toMillis();
        fs().setTimes(file, tenMinutesAgo, -1);

        try (CapturedLogs log = CapturedLogs.of(OutputLock.class);
             OutputLock lock = OutputLock.acquire(fs(), dir, STALE, holder("new-run"))) {
            assertEquals("dead-host", lock.tookOverFrom().orElseThrow().host());
            assertEquals(4242, lock.tookOverFrom().orElseThrow().pid());
            JsonNode content = lockContent(dir);
            assertEquals("new-run", content.get("runId").asText());
            assertEquals("dead-run", content.at("/tookOverFrom/runId").asText(), "the takeover is recorded");
            assertTrue(log.texts().stream().anyMatch(l -> l.startsWith("WARN Taking over the stale lock")
                    && l.contains("host dead-host, pid 4242") && l.contains("output.lock-stale-seconds (120)")),
                    log.texts().toString());
        }
        assertTrue(fs().exists(dir) && !fs().exists(file), "released; the folder existed before, so it stays");
    }

    @Test
    void theHeartbeatKeepsALiveRunsLockFresh() throws Exception {
        Path dir = new Path(newRoot(), "run");
        Duration stale = Duration.ofSeconds(4); // a beat every second
        Path file = new Path(dir, OutputLock.FILE_NAME);
        try (OutputLock lock = OutputLock.acquire(fs(), dir, stale, holder("alive"))) {
            // pretend the last write was long ago: only the heartbeat can make it fresh again
            long old = System.currentTimeMillis() - Duration.ofMinutes(10).toMillis();
            fs().setTimes(file, old, -1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (fs().getFileStatus(file).getModificationTime() <= old) {
                assertTrue(System.nanoTime() < deadline, "no heartbeat within 20 s");
                Thread.sleep(200);
            }
            assertTrue(Instant.parse(lockContent(dir).get("heartbeat").asText())
                    .isAfter(Instant.now().minusSeconds(10)), "the content says when it beat");
            BadInputException refused = assertThrows(BadInputException.class,
                    () -> OutputLock.acquire(fs(), dir, stale, holder("second")));
            assertTrue(refused.getMessage().contains("(train run alive)"), refused.getMessage());
            lock.verifyHeld();
        }
    }
}

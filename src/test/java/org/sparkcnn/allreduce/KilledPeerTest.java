package org.sparkcnn.allreduce;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A ring peer in another JVM is killed with SIGKILL while the ring is summing: the surviving peer must
 * fail within 10 s, long before its 60 s peer timeout. The kernel closes a killed process's sockets, so
 * the survivor reads end-of-stream or a reset instead of waiting.
 */
@Timeout(90)
class KilledPeerTest {
    /** 16 MB a call: each call takes long enough that the kill usually lands inside one. */
    private static final int LENGTH = 4 * 1024 * 1024;

    @Test
    void theSurvivorOfAPeerKilledMidAllReduceFailsWithinTenSeconds() throws Exception {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process peer = new ProcessBuilder(java.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                RingPeerProcess.class.getName(), Integer.toString(LENGTH))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (RingConnector.Listener listener = RingConnector.listen("127.0.0.1");
             BufferedReader peerOut = new BufferedReader(new InputStreamReader(peer.getInputStream(),
                     StandardCharsets.UTF_8))) {
            Writer peerIn = new OutputStreamWriter(peer.getOutputStream(), StandardCharsets.UTF_8);
            peerIn.write(HexFormat.of().formatHex(secret) + "\n");
            peerIn.flush();
            String peerAddress = readLine(peer, peerOut, "ADDRESS ");
            peerIn.write(listener.address() + "\n");
            peerIn.flush();
            long[] calls = {0};
            Future<IOException> survivor = pool.submit(() -> {
                try (AllReduce ring = listener.connect(0, List.of(listener.address(), peerAddress), secret,
                        Duration.ofSeconds(60))) {
                    FloatBuffer data = SharedMemoryAllReduceTest.direct(LENGTH);
                    for (int call = 1; call <= 100_000; call++) {
                        ring.sumInPlace(data);
                        calls[0] = call;
                    }
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });
            readLine(peer, peerOut, "CALL 3");
            long killed = System.nanoTime();
            peer.destroyForcibly(); // SIGKILL on Linux
            IOException failure = survivor.get(30, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - killed) / 1e9;
            assertTrue(peer.waitFor(10, TimeUnit.SECONDS), "the peer process is gone");
            assertEquals(137, peer.exitValue(), "killed by SIGKILL");
            assertTrue(failure != null, "the survivor noticed the lost peer");
            System.out.printf("TCP ring: survivor failed %.3f s after its peer process was killed (SIGKILL) "
                    + "during call %d: %s%n", seconds, calls[0] + 1, failure);
            assertTrue(seconds < 10, "the survivor failed only after " + seconds + " s");
        } finally {
            peer.destroyForcibly();
            pool.shutdownNow();
        }
    }

    /** Reads the peer's stdout up to a line starting with {@code prefix}; returns the rest of it. */
    private static String readLine(Process peer, BufferedReader out, String prefix) throws IOException {
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
        }
        fail("the peer process ended (exit " + peer.exitValue() + ") before printing " + prefix);
        return null;
    }
}

package org.sparkcnn.bench;

import org.sparkcnn.allreduce.AllReduce;
import org.sparkcnn.allreduce.RingConnector;
import org.sparkcnn.allreduce.SharedMemoryAllReduce;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Times one all-reduce call on its own, for the scaling model (docs/scaling.md): the TCP ring over
 * loopback and the shared-memory group, for a vector of the model's size (bandwidth-bound) and of one
 * float (latency-bound), with peers on threads of this JVM.
 */
public final class RingBenchmark {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /**
     * @param transport    "tcp-ring" or "shared-memory"
     * @param peers        group size
     * @param floats       vector length
     * @param medianMillis median time of one call, slowest peer
     */
    public record Measurement(String transport, int peers, long floats, double medianMillis) {
    }

    private RingBenchmark() {
    }

    /** Measures both transports for each group size, with {@code calls} timed calls per point. */
    public static List<Measurement> run(List<Integer> groupSizes, int modelFloats, int calls) throws IOException {
        List<Measurement> results = new ArrayList<>();
        for (int peers : groupSizes) {
            for (int floats : new int[] {modelFloats, 1}) {
                int repeat = floats == 1 ? calls * 20 : calls;
                results.add(new Measurement("tcp-ring", peers, floats, time(peers, floats, repeat, true)));
                results.add(new Measurement("shared-memory", peers, floats, time(peers, floats, repeat, false)));
            }
        }
        return results;
    }

    private static double time(int peers, int floats, int calls, boolean tcp) throws IOException {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String key = "bench-" + UUID.randomUUID();
        List<RingConnector.Listener> listeners = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(peers);
        try {
            for (int i = 0; i < peers; i++) {
                listeners.add(RingConnector.listen("127.0.0.1"));
            }
            List<String> addresses = listeners.stream().map(RingConnector.Listener::address).toList();
            List<Future<double[]>> futures = new ArrayList<>();
            for (int rank = 0; rank < peers; rank++) {
                int r = rank;
                futures.add(pool.submit(() -> {
                    try (AllReduce group = tcp ? listeners.get(r).connect(r, addresses, secret, TIMEOUT)
                            : SharedMemoryAllReduce.join(key, r, peers, TIMEOUT)) {
                        return timeCalls(group, floats, calls);
                    }
                }));
            }
            double[] slowest = new double[calls];
            for (Future<double[]> f : futures) {
                double[] mine = peerResult(f);
                for (int i = 0; i < calls; i++) {
                    slowest[i] = Math.max(slowest[i], mine[i]);
                }
            }
            Arrays.sort(slowest);
            return slowest[calls / 2];
        } finally {
            for (RingConnector.Listener l : listeners) {
                l.close();
            }
            pool.shutdownNow();
        }
    }

    private static double[] peerResult(Future<double[]> peer) throws IOException {
        try {
            return peer.get(10, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while timing all-reduce calls");
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("timing all-reduce calls failed: " + e, e);
        }
    }

    private static double[] timeCalls(AllReduce group, int floats, int calls) throws IOException {
        FloatBuffer data = ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        group.sumInPlace(data); // warm-up: connections, JIT
        double[] millis = new double[calls];
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            group.sumInPlace(data);
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        return millis;
    }
}

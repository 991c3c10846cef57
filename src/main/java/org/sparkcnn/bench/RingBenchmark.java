package org.sparkcnn.bench;

import org.sparkcnn.allreduce.AllReduce;
import org.sparkcnn.allreduce.LocalGroup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Times one all-reduce call on its own, for the scaling model (docs/scaling.md): the TCP ring over
 * loopback, plain and encrypted (what {@code spark.network.crypto.enabled=true} costs), and the
 * shared-memory group, for a vector of the model's size (bandwidth-bound) and of one float
 * (latency-bound), with peers on threads of this JVM.
 */
public final class RingBenchmark {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Untimed calls first: connections, and the JIT compiling the sums and AES-GCM. */
    private static final int WARM_UP_CALLS = 3;

    /**
     * @param transport    "tcp-ring", "tcp-ring-encrypted" or "shared-memory"
     * @param peers        group size
     * @param floats       vector length
     * @param medianMillis median time of one call, slowest peer
     * @param cpuMillis    CPU time of one call, all peers together (this process's CPU time over the timed
     *                     calls, divided by their number): what a call costs whatever else runs on the machine
     */
    public record Measurement(String transport, int peers, long floats, double medianMillis, double cpuMillis) {
    }

    private RingBenchmark() {
    }

    /** Measures both transports for each group size, with {@code calls} timed calls per point. */
    public static List<Measurement> run(List<Integer> groupSizes, int modelFloats, int calls) throws IOException {
        List<Measurement> results = new ArrayList<>();
        for (int peers : groupSizes) {
            for (int floats : new int[] {modelFloats, 1}) {
                int repeat = floats == 1 ? calls * 20 : calls;
                for (LocalGroup.Transport transport : LocalGroup.Transport.values()) {
                    results.add(time(transport, peers, floats, repeat));
                }
            }
        }
        return results;
    }

    private static String name(LocalGroup.Transport transport) {
        return transport.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static Measurement time(LocalGroup.Transport transport, int peers, int floats, int calls)
            throws IOException {
        double[] cpuSeconds = new double[1];
        List<double[]> perPeer = LocalGroup.run(transport, peers, TIMEOUT, Duration.ofMinutes(10),
                (rank, group) -> timeCalls(group, floats, calls, rank == 0 ? cpuSeconds : null));
        double[] slowest = new double[calls];
        for (double[] mine : perPeer) {
            for (int i = 0; i < calls; i++) {
                slowest[i] = Math.max(slowest[i], mine[i]);
            }
        }
        Arrays.sort(slowest);
        return new Measurement(name(transport), peers, floats, slowest[calls / 2], cpuSeconds[0] * 1000 / calls);
    }

    /** @param cpuSeconds where to put the process's CPU time over the timed calls, or null */
    static double[] timeCalls(AllReduce group, int floats, int calls, double[] cpuSeconds) throws IOException {
        FloatBuffer data = ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < WARM_UP_CALLS; i++) {
            group.sumInPlace(data);
        }
        double[] millis = new double[calls];
        double cpuStart = ProcessCpu.seconds();
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            group.sumInPlace(data);
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        if (cpuSeconds != null) {
            cpuSeconds[0] = ProcessCpu.seconds() - cpuStart;
        }
        return millis;
    }
}

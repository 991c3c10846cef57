package org.sparkcnn.bench;

import org.sparkcnn.allreduce.AllReduce;
import org.sparkcnn.allreduce.RingConnector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One peer of an all-reduce call timed across hosts: what src/it/netns/netns-cluster.sh runs in each network
 * namespace of a simulated cluster (docs/scaling.md), one JVM per host, where {@link RingBenchmark} runs
 * every peer on threads of one JVM over loopback. The peers find each other through a folder they all
 * see: each writes its ring address there, waits (bounded) for the others', joins the TCP ring and times
 * {@code --calls} calls of {@code --floats} floats and {@code --latency-calls} calls of one float, after
 * untimed warm-up calls. Each call's time in milliseconds goes to {@code rank-R.times} and
 * {@code rank-R.latency} in that folder, one per line, for the script to take the slowest peer per call, and
 * this JVM's CPU milliseconds per call of {@code --floats} to {@code rank-R.cpu}.
 *
 * <p>Arguments: {@code --rank R --peers N --host ADDRESS --rendezvous DIR --floats F --calls C
 * --latency-calls L --secret-file FILE [--timeout-seconds S]}. The ring's secret is read from a file (never
 * the command line).
 */
public final class RingPeerBench {
    private RingPeerBench() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Map<String, String> options = options(args);
        int rank = Integer.parseInt(required(options, "rank"));
        int peers = Integer.parseInt(required(options, "peers"));
        Path dir = Path.of(required(options, "rendezvous"));
        int floats = Integer.parseInt(required(options, "floats"));
        int calls = Integer.parseInt(required(options, "calls"));
        int latencyCalls = Integer.parseInt(required(options, "latency-calls"));
        byte[] secret = Files.readAllBytes(Path.of(required(options, "secret-file")));
        Duration timeout = Duration.ofSeconds(Long.parseLong(options.getOrDefault("timeout-seconds", "120")));

        // the handshake gets the whole join timeout: see RingConnector.listen(String, Duration)
        try (RingConnector.Listener listener = RingConnector.listen(required(options, "host"), timeout)) {
            publish(dir.resolve("addr-" + rank), listener.address());
            List<String> addresses = awaitAddresses(dir, peers, timeout);
            try (AllReduce ring = listener.connect(rank, addresses, secret, timeout)) {
                double[] cpuSeconds = new double[1];
                write(dir.resolve("rank-" + rank + ".times"), RingBenchmark.timeCalls(ring, floats, calls, cpuSeconds));
                // this JVM's CPU time per call: what the ring costs a host's cores, whatever else runs
                write(dir.resolve("rank-" + rank + ".cpu"), new double[] {cpuSeconds[0] * 1000 / calls});
                write(dir.resolve("rank-" + rank + ".latency"), RingBenchmark.timeCalls(ring, 1, latencyCalls, null));
            }
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return value;
    }

    /** Written whole then renamed: a peer never reads half an address. */
    private static void publish(Path file, String text) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.writeString(partial, text);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
    }

    private static List<String> awaitAddresses(Path dir, int peers, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> addresses = new ArrayList<>();
            for (int r = 0; r < peers && Files.exists(dir.resolve("addr-" + r)); r++) {
                addresses.add(Files.readString(dir.resolve("addr-" + r)).strip());
            }
            if (addresses.size() == peers) {
                return addresses;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(addresses.size() + " of " + peers + " peers published an address in " + dir
                        + " within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    private static void write(Path file, double[] millis) throws IOException {
        Files.writeString(file, Arrays.stream(millis).mapToObj(m -> String.format(java.util.Locale.ROOT, "%.3f", m))
                .collect(Collectors.joining("\n", "", "\n")));
    }
}

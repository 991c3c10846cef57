package org.sparkcnn.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The simulated cluster of docs/scaling.md, in small: src/it/netns/netns-cluster.sh builds 3 hosts in
 * network namespaces on a bridge, shapes their links to {@link #RATE_MBIT} Mbit/s, times an all-reduce of 2M
 * floats between them (one JVM per namespace) and removes everything. Asserts that the ring moved data at
 * the shaped rate (within 30%: the shaping holds, so the script's measurements mean what they say) and that
 * nothing was left behind: no namespace or link with the test's prefix, no peer process.
 *
 * <p>Needs root and iproute2 ({@code ip netns}, {@code tc}); elsewhere the test is skipped, saying why.
 */
// both tests took 47 s on 2 cores at load 36 (other builds running), most of it 3 JVMs starting; 90 s each leaves room
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NetnsClusterIT {
    private static final String PREFIX = "scnnt";
    private static final int RATE_MBIT = 200;
    private static final int PEERS = 3;
    private static final int FLOATS = 2_000_000;
    private static final double TOLERANCE = 0.30;

    @TempDir
    Path work;

    @Test
    void shapedRingMovesDataAtTheLinkRateAndNothingIsLeftBehind() throws Exception {
        assumeNamespacesWork();
        Path project = Path.of(System.getProperty("user.dir"));
        Path out = work.resolve("netns");
        List<String> command = List.of("bash", project.resolve("src/it/netns/netns-cluster.sh").toString(),
                "--prefix", PREFIX, "--shapes", RATE_MBIT + "mbit/0us", "--peers", Integer.toString(PEERS),
                "--floats", Integer.toString(FLOATS), "--calls", "5", "--latency-calls", "20",
                "--timeout-seconds", "60", "--classpath", System.getProperty("java.class.path"),
                "--out", out.toString(), "ring");
        Process script = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("script.log").toFile()).start();
        boolean ended;
        try {
            ended = script.waitFor(75, TimeUnit.SECONDS);
        } finally {
            // the script's own trap removes the cluster on TERM
            script.destroy();
            script.onExit().get(20, TimeUnit.SECONDS);
        }
        String log = Files.readString(work.resolve("script.log"), StandardCharsets.UTF_8);
        System.out.println(log);
        assertTrue(ended, "the script did not end in 75 s:\n" + log);
        assertEquals(0, script.exitValue(), log);

        // shape,rate,delay,peers,floats,calls,median_ms,min_ms,max_ms,latency_median_ms,load_1m,load_5m
        List<String> rows = Files.readAllLines(out.resolve("ring.csv"));
        assertEquals(1, rows.size(), "one measured point: " + rows);
        String[] row = rows.get(0).split(",");
        assertEquals(PEERS, Integer.parseInt(row[3]));
        // the fastest call: the link caps every call, while the 2 shared cores only ever slow one down
        double callMillis = Double.parseDouble(row[7]);
        double stepMillis = Double.parseDouble(row[9]) / (2.0 * (PEERS - 1));
        // each peer sends 2 (N-1)/N of the vector per call, in 2 (N-1) steps of one latency each
        double sentBytes = 2.0 * (PEERS - 1) / PEERS * FLOATS * Float.BYTES;
        double mbitPerSecond = sentBytes * 8 / ((callMillis - 2 * (PEERS - 1) * stepMillis) / 1000) / 1e6;
        System.out.printf(Locale.ROOT, "%d peers at %d Mbit/s: the fastest call of %d floats took %.1f ms "
                + "(median %s ms, one-float step %.3f ms): %.0f Mbit/s per peer, load %s%n", PEERS, RATE_MBIT, FLOATS,
                callMillis, row[6], stepMillis, mbitPerSecond, row[10]);
        assertTrue(Math.abs(mbitPerSecond - RATE_MBIT) <= TOLERANCE * RATE_MBIT,
                "measured " + mbitPerSecond + " Mbit/s on a link shaped to " + RATE_MBIT + ": " + rows.get(0));

        assertEquals("", ours(run("ip", "netns", "list")), "namespaces left behind");
        assertEquals("", ours(run("ip", "-o", "link", "show")), "links left behind");
        List<String> peers = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(out.toString()))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList();
        assertEquals(List.of(), peers, "processes left behind");
    }

    /**
     * --cleanup removes a run whose owner is gone (here: a namespace and state folder made by hand, owner
     * PID 0) and nothing else.
     */
    @Test
    void cleanupRemovesWhatADeadRunLeftBehind() throws Exception {
        assumeNamespacesWork();
        String stale = PREFIX + "-fff0-0";
        Path state = Path.of("/run/sparkcnn-netns", PREFIX + "-fff0");
        Files.createDirectories(state);
        Files.writeString(state.resolve("owner"), "0\n");
        assertEquals(0, exitCode(List.of("ip", "netns", "add", stale)), "could not make the stale namespace");
        try {
            String log = run("bash", Path.of(System.getProperty("user.dir"), "src/it/netns/netns-cluster.sh").toString(),
                    "--prefix", PREFIX, "--cleanup");
            assertTrue(log.contains("removed the leftovers of run fff0"), log);
            assertEquals("", ours(run("ip", "netns", "list")), "namespaces left behind: " + log);
            assertTrue(Files.notExists(state), "state folder left behind: " + log);
        } finally {
            exitCode(List.of("ip", "netns", "del", stale));
        }
    }

    /** Lines of {@code text} that name something of this test's prefix. */
    private static String ours(String text) {
        return String.join("\n", text.lines().filter(l -> l.contains(PREFIX)).toList());
    }

    /** Skips (with the reason) unless this is root and a namespace can be made and removed. */
    private static void assumeNamespacesWork() throws Exception {
        assumeTrue(run("id", "-u").strip().equals("0"), "netns cluster test skipped: needs root (ip netns, tc)");
        String probe = PREFIX + "-probe-" + ProcessHandle.current().pid();
        List<String> add = List.of("ip", "netns", "add", probe);
        int added;
        try {
            added = exitCode(add);
        } catch (IOException e) {
            added = -1;
        }
        assumeTrue(added == 0, "netns cluster test skipped: 'ip netns add' does not work here (iproute2 missing, "
                + "or no permission to create network namespaces)");
        assertEquals(0, exitCode(List.of("ip", "netns", "del", probe)), "could not remove the probe namespace");
        assumeTrue(exitCode(List.of("tc", "-V")) == 0, "netns cluster test skipped: no tc (iproute2)");
    }

    private static int exitCode(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    /** Runs a short command (bounded: 20 s) and returns what it printed. */
    private static String run(String... command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("netns-it", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not end in 20 s");
            }
            return Files.readString(output, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(output);
        }
    }
}

package org.sparkcnn.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.stream.Stream;
import java.util.Map;
import java.util.Optional;

/**
 * A Spark standalone cluster on 127.0.0.1 from Maven Central jars: a SPARK_HOME (jars/ from
 * src/it/spark-home, bin/spark-submit, conf/spark-defaults.conf = sparkcnn's template), a Master and
 * workers of 1 core each, started only once the master's port is open. With a secret, the master and
 * workers run with spark.authenticate and get the secret through the environment.
 */
final class StandaloneSpark {
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path home;
    private final DaemonProcesses processes;
    private final Optional<String> secret;
    private final String name;
    private final int masterPort;
    private final int webUiPort;
    private final List<Process> workers = new ArrayList<>();

    StandaloneSpark(String name, Path projectDir, Path sparkJars, Path work, DaemonProcesses processes,
                    Optional<String> secret) throws IOException {
        this.name = name;
        this.processes = processes;
        this.secret = secret;
        this.home = work.resolve("spark-home");
        Path events = Files.createDirectories(work.resolve("events"));
        // the template users copy, plus the event log this test reads to see which executor did what
        SparkHomeLayout.create(projectDir, sparkJars, home,
                "spark.eventLog.enabled true\nspark.eventLog.dir " + events.toUri() + "\nspark.ui.port 0\n");
        this.masterPort = DaemonProcesses.freePort();
        this.webUiPort = DaemonProcesses.freePort();
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    Path eventLogs() {
        return home.getParent().resolve("events");
    }

    /** The environment of every Spark process here: SPARK_HOME, Scala version, loopback, the secret. */
    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("SPARK_HOME", home.toString());
        env.put("SPARK_SCALA_VERSION", System.getProperty("scala.binary.version", "2.12"));
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_CONF_DIR", home.resolve("conf").toString());
        return env;
    }

    void start(int workerCount, String workerMemory, Path projectDir) throws IOException, InterruptedException {
        Map<String, String> daemonEnv = env();
        secret.ifPresent(s -> daemonEnv.put("_SPARK_AUTH_SECRET", s));
        processes.start(name + "-master", java(projectDir, "org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", Integer.toString(masterPort),
                "--webui-port", Integer.toString(webUiPort)), daemonEnv);
        DaemonProcesses.await("the Spark master port", Duration.ofMinutes(2), () -> DaemonProcesses.portOpen(masterPort)
                && DaemonProcesses.portOpen(webUiPort));
        for (int i = 0; i < workerCount; i++) {
            Path dir = Files.createDirectories(home.getParent().resolve("worker-" + i));
            workers.add(processes.start(name + "-worker-" + i, java(projectDir, "org.apache.spark.deploy.worker.Worker",
                    "--host", "127.0.0.1", "--cores", "1", "--memory", workerMemory, "--work-dir", dir.toString(),
                    "--webui-port", "0", masterUrl()), daemonEnv));
        }
        DaemonProcesses.await(workerCount + " alive workers", Duration.ofMinutes(2), () -> aliveWorkers() == workerCount);
    }

    private List<String> java(Path projectDir, String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + projectDir.resolve("conf/java-module-options"), "-Xmx256m"));
        if (secret.isPresent()) {
            command.add("-Dspark.authenticate=true");
        }
        command.addAll(List.of("-cp", home.resolve("conf") + ":" + home.resolve("jars") + "/*", mainClass));
        command.addAll(List.of(args));
        return command;
    }

    /** Everything the executors of this cluster wrote to stderr (their log), from the workers' work folders. */
    String executorLogs() throws IOException {
        StringBuilder logs = new StringBuilder();
        try (Stream<Path> files = Files.walk(home.getParent())) {
            for (Path stderr : files.filter(p -> p.getFileName().toString().equals("stderr")
                    && p.toString().contains("/worker-")).sorted().toList()) {
                logs.append(Files.readString(stderr)).append('\n');
            }
        }
        return logs.toString();
    }

    /** The master's own status page (JSON): workers, running and completed applications. */
    JsonNode status() throws IOException {
        try (InputStream in = URI.create("http://127.0.0.1:" + webUiPort + "/json/").toURL().openStream()) {
            return JSON.readTree(in);
        }
    }

    private int aliveWorkers() {
        try {
            int alive = 0;
            for (JsonNode worker : status().path("workers")) {
                if ("ALIVE".equals(worker.path("state").asText())) {
                    alive++;
                }
            }
            return alive;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Applications the master ever registered (running or completed). */
    int applicationCount() throws IOException {
        JsonNode status = status();
        return status.path("activeapps").size() + status.path("completedapps").size();
    }

    /** Executor JVMs (CoarseGrainedExecutorBackend) a worker started and that are still running. */
    List<ProcessHandle> executorsOf(int worker) {
        return workers.get(worker).descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                .toList();
    }
}

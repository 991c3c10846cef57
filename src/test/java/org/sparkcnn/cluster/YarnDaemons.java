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
import java.util.List;
import java.util.Map;

/**
 * A real single-node YARN as separate processes: a ResourceManager and one NodeManager of Hadoop 3.4.2
 * (target/yarn-home, built by src/it/yarn-home), on 127.0.0.1 ports picked free, writing yarn-site.xml
 * and capacity-scheduler.xml into the HDFS client configuration folder so that one HADOOP_CONF_DIR names
 * the whole test cluster. The NodeManager enforces each container's physical memory (the check a real
 * cluster runs: a container whose process tree outgrows its size is killed); the virtual memory check is
 * off, as on most clusters (a JVM reserves far more address space than it uses).
 */
final class YarnDaemons {
    /** Memory the NodeManager offers: 2 executors of 4.5 GiB and a 2.5 GiB application master fit. */
    static final int NODE_MEMORY_MB = 12 * 1024;
    /** vcores the NodeManager offers; the CapacityScheduler does not enforce them by default. */
    static final int NODE_VCORES = 4;
    /** Containers are rounded up to a multiple of this (YARN's default 1024 would waste up to 1 GiB each). */
    static final int MIN_ALLOCATION_MB = 256;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path home;
    private final Path javaModuleOptions;
    private final Path conf;
    private final Path work;
    private final DaemonProcesses processes;
    private final int webPort;
    private final HadoopSecurity security;
    private Process nodeManager;

    /**
     * @param javaModuleOptions conf/java-module-options: Hadoop 3.3's web apps (Guice) need java.lang
     *                          opened on Java 17
     */
    YarnDaemons(Path home, Path javaModuleOptions, Path conf, Path work, DaemonProcesses processes,
                HadoopSecurity security) throws IOException {
        this.home = home;
        this.security = security;
        this.javaModuleOptions = javaModuleOptions;
        this.conf = conf;
        this.work = work;
        this.processes = processes;
        this.webPort = DaemonProcesses.freePort();
        String rm = "127.0.0.1:";
        Files.writeString(conf.resolve("yarn-site.xml"), HdfsDaemons.xml(HdfsDaemons.merged(Map.ofEntries(
                Map.entry("yarn.resourcemanager.hostname", "127.0.0.1"),
                Map.entry("yarn.resourcemanager.address", rm + DaemonProcesses.freePort()),
                Map.entry("yarn.resourcemanager.scheduler.address", rm + DaemonProcesses.freePort()),
                Map.entry("yarn.resourcemanager.resource-tracker.address", rm + DaemonProcesses.freePort()),
                Map.entry("yarn.resourcemanager.admin.address", rm + DaemonProcesses.freePort()),
                Map.entry("yarn.resourcemanager.webapp.address", rm + webPort),
                Map.entry("yarn.nodemanager.hostname", "127.0.0.1"),
                Map.entry("yarn.nodemanager.address", rm + DaemonProcesses.freePort()),
                Map.entry("yarn.nodemanager.localizer.address", rm + DaemonProcesses.freePort()),
                Map.entry("yarn.nodemanager.webapp.address", rm + DaemonProcesses.freePort()),
                Map.entry("yarn.nodemanager.resource.memory-mb", Integer.toString(NODE_MEMORY_MB)),
                Map.entry("yarn.nodemanager.resource.cpu-vcores", Integer.toString(NODE_VCORES)),
                Map.entry("yarn.scheduler.minimum-allocation-mb", Integer.toString(MIN_ALLOCATION_MB)),
                Map.entry("yarn.scheduler.maximum-allocation-mb", Integer.toString(NODE_MEMORY_MB)),
                Map.entry("yarn.nodemanager.pmem-check-enabled", "true"),
                Map.entry("yarn.nodemanager.vmem-check-enabled", "false"),
                Map.entry("yarn.nodemanager.local-dirs", work.resolve("nm-local").toString()),
                Map.entry("yarn.nodemanager.log-dirs", containerLogs().toString()),
                // a shared CI disk can be fuller than the default 90% without being short of space
                Map.entry("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "99"),
                // the NodeManager's heartbeat is when the scheduler hands out containers: 250 ms instead of
                // 1 s shortens each executor's (and a replacement executor's) wait for its container
                Map.entry("yarn.resourcemanager.nodemanagers.heartbeat-interval-ms", "250"),
                Map.entry("yarn.log-aggregation-enable", "false"),
                Map.entry("yarn.timeline-service.enabled", "false")), security.yarnSite())));
        // one queue with the whole cluster; the application master may take half of it (the default
        // 10% = 1.2 GiB would keep a cluster-mode driver's 2.5 GiB container waiting forever)
        Files.writeString(conf.resolve("capacity-scheduler.xml"), HdfsDaemons.xml(Map.of(
                "yarn.scheduler.capacity.root.queues", "default",
                "yarn.scheduler.capacity.root.default.capacity", "100",
                "yarn.scheduler.capacity.root.default.maximum-capacity", "100",
                "yarn.scheduler.capacity.maximum-am-resource-percent", "0.5")));
    }

    /** Where the NodeManager keeps each container's stdout/stderr (application/container/stderr). */
    Path containerLogs() {
        return work.resolve("nm-logs");
    }

    /** Starts the ResourceManager and the NodeManager, and waits until the node is RUNNING. */
    void start() throws IOException, InterruptedException {
        processes.start("resourcemanager", java("org.apache.hadoop.yarn.server.resourcemanager.ResourceManager"), Map.of());
        DaemonProcesses.await("the ResourceManager web port", Duration.ofMinutes(2), () -> DaemonProcesses.portOpen(webPort));
        // containers start java from JAVA_HOME, which the NodeManager passes on (yarn.nodemanager.env-whitelist)
        nodeManager = processes.start("nodemanager", java("org.apache.hadoop.yarn.server.nodemanager.NodeManager"),
                Map.of("JAVA_HOME", System.getProperty("java.home")));
        DaemonProcesses.await("a RUNNING NodeManager", Duration.ofMinutes(2), () -> {
            try {
                JsonNode nodes = rest("/ws/v1/cluster/nodes").at("/nodes/node");
                return nodes.size() == 1 && "RUNNING".equals(nodes.get(0).path("state").asText());
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** The ResourceManager's REST API (JSON). */
    JsonNode rest(String path) throws IOException {
        try (InputStream in = URI.create("http://127.0.0.1:" + webPort + path).toURL().openStream()) {
            return JSON.readTree(in);
        }
    }

    /** An application as the ResourceManager reports it: state, finalStatus, diagnostics... */
    JsonNode application(String applicationId) throws IOException {
        return rest("/ws/v1/cluster/apps/" + applicationId).path("app");
    }

    /**
     * Executor JVMs (YarnCoarseGrainedExecutorBackend) running in the NodeManager's containers: the java
     * processes, not the bash that launch_container.sh starts them with (its command line names the class
     * too).
     */
    List<ProcessHandle> executors() {
        return nodeManager.descendants()
                .filter(p -> p.info().command().orElse("").endsWith("/java")
                        && p.info().commandLine().orElse("").contains("YarnCoarseGrainedExecutorBackend"))
                .toList();
    }

    private List<String> java(String mainClass) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + javaModuleOptions, "-Xmx512m"));
        command.addAll(security.jvmOptions());
        command.addAll(List.of("-cp", conf + ":" + home.resolve("lib") + "/*", mainClass));
        return command;
    }
}

package org.sparkcnn.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.data.MnistFixture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sparkcnn.cluster.ClusterJobs.FAULT_TOLERANCE;
import static org.sparkcnn.cluster.ClusterJobs.MIN_ACCURACY;
import static org.sparkcnn.cluster.ClusterJobs.SUBMIT_TIMEOUT;
import static org.sparkcnn.cluster.ClusterJobs.trainingJob;
import static org.sparkcnn.cluster.ClusterJobs.waitFor;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sparkcnn on a real YARN cluster, end to end, from Maven Central jars only, on 127.0.0.1: a
 * ResourceManager and a NodeManager (Hadoop 3.3.4, separate JVMs, the NodeManager's physical memory check
 * on), a NameNode and a DataNode, and a Spark 3.5.5 SPARK_HOME with spark-yarn. MNIST is put into HDFS;
 * every job is submitted with submit-scripts/yarn.sh, in cluster and in client deploy mode; the model and
 * report appear on HDFS and the ResourceManager reports the application SUCCEEDED. A job with a corrupt
 * data file fails in both modes: yarn.sh exits non-zero, YARN reports FAILED and output.dir stays
 * empty. Then an executor's container JVM is killed in the middle of a training pass: the pass runs
 * again, YARN gives Spark a new executor and the job completes. Every process started here is stopped
 * by PID at the end.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class YarnE2EIT {
    private static final Pattern APPLICATION_ID = Pattern.compile("application_\\d+_\\d+");

    @TempDir
    static java.nio.file.Path work;
    private static java.nio.file.Path project;
    private static DaemonProcesses processes;
    private static FileSystem hdfs;
    private static String hdfsRoot;
    private static YarnDaemons yarn;
    private static Map<String, String> submitEnv;
    private static Double clientModeAccuracy;

    @BeforeAll
    static void startClusters() throws Exception {
        project = java.nio.file.Path.of(System.getProperty("user.dir"));
        java.nio.file.Path sparkJars = java.nio.file.Path.of(System.getProperty("spark.yarn.home.dir",
                "target/it/spark-yarn-home/target/spark-yarn-home")).resolve("jars").toAbsolutePath();
        java.nio.file.Path hdfsHome = java.nio.file.Path.of(System.getProperty("hdfs.home.dir", "target/it/hdfs-home/target/hdfs-home"));
        java.nio.file.Path yarnHome = java.nio.file.Path.of(System.getProperty("yarn.home.dir", "target/it/yarn-home/target/yarn-home"));
        assertTrue(Files.isDirectory(sparkJars) && Files.isDirectory(hdfsHome.resolve("lib"))
                        && Files.isDirectory(yarnHome.resolve("lib")),
                "SPARK_HOME/HDFS/YARN jars missing: run through 'mvn verify' (maven-invoker-plugin builds them)");
        processes = new DaemonProcesses(work.resolve("logs"));
        HdfsDaemons hdfsDaemons = new HdfsDaemons(hdfsHome, Files.createDirectories(work.resolve("hdfs")), processes);
        hdfs = hdfsDaemons.start();
        hdfsRoot = hdfs.getUri().toString();
        ClusterJobs.putMnist(hdfs, "/mnist");
        ClusterJobs.putMnist(hdfs, "/mnist-bad");
        try (FSDataOutputStream out = hdfs.create(new Path("/mnist-bad/" + MnistFixture.TRAIN_IMAGES))) {
            out.write("not an IDX file\n".getBytes(StandardCharsets.US_ASCII));
        }
        yarn = new YarnDaemons(yarnHome, project.resolve("conf/java-module-options"), hdfsDaemons.conf(),
                Files.createDirectories(work.resolve("yarn")), processes);
        yarn.start();

        java.nio.file.Path sparkHome = work.resolve("spark-home");
        // spark.yarn.jars local: the NodeManager runs on this machine, so containers put Spark's jars on
        // their classpath where they are instead of spark-submit zipping and uploading 300 MB per submit;
        // SPARK_LOCAL_IP keeps the driver and executors in containers on loopback too
        java.nio.file.Path sparkConf = SparkHomeLayout.create(project, sparkJars.toRealPath(), sparkHome, """
                spark.yarn.jars local:%s/*
                spark.yarn.appMasterEnv.SPARK_LOCAL_IP 127.0.0.1
                spark.executorEnv.SPARK_LOCAL_IP 127.0.0.1
                spark.ui.port 0
                """.formatted(sparkJars.toRealPath()));
        submitEnv = Map.of("SPARK_HOME", sparkHome.toString(), "SPARK_CONF_DIR", sparkConf.toString(),
                "SPARK_SCALA_VERSION", "2.12", "SPARK_LOCAL_IP", "127.0.0.1",
                "HADOOP_CONF_DIR", hdfsDaemons.conf().toString(), "JAVA_HOME", System.getProperty("java.home"));
    }

    @AfterAll
    static void stopClusters() throws IOException {
        ClusterJobs.stop(hdfs, processes);
    }

    /**
     * The submit command: yarn.sh with 2 executors of 1 core, 2g heap + 2g off-heap each (containers of
     * 2 GiB + the memoryOverhead yarn.sh derives), a driver of 1g heap + 1g off-heap.
     */
    private static List<String> submit(String deployMode, String dataDir, String output, String... overrides) {
        List<String> command = new ArrayList<>(List.of("bash", project.resolve("submit-scripts/yarn.sh").toString(),
                "--queue", "default", "--deploy-mode", deployMode, "--executors", "2", "--executor-cores", "1",
                "--executor-memory", "2g", "--executor-offheap", "2g", "--driver-memory", "1g",
                "--driver-offheap", "1g", "--config", project.resolve("conf/sparkcnn.conf").toString(),
                "train", "data.dir=" + hdfsRoot + dataDir, "output.dir=" + hdfsRoot + output,
                "spark.properties.\"spark.hadoop.dfs.replication\"=1"));
        command.addAll(List.of(overrides));
        return command;
    }


    /** Runs a submit to its end; returns its exit code and YARN's application id from its log. */
    private static Submitted run(String name, List<String> command) throws Exception {
        long started = System.nanoTime();
        int exit = waitFor(processes, name, processes.start(name, command, submitEnv));
        System.out.printf("%s: exit %d after %d s%n", name, exit, (System.nanoTime() - started) / 1_000_000_000L);
        return new Submitted(exit, applicationId(name));
    }

    private record Submitted(int exit, String applicationId) {
    }

    private static String applicationId(String name) {
        Matcher id = APPLICATION_ID.matcher(processes.logText(name));
        assertTrue(id.find(), name + " names no YARN application:\n" + processes.logText(name));
        return id.group();
    }

    /** The application as the ResourceManager reports it once it ended (its final status is set then). */
    private static JsonNode finishedApplication(String applicationId) throws Exception {
        DaemonProcesses.await(applicationId + " to end in YARN", Duration.ofMinutes(1), () -> {
            try {
                String state = yarn.application(applicationId).path("state").asText();
                return state.equals("FINISHED") || state.equals("FAILED") || state.equals("KILLED");
            } catch (IOException e) {
                return false;
            }
        });
        JsonNode app = yarn.application(applicationId);
        System.out.printf("%s: state %s, final status %s, %s%n", applicationId, app.path("state").asText(),
                app.path("finalStatus").asText(), app.path("diagnostics").asText());
        return app;
    }

    private static double assertCompleteRun(String output) throws IOException {
        JsonNode report = ClusterJobs.assertCompleteRun(hdfs, output);
        assertEquals("yarn", report.at("/run/sparkMaster").asText());
        double accuracy = report.at("/evaluation/accuracy").asDouble();
        System.out.printf("%s: accuracy %.4f, executors %s%n", output, accuracy, report.at("/run/executors"));
        assertTrue(accuracy >= MIN_ACCURACY, "test accuracy " + accuracy);
        return accuracy;
    }

    /**
     * The container sizes Spark asked YARN for (for the README), as spark-submit and the application
     * master logged them.
     */
    private static void printContainerSizes(String driverLog) {
        driverLog.lines().filter(l -> l.contains("Will allocate AM container") || l.contains("executor container(s)"))
                .forEach(l -> System.out.println("  " + l.strip()));
    }

    @Test
    @Order(1)
    void clusterModeTrainsFromHdfsAndWritesToHdfs() throws Exception {
        Submitted submitted = run("submit-cluster", submit("cluster", "/mnist", "/runs/cluster", trainingJob()));
        assertEquals(0, submitted.exit(), processes.logText("submit-cluster"));
        JsonNode app = finishedApplication(submitted.applicationId());
        assertEquals("SUCCEEDED", app.path("finalStatus").asText(), app.toString());
        assertCompleteRun("/runs/cluster");
        printContainerSizes(processes.logText("submit-cluster") + driverLogOf(submitted.applicationId()));
    }

    @Test
    @Order(2)
    void clientModeTrainsFromHdfsAndWritesToHdfs() throws Exception {
        Submitted submitted = run("submit-client", submit("client", "/mnist", "/runs/client", trainingJob()));
        assertEquals(0, submitted.exit(), processes.logText("submit-client"));
        JsonNode app = finishedApplication(submitted.applicationId());
        assertEquals("SUCCEEDED", app.path("finalStatus").asText(), app.toString());
        clientModeAccuracy = assertCompleteRun("/runs/client");
        printContainerSizes(processes.logText("submit-client") + driverLogOf(submitted.applicationId()));
    }

    @Test
    @Order(3)
    void aCorruptDataFileFailsTheJobInBothModesAndWritesNothing() throws Exception {
        for (String mode : new String[]{"cluster", "client"}) {
            String name = "submit-bad-" + mode;
            String output = "/runs/bad-" + mode;
            Submitted submitted = run(name, submit(mode, "/mnist-bad", output, trainingJob()));
            assertNotEquals(0, submitted.exit(), name + " must fail:\n" + processes.logText(name));
            JsonNode app = finishedApplication(submitted.applicationId());
            assertEquals("FAILED", app.path("finalStatus").asText(), app.toString());
            // the driver names the bad file (in cluster mode in its container's log)
            String driverLog = processes.logText(name) + driverLogOf(submitted.applicationId());
            assertTrue(driverLog.contains(MnistFixture.TRAIN_IMAGES), "the driver log names the bad file");
            assertFalse(hdfs.exists(new Path(output)), output + " was created: " + (hdfs.exists(new Path(output))
                    ? List.of(hdfs.listStatus(new Path(output))) : ""));
        }
    }

    @Test
    @Order(4)
    void survivesAnExecutorContainerKilledInTheMiddleOfAPass() throws Exception {
        assertNotNull(clientModeAccuracy, "the clean client-mode run must pass first: it is the reference");
        String name = "submit-kill";
        String output = "/runs/kill";
        Process submit = processes.start(name, submit("client", "/mnist", output, trainingJob()), submitEnv);
        try {
            // the first epoch done (its progress line), a few seconds into the second pass: kill an executor
            DaemonProcesses.await("the end of epoch 1", SUBMIT_TIMEOUT,
                    () -> processes.logText(name).contains("epoch 1/2 done") || !submit.isAlive());
            assertTrue(submit.isAlive(), "the job ended before the fault:\n" + processes.logText(name));
            Thread.sleep(5_000);
            List<ProcessHandle> executors = yarn.executors();
            assertEquals(2, executors.size(), "executor JVMs in YARN containers");
            ProcessHandle victim = executors.get(0);
            System.out.println("killing executor JVM pid " + victim.pid() + ": " + victim.info().commandLine().orElse(""));
            assertTrue(victim.destroyForcibly(), "SIGKILL sent");
            victim.onExit().get(1, TimeUnit.MINUTES);
        } catch (Throwable t) {
            DaemonProcesses.stop(submit);
            throw t;
        }
        int exit = waitFor(processes, name, submit);
        String log = processes.logText(name);
        assertEquals(0, exit, log);
        assertTrue(log.contains(ClusterJobs.PASS_RETRY), "the kill landed during a pass: it was retried");
        // executors 1 and 2 were the first; YARN started a container for a third
        assertTrue(Pattern.compile("Registered executor .* with ID 3\\b").matcher(log).find(),
                "a replacement executor registered");
        JsonNode app = finishedApplication(applicationId(name));
        assertEquals("SUCCEEDED", app.path("finalStatus").asText(), app.toString());
        double accuracy = assertCompleteRun(output);
        System.out.printf("run with a killed executor: accuracy %.4f (clean client-mode run %.4f)%n", accuracy,
                clientModeAccuracy);
        assertEquals(clientModeAccuracy, accuracy, FAULT_TOLERANCE, "accuracy with a lost executor vs the clean run");
    }

    /**
     * The application master container's stderr: the driver's log in cluster mode, the executor
     * allocator's in both modes.
     */
    private static String driverLogOf(String applicationId) throws IOException {
        java.nio.file.Path app = yarn.containerLogs().resolve(applicationId);
        if (!Files.isDirectory(app)) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        try (var containers = Files.list(app)) {
            for (java.nio.file.Path container : containers.sorted().toList()) {
                java.nio.file.Path stderr = container.resolve("stderr");
                if (container.getFileName().toString().endsWith("_000001") && Files.exists(stderr)) {
                    text.append(Files.readString(stderr));
                }
            }
        }
        return text.toString();
    }
}

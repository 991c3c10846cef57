package org.sparkcnn.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.output.RunDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sparkcnn.cluster.ClusterJobs.FAULT_TOLERANCE;
import static org.sparkcnn.cluster.ClusterJobs.JSON;
import static org.sparkcnn.cluster.ClusterJobs.MIN_ACCURACY;
import static org.sparkcnn.cluster.ClusterJobs.SUBMIT_TIMEOUT;
import static org.sparkcnn.cluster.ClusterJobs.assertCompleteRun;
import static org.sparkcnn.cluster.ClusterJobs.report;
import static org.sparkcnn.cluster.ClusterJobs.trainingJob;
import static org.sparkcnn.cluster.ClusterJobs.waitFor;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sparkcnn on a real cluster, end to end, from Maven Central jars only, on 127.0.0.1: a Spark standalone
 * Master with 2 Workers of 1 core each (separate JVMs) that run with spark.authenticate, and a NameNode and a
 * DataNode (separate JVMs). MNIST is put into HDFS; training is submitted with submit-scripts/standalone.sh
 * (2 executors, the application jar, the secret file, Spark's traffic encrypted, so the allreduce engine
 * encrypts its ring); the model and report appear on HDFS. Then the same job while one executor JVM is
 * killed in the middle of training; then a submit without the secret, which the master refuses. Every
 * process started here is stopped by PID at the end.
 *
 * <p>One secured cluster serves all three: the clean run proves the secret file works, so the separate
 * small job on a second, secured cluster that this test ran before cost a cluster start and a submit
 * (33 s + 95 s, 2026-12-02) and proved nothing more.
 */
// a hang fails the test that hung, by name: the clean + killed-executor test is two cluster jobs (each
// bounded at SUBMIT_TIMEOUT), measured at 22 min on 2 cores shared with three other builds (load ~16)
@Timeout(value = 30, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterE2EIT {
    /** Each executor must have done at least this share of the training tasks' run time. */
    private static final double MIN_TRAINING_SHARE = 0.3;
    /** A progress line of epoch 2 (logged every training.log-every-rounds = 10 rounds, of ~19). */

    @TempDir
    static java.nio.file.Path work;
    private static java.nio.file.Path project;
    private static DaemonProcesses processes;
    private static FileSystem hdfs;
    private static String hdfsRoot;
    private static StandaloneSpark spark;
    private static String secret;
    private static java.nio.file.Path secretFile;
    /** The submit without the secret, started once (see {@link #submitWithoutTheSecret()}). */
    private static Process withoutSecret;
    /** Authenticated submits started so far: the applications the master may have registered. */
    private static int authenticatedSubmits;

    @BeforeAll
    static void startClusters() throws Exception {
        project = java.nio.file.Path.of(System.getProperty("user.dir"));
        java.nio.file.Path sparkJars = java.nio.file.Path.of(System.getProperty("spark.home.dir", "target/it/spark-home/target/spark-home")).resolve("jars");
        java.nio.file.Path hdfsHome = java.nio.file.Path.of(System.getProperty("hdfs.home.dir", "target/it/hdfs-home/target/hdfs-home"));
        assertTrue(Files.isDirectory(sparkJars) && Files.isDirectory(hdfsHome.resolve("lib")),
                "SPARK_HOME/HDFS jars missing: run through 'mvn verify' (maven-invoker-plugin builds them)");
        processes = new DaemonProcesses(work.resolve("logs"));
        hdfs = new HdfsDaemons(hdfsHome, Files.createDirectories(work.resolve("hdfs")), processes).start();
        hdfsRoot = hdfs.getUri().toString();
        ClusterJobs.putMnist(hdfs, "/mnist");
        secret = "e2e-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
        secretFile = work.resolve("spark-secret.properties");
        Files.createFile(secretFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(secretFile, "spark.authenticate.secret=" + secret + "\n");
        spark = new StandaloneSpark("spark", project, sparkJars, Files.createDirectories(work.resolve("spark")),
                processes, Optional.of(secret));
        spark.start(2, "3g", project);
    }

    @AfterAll
    static void stopClusters() throws IOException {
        ClusterJobs.stop(hdfs, processes);
    }

    /** The submit command: standalone.sh with 2 executors of 1 core, 2g heap + 2g off-heap each. */
    private static List<String> submit(StandaloneSpark cluster, String output, List<String> extraOptions,
                                       String... overrides) {
        List<String> command = new ArrayList<>(List.of("bash", project.resolve("submit-scripts/standalone.sh").toString(),
                "--master", cluster.masterUrl(), "--executors", "2", "--executor-cores", "1",
                "--executor-memory", "2g", "--executor-offheap", "2g", "--driver-memory", "1g",
                "--driver-offheap", "1g", "--config", project.resolve("conf/sparkcnn.conf").toString()));
        command.addAll(extraOptions);
        // this build's application jar (target/ or target-spark4/), as failsafe names it
        Optional.ofNullable(System.getProperty("app.jar")).ifPresent(jar -> command.addAll(List.of("--jar", jar)));
        command.addAll(List.of("train", "data.dir=" + hdfsRoot + "/mnist", "output.dir=" + hdfsRoot + output,
                "spark.properties.\"spark.hadoop.dfs.replication\"=1"));
        command.addAll(List.of(overrides));
        return command;
    }


    /**
     * A submit with the cluster's secret file, and Spark's own traffic encrypted too: the allreduce engine
     * then encrypts its ring (AES-GCM), as a user who turns on spark.network.crypto expects.
     */
    private static List<String> authenticatedSubmit(String output, String... overrides) {
        authenticatedSubmits++;
        return submit(spark, output, List.of("--auth-secret-file", secretFile.toString(), "--conf",
                "spark.network.crypto.enabled=true"), overrides);
    }

    private static Process start(String name, StandaloneSpark cluster, List<String> command, Map<String, String> extraEnv)
            throws IOException {
        Map<String, String> env = new HashMap<>(cluster.env());
        env.putAll(extraEnv);
        return processes.start(name, command, env);
    }




    /**
     * Run time of the application's training tasks per executor, from Spark's event log: every task
     * except those of sparkcnn's evaluation (whatever stages the training engine uses).
     */
    private static Map<String, Long> trainingRunTimeByExecutor(String applicationId) throws IOException {
        Map<Integer, String> stageNames = new HashMap<>();
        Map<String, Long> runTime = new HashMap<>();
        for (String line : EventLogFiles.lines(spark.eventLogs(), applicationId)) {
            JsonNode event = JSON.readTree(line);
            String type = event.path("Event").asText();
            if (type.equals("SparkListenerStageSubmitted")) {
                stageNames.put(event.at("/Stage Info/Stage ID").asInt(), event.at("/Stage Info/Stage Name").asText());
            } else if (type.equals("SparkListenerTaskEnd")) {
                String stage = stageNames.getOrDefault(event.path("Stage ID").asInt(), "");
                if (stage.contains("DistributedEvaluator") || stage.contains("MulticlassMetrics")) {
                    continue;
                }
                runTime.merge(event.at("/Task Info/Executor ID").asText(),
                        event.at("/Task Metrics/Executor Run Time").asLong(), Long::sum);
            }
        }
        return runTime;
    }

    /**
     * The clean run and the run that loses an executor are one test, so the accuracy comparison can
     * never be skipped for want of the clean figure.
     */
    @Test
    @Order(1)
    void trainsFromHdfsThenSurvivesAnExecutorKilledDuringAnAllReducePass() throws Exception {
        submitWithoutTheSecret(); // its minute of waiting overlaps the clean run (its own test checks it)
        double cleanAccuracy = cleanRun();
        double faultAccuracy = runWithAnExecutorKilledDuringAPass();
        System.out.printf("accuracy: clean run %.4f, run with a killed executor %.4f%n", cleanAccuracy, faultAccuracy);
        assertEquals(cleanAccuracy, faultAccuracy, FAULT_TOLERANCE, "accuracy with a lost executor vs the clean run");
    }

    private double cleanRun() throws Exception {
        String output = "/runs/clean";
        Process submit = start("submit-clean", spark, authenticatedSubmit(output, trainingJob()), Map.of());
        int exit = waitFor(processes, "submit-clean", submit);
        assertEquals(0, exit, processes.logText("submit-clean"));
        assertCompleteRun(hdfs, output);
        assertFalse(processes.logText("submit-clean").contains(secret), "the secret shows in the submit output");

        JsonNode report = report(hdfs, output);
        assertEquals(spark.masterUrl(), report.at("/run/sparkMaster").asText());
        assertEquals("allreduce", report.at("/config/training/engine").asText(), "engine: " + report.at("/config"));
        String executorLogs = spark.executorLogs();
        // each worker joins the ring once per pass, and a pass is an epoch here
        assertEquals(2L * report.at("/training/epochs").size(),
                executorLogs.lines().filter(l -> l.contains("All-reduce worker joined encrypted ring rank")).count(),
                "both workers joined an encrypted TCP ring in every pass:\n" + executorLogs);
        assertEquals(2, report.at("/run/executors").size(), "executors in the report: " + report.at("/run/executors"));
        Map<String, Long> runTime = trainingRunTimeByExecutor(report.at("/run/applicationId").asText());
        long total = runTime.values().stream().mapToLong(Long::longValue).sum();
        assertEquals(2, runTime.size(), "executors that ran training tasks: " + runTime);
        for (Map.Entry<String, Long> executor : runTime.entrySet()) {
            assertTrue(executor.getValue() >= MIN_TRAINING_SHARE * total,
                    "executor " + executor.getKey() + " did too little of the training: " + runTime);
        }
        double accuracy = report.at("/evaluation/accuracy").asDouble();
        System.out.printf("clean run: accuracy %.4f, training run time by executor (ms) %s%n", accuracy, runTime);
        assertTrue(accuracy >= MIN_ACCURACY, "test accuracy " + accuracy);
        return accuracy;
    }

    /**
     * Kills one executor JVM while an all-reduce pass runs (after a round progress line of epoch 2 and
     * before that epoch's end), then asserts what recovery means: the driver logged the pass retry after
     * the kill, Spark registered a replacement executor, and the job completed with a good model.
     */
    private double runWithAnExecutorKilledDuringAPass() throws Exception {
        String output = "/runs/fault";
        String name = "submit-fault";
        Process submit = start(name, spark, authenticatedSubmit(output, trainingJob()), Map.of());
        int logAtKill = ClusterJobs.killDuringThePassOfEpoch2(processes, name, submit, () -> {
            List<ProcessHandle> executors = spark.executorsOf(0);
            assertEquals(1, executors.size(), "executor JVMs of worker 0");
            return executors.get(0);
        });
        int exit = waitFor(processes, name, submit);
        String log = processes.logText(name);
        assertEquals(0, exit, log);
        assertCompleteRun(hdfs, output);

        ClusterJobs.assertThePassWasRetried(log, logAtKill);

        JsonNode report = report(hdfs, output);
        String applicationId = report.at("/run/applicationId").asText();
        ExecutorEvents events = executorEvents(applicationId);
        System.out.println("executors of the run with a kill: " + events);
        assertTrue(events.removed().size() >= 1, "Spark did not see an executor go: " + events);
        assertTrue(events.addedAfterFirstRemoval().stream().anyMatch(id -> !events.addedBeforeFirstRemoval().contains(id)),
                "no replacement executor registered after the lost one: " + events);
        double accuracy = report.at("/evaluation/accuracy").asDouble();
        assertTrue(accuracy >= MIN_ACCURACY, "test accuracy " + accuracy);
        return accuracy;
    }

    /** Executor registrations and removals of one application, in event log order. */
    private record ExecutorEvents(List<String> addedBeforeFirstRemoval, List<String> removed,
                                  List<String> addedAfterFirstRemoval) {
    }

    private static ExecutorEvents executorEvents(String applicationId) throws IOException {
        List<String> before = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> after = new ArrayList<>();
        for (String line : EventLogFiles.lines(spark.eventLogs(), applicationId)) {
            JsonNode event = JSON.readTree(line);
            String type = event.path("Event").asText();
            String id = event.path("Executor ID").asText();
            if (type.equals("SparkListenerExecutorAdded")) {
                (removed.isEmpty() ? before : after).add(id);
            } else if (type.equals("SparkListenerExecutorRemoved")) {
                removed.add(id);
            }
        }
        return new ExecutorEvents(before, removed, after);
    }

    /**
     * Starts the submit without the secret once; the first caller starts it. It takes a minute whatever the
     * machine does: Spark's standalone client tries to register 3 times, 20 s apart (constants in
     * StandaloneAppClient), before it gives up, so the clean run starts it to share that minute.
     */
    private static synchronized Process submitWithoutTheSecret() throws IOException {
        if (withoutSecret == null) {
            withoutSecret = start("submit-noauth", spark, submit(spark, "/runs/noauth", List.of(),
                    "data.train-limit=2000", "data.test-limit=2000", "training.epochs=1"), Map.of());
        }
        return withoutSecret;
    }

    @Test
    @Order(2)
    void withoutTheSecretFileTheMasterRefusesTheSubmit() throws Exception {
        int exit = waitFor(processes, "submit-noauth", submitWithoutTheSecret());
        assertNotEquals(0, exit, "a submit without the secret must fail:\n" + processes.logText("submit-noauth"));
        assertFalse(hdfs.exists(new Path("/runs/noauth", RunDirectory.SUCCESS)), "a refused submit completed a run");
        assertEquals(authenticatedSubmits, spark.applicationCount(),
                "the master registered an application without the secret");
        try (Stream<String> masterLog = Files.lines(processes.log("spark-master"))) {
            // the master turned the unauthenticated connection away in its SASL handshake
            assertTrue(masterLog.anyMatch(l -> l.contains("Expected SaslMessage")), "the master log says why it refused");
        }
    }
}

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
import org.sparkcnn.output.RunDirectory;

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
 * sparkcnn on a real Kerberized YARN cluster, end to end, from Maven Central jars only, on 127.0.0.1: a KDC
 * ({@link KerberosSecurity}), a ResourceManager and a NodeManager (Hadoop 3.4.2, separate JVMs, the
 * NodeManager's physical memory check on), a NameNode and a DataNode (SASL data transfer, block tokens,
 * HTTPS), and a Spark 3.5.5 SPARK_HOME with spark-yarn. MNIST is put into HDFS; every job is submitted with
 * submit-scripts/yarn.sh --principal/--keytab. Without credentials the submit is refused before anything
 * starts. In cluster deploy mode the job trains from HDFS, the model and report appear on HDFS and the
 * ResourceManager reports the application SUCCEEDED. A job with a corrupt data file fails in both modes:
 * yarn.sh exits non-zero, YARN reports FAILED and output.dir stays empty. In client deploy mode the same
 * job runs while an executor's container JVM is killed in the middle of a training pass: the pass runs
 * again, YARN gives Spark a new executor, and the job completes with the cluster-mode run's accuracy. The
 * HDFS delegation tokens die after {@link KerberosSecurity#TOKEN_MAX_LIFETIME}: every run asserts the driver
 * obtained new ones in time and the executors received them, and the client-mode run wrote its results
 * after its first tokens died. One cluster serves every case (the secure one: an insecure cluster would
 * add minutes and prove nothing more). Every process started here is stopped by PID at the end.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 25, unit = TimeUnit.MINUTES)
class YarnE2EIT {
    private static final Pattern APPLICATION_ID = Pattern.compile("application_\\d+_\\d+");

    @TempDir
    static java.nio.file.Path work;
    private static java.nio.file.Path project;
    private static KerberosSecurity security;
    private static DaemonProcesses processes;
    private static FileSystem hdfs;
    private static String hdfsRoot;
    private static YarnDaemons yarn;
    private static Map<String, String> submitEnv;
    private static Double clusterModeAccuracy;

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
        security = KerberosSecurity.start(work.resolve("kdc"));
        processes = new DaemonProcesses(work.resolve("logs"));
        HdfsDaemons hdfsDaemons = new HdfsDaemons(hdfsHome, Files.createDirectories(work.resolve("hdfs")), processes,
                security);
        hdfs = hdfsDaemons.start();
        hdfsRoot = hdfs.getUri().toString();
        ClusterJobs.putMnist(hdfs, "/mnist");
        ClusterJobs.putMnist(hdfs, "/mnist-bad");
        try (FSDataOutputStream out = hdfs.create(new Path("/mnist-bad/" + MnistFixture.TRAIN_IMAGES))) {
            out.write("not an IDX file\n".getBytes(StandardCharsets.US_ASCII));
        }
        yarn = new YarnDaemons(yarnHome, project.resolve("conf/java-module-options"), hdfsDaemons.conf(),
                Files.createDirectories(work.resolve("yarn")), processes, security);
        yarn.start();

        java.nio.file.Path sparkHome = work.resolve("spark-home");
        // spark.yarn.jars local: the NodeManager runs on this machine, so containers put Spark's jars on
        // their classpath where they are instead of spark-submit zipping and uploading 300 MB per submit;
        // SPARK_LOCAL_IP keeps the driver and executors in containers on loopback too; the application
        // master asks the ResourceManager for containers (and learns of lost ones) every second, not 3 s
        java.nio.file.Path sparkConf = SparkHomeLayout.create(project, sparkJars.toRealPath(), sparkHome, """
                spark.yarn.jars local:%s/*
                spark.yarn.appMasterEnv.SPARK_LOCAL_IP 127.0.0.1
                spark.executorEnv.SPARK_LOCAL_IP 127.0.0.1
                spark.ui.port 0
                spark.yarn.scheduler.heartbeat.interval-ms 1000
                """.formatted(sparkJars.toRealPath()));
        // KRB5CCNAME: a ticket cache that does not exist, so that a cache this machine may hold
        // (/tmp/krb5cc_UID) plays no part: the submits log in with their keytab, or not at all
        submitEnv = Map.of("SPARK_HOME", sparkHome.toString(), "SPARK_CONF_DIR", sparkConf.toString(),
                "SPARK_SCALA_VERSION", "2.12", "SPARK_LOCAL_IP", "127.0.0.1",
                "HADOOP_CONF_DIR", hdfsDaemons.conf().toString(), "JAVA_HOME", System.getProperty("java.home"),
                "KRB5CCNAME", "FILE:" + work.resolve("no-ticket-cache"));
    }

    @AfterAll
    static void stopClusters() throws IOException {
        try {
            ClusterJobs.stop(hdfs, processes);
        } finally {
            if (security != null) {
                security.close();
            }
        }
    }

    /**
     * The submit command: yarn.sh as the user with a keytab (and the KDC's krb5.conf, as a user whose
     * krb5.conf is not /etc/krb5.conf), 2 executors of 1 core, 2g heap + 2g off-heap each (containers of
     * 2 GiB + the memoryOverhead yarn.sh derives), a driver of 1g heap + 1g off-heap.
     */
    private static List<String> submit(String deployMode, String dataDir, String output, String... overrides) {
        List<String> command = submitWithoutCredentials(deployMode, dataDir, output, overrides);
        command.addAll(2, List.of("--principal", security.userPrincipal(), "--keytab",
                security.userKeytab().toString(), "--krb5-conf", security.krb5Conf().toString()));
        return command;
    }

    private static List<String> submitWithoutCredentials(String deployMode, String dataDir, String output,
                                                         String... overrides) {
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
    @Order(0)
    void withoutKerberosCredentialsTheSubmitIsRefusedBeforeAnythingStarts() throws Exception {
        int applicationsBefore = yarn.rest("/ws/v1/cluster/apps").at("/apps/app").size();
        String name = "submit-no-credentials";
        int exit = waitFor(processes, name, processes.start(name,
                submitWithoutCredentials("cluster", "/mnist", "/runs/no-credentials", trainingJob()), submitEnv));
        String output = processes.logText(name);
        assertEquals(2, exit, output);
        assertEquals(1, output.lines().count(), "one line:\n" + output);
        assertTrue(output.contains("core-site.xml: hadoop.security.authentication=kerberos, but no Kerberos "
                + "credentials: pass --principal and --keytab, or kinit first"), output);
        assertEquals(applicationsBefore, yarn.rest("/ws/v1/cluster/apps").at("/apps/app").size(),
                "no YARN application was submitted");
        assertFalse(hdfs.exists(new Path("/runs/no-credentials")), "nothing written");

        // and the cluster itself refuses a client without Kerberos credentials (the check above only saves
        // the time and the stack traces): a user with no ticket cannot even list HDFS
        org.apache.hadoop.security.UserGroupInformation nobody =
                org.apache.hadoop.security.UserGroupInformation.createRemoteUser("mallory");
        IOException refused = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> nobody.doAs(
                (java.security.PrivilegedExceptionAction<Boolean>) () -> {
                    try (FileSystem fs = FileSystem.newInstance(hdfs.getUri(), hdfs.getConf())) {
                        return fs.exists(new Path("/mnist"));
                    }
                }));
        System.out.println("HDFS without credentials: " + refused);
        assertTrue(String.valueOf(refused).contains("authenticate"), String.valueOf(refused));
    }

    @Test
    @Order(1)
    void clusterModeTrainsFromHdfsAndWritesToHdfs() throws Exception {
        Submitted submitted = run("submit-cluster", submit("cluster", "/mnist", "/runs/cluster", trainingJob()));
        assertEquals(0, submitted.exit(), processes.logText("submit-cluster"));
        JsonNode app = finishedApplication(submitted.applicationId());
        assertEquals("SUCCEEDED", app.path("finalStatus").asText(), app.toString());
        clusterModeAccuracy = assertCompleteRun("/runs/cluster");
        String driverLog = driverLogOf(submitted.applicationId());
        printContainerSizes(processes.logText("submit-cluster") + driverLog);
        // on a quiet machine it may end within the tokens' lifetime (the client-mode run below must not),
        // but its driver in the application master renews them all the same
        assertTokensRenewed(app, driverLog, "/runs/cluster", 2, 2);
    }

    /**
     * The driver obtained new HDFS delegation tokens at least once per token lifetime (Spark's
     * HadoopDelegationTokenManager, from the keytab: "Updating delegation tokens.") and sent them to the
     * executors (CoarseGrainedExecutorBackend: "Received tokens of N bytes"; an executor gets the current
     * set when it registers, so a second receipt is a renewed set). Where the run outlived the tokens it
     * started with (the caller asserts it), what it wrote at its end proves the renewal worked.
     *
     * @param minReceipts receipts every executor must show (a replacement executor may live shorter than
     *                    one renewal period)
     * @return how long after the application started the run wrote its _SUCCESS (ms)
     */
    private static long assertTokensRenewed(JsonNode app, String driverLog, String output, int executors,
                                            int minReceipts) throws IOException {
        long started = app.path("startedTime").asLong();
        long written = hdfs.getFileStatus(new Path(output, RunDirectory.SUCCESS)).getModificationTime();
        long lifetime = KerberosSecurity.TOKEN_MAX_LIFETIME.toMillis();
        long updates = driverLog.lines().filter(l -> l.contains("Updating delegation tokens.")).count();
        List<Long> receipts = executorLogsOf(app.path("id").asText()).stream()
                .map(log -> log.lines().filter(l -> l.contains("Received tokens of")).count()).toList();
        System.out.printf("%s: _SUCCESS written %d s after the application started (token max lifetime %d s, "
                        + "renew interval %d s); the driver obtained tokens %d times; token sets each executor "
                        + "received: %s%n", output, (written - started) / 1000, lifetime / 1000,
                KerberosSecurity.TOKEN_RENEW_INTERVAL.toSeconds(), updates, receipts);
        assertTrue(updates >= 1 + (written - started) / lifetime,
                "new tokens at least once per token lifetime: " + updates + " sets in " + (written - started) + " ms");
        assertEquals(executors, receipts.size(), "executor containers");
        assertTrue(receipts.stream().allMatch(n -> n >= minReceipts), "token sets per executor: " + receipts);
        assertTrue(receipts.stream().anyMatch(n -> n >= 2), "renewed tokens reached the executors: " + receipts);
        return written - started;
    }

    @Test
    @Order(2)
    void aCorruptDataFileFailsTheJobInBothModesAndWritesNothing() throws Exception {
        // one after the other: side by side took 162 s against 45 + 44 s (2026-12-02), as YARN's 12 GiB
        // cannot hold both applications' containers and the second waited for the first anyway
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

    /**
     * The client-mode run, and the run that loses an executor: one job. A clean client-mode run of its own
     * would repeat the cluster-mode run's 2 minutes to prove nothing this one does not (the job is seeded,
     * so the deploy mode does not change the model: 97.92% in both modes, 2026-12-01 and 2026-12-02), and
     * the kill is only a fair test against a clean run of the same job, which the cluster-mode run is.
     */
    @Test
    @Order(3)
    void clientModeTrainsFromHdfsAndSurvivesAnExecutorContainerKilledInAPass() throws Exception {
        assertNotNull(clusterModeAccuracy, "the clean cluster-mode run must pass first: it is the reference");
        String name = "submit-client-kill";
        String output = "/runs/client-kill";
        long started = System.nanoTime();
        Process submit = processes.start(name, submit("client", "/mnist", output, trainingJob()), submitEnv);
        int logAtKill = ClusterJobs.killDuringThePassOfEpoch2(processes, name, submit, () -> {
            List<ProcessHandle> executors = yarn.executors();
            assertEquals(2, executors.size(), "executor JVMs in YARN containers");
            return executors.get(0);
        });
        int exit = waitFor(processes, name, submit);
        System.out.printf("%s: exit %d after %d s%n", name, exit, (System.nanoTime() - started) / 1_000_000_000L);
        String log = processes.logText(name);
        assertEquals(0, exit, log);
        ClusterJobs.assertThePassWasRetried(log, logAtKill);
        // executors 1 and 2 were the first; YARN started a container for a third
        assertTrue(Pattern.compile("Registered executor .* with ID 3\\b").matcher(log).find(),
                "a replacement executor registered");
        JsonNode app = finishedApplication(applicationId(name));
        assertEquals("SUCCEEDED", app.path("finalStatus").asText(), app.toString());
        double accuracy = assertCompleteRun(output);
        printContainerSizes(log + driverLogOf(applicationId(name)));
        // the killed executor, its replacement (launched by the application master with the tokens the
        // driver sent it) and the first survivor all received renewed tokens; the run outlived the first ones
        long ran = assertTokensRenewed(app, log, output, 3, 1);
        assertTrue(ran > KerberosSecurity.TOKEN_MAX_LIFETIME.toMillis(), "the job outlived its first tokens: " + ran + " ms");
        System.out.printf("client-mode run with a killed executor: accuracy %.4f (clean cluster-mode run %.4f)%n",
                accuracy, clusterModeAccuracy);
        assertEquals(clusterModeAccuracy, accuracy, FAULT_TOLERANCE, "accuracy with a lost executor vs the clean run");
    }

    /**
     * The application master container's stderr: the driver's log in cluster mode, the executor
     * allocator's in both modes.
     */
    private static String driverLogOf(String applicationId) throws IOException {
        return String.join("", containerLogsOf(applicationId, true));
    }

    /** Each executor container's stderr (every container but the application master's). */
    private static List<String> executorLogsOf(String applicationId) throws IOException {
        return containerLogsOf(applicationId, false);
    }

    private static List<String> containerLogsOf(String applicationId, boolean applicationMaster) throws IOException {
        java.nio.file.Path app = yarn.containerLogs().resolve(applicationId);
        if (!Files.isDirectory(app)) {
            return List.of();
        }
        List<String> logs = new ArrayList<>();
        try (var containers = Files.list(app)) {
            for (java.nio.file.Path container : containers.sorted().toList()) {
                java.nio.file.Path stderr = container.resolve("stderr");
                if (container.getFileName().toString().endsWith("_000001") == applicationMaster && Files.exists(stderr)) {
                    logs.add(Files.readString(stderr));
                }
            }
        }
        return logs;
    }
}

package org.sparkcnn.submit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The submit-scripts as a user meets them: --dry-run prints the spark-submit command (nothing runs), and
 * missing or bad values are refused with exit code 2 and a message naming the option.
 */
class SubmitScriptsTest {
    private static final Path SCRIPTS = Path.of(System.getProperty("user.dir"), "submit-scripts");

    @TempDir
    Path work;
    private Path sparkHome;
    private Path jar;

    record Result(int exitCode, String output) {
    }

    @BeforeEach
    void fakeSparkHome() throws IOException {
        sparkHome = work.resolve("spark");
        Path submit = Files.createDirectories(sparkHome.resolve("bin")).resolve("spark-submit");
        Files.writeString(submit, "#!/bin/sh\nexit 99\n");
        Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
        jar = Files.writeString(work.resolve("app.jar"), "jar");
    }

    private Result run(String script, String... args) throws Exception {
        return run(Map.of(), script, args);
    }

    private Result run(Map<String, String> env, String script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPTS.resolve(script).toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("SPARK_HOME", sparkHome.toString());
        builder.environment().remove("_SPARK_AUTH_SECRET");
        builder.environment().remove("HADOOP_CONF_DIR");
        builder.environment().remove("YARN_CONF_DIR");
        builder.environment().remove("KRB5CCNAME");
        builder.environment().putAll(env);
        Process process = builder.start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private List<String> standalone(String... extra) {
        List<String> args = new ArrayList<>(List.of("--master", "spark://m1:7077", "--executors", "2",
                "--executor-cores", "1", "--executor-memory", "2g", "--executor-offheap", "3g",
                "--jar", jar.toString(), "--dry-run"));
        args.addAll(List.of(extra));
        return args;
    }

    @Test
    void standalonePrintsTheSparkSubmitCommandWithMemorySizedForNd4j() throws Exception {
        Result r = run("standalone.sh", standalone("train", "training.epochs=2").toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.output());
        String out = r.output();
        assertTrue(out.contains("standalone.sh: running: " + sparkHome.resolve("bin/spark-submit")), out);
        assertTrue(out.contains("--master spark://m1:7077"), out);
        assertTrue(out.contains("spark.cores.max=2"), out);
        assertTrue(out.contains("--executor-memory 2048m"), out);
        // off-heap 3072m + the JVM's native share (at least 384m)
        assertTrue(out.contains("spark.executor.memoryOverhead=3456m"), out);
        assertTrue(out.contains("-Dorg.bytedeco.javacpp.maxbytes=3072m"), out);
        // the process cap stays below the container (heap + overhead = 5504m): 2048 + 3072 + 384 / 2
        assertTrue(out.contains("-Dorg.bytedeco.javacpp.maxphysicalbytes=5312m"), out);
        assertTrue(out.contains("--class org.sparkcnn.cli.SparkCnn " + jar + " train training.epochs=2"), out);
    }

    @Test
    void missingValuesAreRefusedNamingTheOption() throws Exception {
        Result noMaster = run("standalone.sh", "--executors", "2", "train");
        assertEquals(2, noMaster.exitCode());
        assertTrue(noMaster.output().contains("missing --master"), noMaster.output());

        Result noOffheap = run("standalone.sh", "--master", "spark://m1:7077", "--executors", "2",
                "--executor-cores", "1", "--executor-memory", "2g", "train");
        assertEquals(2, noOffheap.exitCode());
        assertTrue(noOffheap.output().contains("missing --executor-offheap"), noOffheap.output());

        Result badSize = run("standalone.sh", standalone("--executor-memory", "lots", "train").toArray(String[]::new));
        assertEquals(2, badSize.exitCode());
        assertTrue(badSize.output().contains("--executor-memory: expected a size like 512m or 2g, got 'lots'"), badSize.output());

        Result noCommand = run("standalone.sh", standalone().toArray(String[]::new));
        assertEquals(2, noCommand.exitCode());
        assertTrue(noCommand.output().contains("missing the sparkcnn command"), noCommand.output());

        Result noQueue = run("yarn.sh", "--executors", "2", "--dry-run", "train");
        assertEquals(2, noQueue.exitCode());
        assertTrue(noQueue.output().contains("missing --queue"), noQueue.output());

        Result noImage = run("k8s.sh", "--master", "k8s://https://api:6443", "--namespace", "ml", "train");
        assertEquals(2, noImage.exitCode());
        assertTrue(noImage.output().contains("missing --image"), noImage.output());
    }

    @Test
    void secretsNeverGoOnTheCommandLine() throws Exception {
        Result onCommandLine = run("standalone.sh", standalone("--conf", "spark.authenticate.secret=abc", "train")
                .toArray(String[]::new));
        assertEquals(2, onCommandLine.exitCode());
        assertTrue(onCommandLine.output().contains("secrets do not go on the command line"), onCommandLine.output());

        Path secret = work.resolve("secret.properties");
        Files.writeString(secret, "spark.authenticate.secret=s3cr3t-value\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        Result readable = run("standalone.sh", standalone("--auth-secret-file", secret.toString(), "train")
                .toArray(String[]::new));
        assertEquals(2, readable.exitCode());
        assertTrue(readable.output().contains("readable by others (mode 644); chmod 600 it"), readable.output());

        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Result ok = run("standalone.sh", standalone("--auth-secret-file", secret.toString(), "train")
                .toArray(String[]::new));
        assertEquals(0, ok.exitCode(), ok.output());
        assertTrue(ok.output().contains("--conf spark.authenticate=true"), ok.output());
        assertFalse(ok.output().contains("s3cr3t-value"), ok.output());
    }

    @Test
    void yarnPassesKerberosAndShipsTheConfigInClusterMode() throws Exception {
        Path keytab = Files.writeString(work.resolve("me.keytab"), "k");
        Path config = Files.writeString(work.resolve("job.conf"), "sparkcnn {}");
        Result r = run("yarn.sh", "--queue", "ml", "--executors", "3", "--executor-cores", "2", "--executor-memory", "4g",
                "--executor-offheap", "4g", "--principal", "me@EXAMPLE.COM", "--keytab", keytab.toString(),
                "--config", config.toString(), "--jar", jar.toString(), "--dry-run", "train");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("--master yarn --queue ml --num-executors 3"), r.output());
        assertTrue(r.output().contains("--principal me@EXAMPLE.COM --keytab " + keytab), r.output());
        assertTrue(r.output().contains("--files " + config), r.output());
        assertTrue(r.output().contains("train --config job.conf"), r.output());
        // one application attempt: YARN's second attempt would rerun a failed driver from the beginning
        assertTrue(r.output().contains("--conf spark.yarn.maxAppAttempts=1"), r.output());

        Result half = run("yarn.sh", "--queue", "ml", "--executors", "3", "--executor-cores", "2", "--executor-memory",
                "4g", "--executor-offheap", "4g", "--principal", "me@EXAMPLE.COM", "--dry-run", "train");
        assertEquals(2, half.exitCode());
        assertTrue(half.output().contains("--principal and --keytab go together"), half.output());
    }

    private List<String> yarn(String... extra) {
        List<String> args = new ArrayList<>(List.of("--queue", "ml", "--executors", "2", "--executor-cores", "1",
                "--executor-memory", "2g", "--executor-offheap", "2g", "--jar", jar.toString(), "--dry-run"));
        args.addAll(List.of(extra));
        return args;
    }

    /** A Hadoop configuration folder whose core-site.xml sets {@code authentication} the way sites write it. */
    private Path hadoopConf(String authentication) throws IOException {
        Path conf = Files.createDirectories(work.resolve("hadoop-" + authentication));
        Files.writeString(conf.resolve("core-site.xml"), """
                <?xml version="1.0"?>
                <configuration>
                  <property>
                    <name>fs.defaultFS</name>
                    <value>hdfs://nn:8020</value>
                  </property>
                  <property>
                    <name>hadoop.security.authentication</name>
                    <value>%s</value>
                  </property>
                </configuration>
                """.formatted(authentication));
        return conf;
    }

    @Test
    void yarnRefusesAKerberizedClusterWithoutCredentialsInOneLine() throws Exception {
        Path kerberized = hadoopConf("kerberos");
        Path noCache = work.resolve("no-cache");
        Map<String, String> env = Map.of("HADOOP_CONF_DIR", kerberized.toString(), "KRB5CCNAME", "FILE:" + noCache);
        Result refused = run(env, "yarn.sh", yarn("train").toArray(String[]::new));
        assertEquals(2, refused.exitCode(), refused.output());
        assertEquals(List.of("yarn.sh: " + kerberized + "/core-site.xml: hadoop.security.authentication=kerberos, but "
                        + "no Kerberos credentials: pass --principal and --keytab, or kinit first (no ticket cache at "
                        + noCache + ")"), refused.output().lines().toList(), "one line, and nothing run");

        // a ticket cache (kinit) is credentials: spark-submit reads it
        Files.writeString(noCache, "a ticket cache");
        Result withCache = run(env, "yarn.sh", yarn("train").toArray(String[]::new));
        assertEquals(0, withCache.exitCode(), withCache.output());

        // an insecure cluster needs none
        Result insecure = run(Map.of("HADOOP_CONF_DIR", hadoopConf("simple").toString(), "KRB5CCNAME",
                "FILE:" + work.resolve("none")), "yarn.sh", yarn("train").toArray(String[]::new));
        assertEquals(0, insecure.exitCode(), insecure.output());

        // a keytab that is not there: one line too
        Result noKeytab = run(env, "yarn.sh", yarn("--principal", "me@EXAMPLE.COM", "--keytab",
                work.resolve("gone.keytab").toString(), "train").toArray(String[]::new));
        assertEquals(2, noKeytab.exitCode(), noKeytab.output());
        assertEquals(List.of("yarn.sh: --keytab " + work.resolve("gone.keytab") + ": no such file, or not readable by "
                + System.getProperty("user.name")), noKeytab.output().lines().toList());
    }

    @Test
    void yarnGivesEveryJvmTheKrb5ConfNamed() throws Exception {
        Path keytab = Files.writeString(work.resolve("me.keytab"), "k");
        Path krb5 = Files.writeString(work.resolve("krb5.conf"), "[libdefaults]\n");
        Result r = run(Map.of("HADOOP_CONF_DIR", hadoopConf("kerberos").toString()), "yarn.sh",
                yarn("--deploy-mode", "client", "--principal", "me@EXAMPLE.COM", "--keytab", keytab.toString(),
                        "--krb5-conf", krb5.toString(), "train").toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.output());
        String option = "-Djava.security.krb5.conf=" + krb5;
        for (String conf : new String[]{"spark.executor.extraJavaOptions=", "spark.driver.extraJavaOptions=",
                "spark.yarn.am.extraJavaOptions="}) {
            int at = r.output().indexOf(conf);
            assertTrue(at >= 0 && r.output().indexOf(option, at) > at, conf + " names krb5.conf: " + r.output());
        }
        Result missing = run(Map.of(), "yarn.sh", yarn("--krb5-conf", work.resolve("nope.conf").toString(), "train")
                .toArray(String[]::new));
        assertEquals(2, missing.exitCode(), missing.output());
        assertTrue(missing.output().contains("--krb5-conf " + work.resolve("nope.conf") + ": no such file"),
                missing.output());
    }
}

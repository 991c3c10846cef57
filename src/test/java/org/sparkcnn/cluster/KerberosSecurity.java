package org.sparkcnn.cluster;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.minikdc.MiniKdc;
import org.apache.hadoop.security.UserGroupInformation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Kerberized test cluster: a KDC in the test JVM (hadoop-minikdc 3.3.4, Apache Kerby, realm EXAMPLE.COM on
 * a free loopback port), service principals for {@code localhost} (everything runs on 127.0.0.1) in one
 * service keytab, and a user principal with its own keytab for the submits. What the daemons get is what a
 * secured cluster sets:
 * <ul>
 *   <li>{@code hadoop.security.authentication=kerberos}; service-level authorization stays off (without
 *   policy files its ACLs are "*": it would add no check here);</li>
 *   <li>HDFS block access tokens, and SASL on the DataNode's data-transfer port
 *   ({@code dfs.data.transfer.protection=authentication}) with {@code dfs.http.policy=HTTPS_ONLY} and a
 *   self-signed test keystore: the path a cluster without root-owned privileged ports takes (not
 *   {@code ignore.secure.ports.for.testing}, which no user has);</li>
 *   <li>HDFS delegation tokens renewable for {@link #TOKEN_RENEW_INTERVAL} and dead after
 *   {@link #TOKEN_MAX_LIFETIME}: the client-mode and killed-executor training jobs outlive them, so they
 *   only end well if spark-submit's keytab login keeps getting new tokens to the driver, the application
 *   master and the executors.</li>
 * </ul>
 * Java 17 needs {@code sun.security.krb5} opened for Hadoop's Kerberos code (conf/java-module-options) and
 * {@code -Djava.security.krb5.conf} names the KDC's krb5.conf (there is none in /etc here). Keytabs and the
 * keystore are files (mode 600); no secret goes on a command line or into a log.
 */
final class KerberosSecurity implements HadoopSecurity, AutoCloseable {
    /** The submitting user's principal (without the realm); the test's own HDFS client is this user too. */
    static final String USER = "alice";
    /** Spark renews at 75% of it: every ~11 s, so that the executors of a 40-second cluster-mode job get renewed tokens. */
    static final Duration TOKEN_RENEW_INTERVAL = Duration.ofSeconds(15);
    /**
     * Shorter than the client-mode run with the killed executor, which must outlive its first tokens: 99 s
     * from the application's start to its _SUCCESS on the quiet CI machine (2026-12-02, after Hadoop 3.4.2's
     * ResourceManager stopped spinning a core; 127-153 s under load), which failed that check at 100 s; then
     * 66 s on a faster machine with the ring's faster rendezvous (2026-12-02 afternoon), which failed it at 75 s.
     * And not much shorter still: a cluster-mode
     * driver's first HDFS calls (output.dir, the data, before its SparkContext) use the tokens spark-submit
     * obtained, since Spark's ApplicationMaster renews nothing before the SparkContext starts. With 60 s that
     * driver met an expired token: its container started 96 s after the submit under a load average of 25
     * (about 20 s on a quiet machine; a real cluster's 7-day lifetime leaves no such gap).
     */
    static final Duration TOKEN_MAX_LIFETIME = Duration.ofSeconds(45);
    private static final String SERVICE_HOST = "localhost";

    private final MiniKdc kdc;
    private final Path serviceKeytab;
    private final Path userKeytab;
    private final Path keystore;
    private final String keystorePassword;

    private KerberosSecurity(MiniKdc kdc, Path serviceKeytab, Path userKeytab, Path keystore, String keystorePassword) {
        this.kdc = kdc;
        this.serviceKeytab = serviceKeytab;
        this.userKeytab = userKeytab;
        this.keystore = keystore;
        this.keystorePassword = keystorePassword;
    }

    /** Starts the KDC (setting this JVM's java.security.krb5.conf), creates the principals and the keystore. */
    static KerberosSecurity start(Path work) throws Exception {
        Files.createDirectories(work);
        MiniKdc kdc = new MiniKdc(MiniKdc.createConf(), work.toFile());
        kdc.start();
        try {
            Path serviceKeytab = work.resolve("services.keytab");
            kdc.createPrincipal(serviceKeytab.toFile(), "hdfs/" + SERVICE_HOST, "yarn/" + SERVICE_HOST,
                    "HTTP/" + SERVICE_HOST);
            Path userKeytab = work.resolve(USER + ".keytab");
            kdc.createPrincipal(userKeytab.toFile(), USER);
            for (Path keytab : List.of(serviceKeytab, userKeytab)) {
                Files.setPosixFilePermissions(keytab, PosixFilePermissions.fromString("rw-------"));
            }
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            String password = Base64.getUrlEncoder().encodeToString(random);
            Path keystore = work.resolve("localhost.p12");
            createKeystore(keystore, password);
            return new KerberosSecurity(kdc, serviceKeytab, userKeytab, keystore, password);
        } catch (Exception e) {
            kdc.stop();
            throw e;
        }
    }

    /** A self-signed certificate for localhost/127.0.0.1 (keytool; the password goes through its environment). */
    private static void createKeystore(Path keystore, String password) throws IOException, InterruptedException {
        ProcessBuilder keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", SERVICE_HOST, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=" + SERVICE_HOST, "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass:env", "KEYSTORE_PASSWORD", "-keypass:env",
                "KEYSTORE_PASSWORD").redirectErrorStream(true);
        keytool.environment().put("KEYSTORE_PASSWORD", password);
        Process process = keytool.start();
        if (!process.waitFor(1, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException("keytool did not finish in a minute");
        }
        String output = new String(process.getInputStream().readAllBytes());
        if (process.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        Files.setPosixFilePermissions(keystore, PosixFilePermissions.fromString("rw-------"));
    }

    String principal(String name) {
        return name + "@" + kdc.getRealm();
    }

    String userPrincipal() {
        return principal(USER);
    }

    Path userKeytab() {
        return userKeytab;
    }

    Path krb5Conf() {
        return kdc.getKrb5conf().toPath();
    }

    @Override
    public Map<String, String> coreSite() {
        return Map.of("hadoop.security.authentication", "kerberos",
                "hadoop.security.authorization", "false");
    }

    @Override
    public Map<String, String> hdfsSite(int nameNodeHttpsPort, int dataNodeHttpsPort) {
        String hdfs = principal("hdfs/" + SERVICE_HOST);
        return Map.ofEntries(
                Map.entry("dfs.block.access.token.enable", "true"),
                Map.entry("dfs.namenode.kerberos.principal", hdfs),
                Map.entry("dfs.namenode.keytab.file", serviceKeytab.toString()),
                Map.entry("dfs.datanode.kerberos.principal", hdfs),
                Map.entry("dfs.datanode.keytab.file", serviceKeytab.toString()),
                Map.entry("dfs.web.authentication.kerberos.principal", principal("HTTP/" + SERVICE_HOST)),
                Map.entry("dfs.web.authentication.kerberos.keytab", serviceKeytab.toString()),
                Map.entry("dfs.data.transfer.protection", "authentication"),
                Map.entry("dfs.http.policy", "HTTPS_ONLY"),
                Map.entry("dfs.namenode.https-address", "127.0.0.1:" + nameNodeHttpsPort),
                Map.entry("dfs.datanode.https.address", "127.0.0.1:" + dataNodeHttpsPort),
                Map.entry("dfs.namenode.delegation.token.renew-interval", Long.toString(TOKEN_RENEW_INTERVAL.toMillis())),
                Map.entry("dfs.namenode.delegation.token.max-lifetime", Long.toString(TOKEN_MAX_LIFETIME.toMillis())));
    }

    @Override
    public Map<String, String> yarnSite() {
        String yarn = principal("yarn/" + SERVICE_HOST);
        String http = principal("HTTP/" + SERVICE_HOST);
        return Map.of(
                "yarn.resourcemanager.principal", yarn,
                "yarn.resourcemanager.keytab", serviceKeytab.toString(),
                "yarn.nodemanager.principal", yarn,
                "yarn.nodemanager.keytab", serviceKeytab.toString(),
                "yarn.resourcemanager.webapp.spnego-principal", http,
                "yarn.resourcemanager.webapp.spnego-keytab-file", serviceKeytab.toString(),
                "yarn.nodemanager.webapp.spnego-principal", http,
                "yarn.nodemanager.webapp.spnego-keytab-file", serviceKeytab.toString());
    }

    /** ssl-server.xml: the NameNode's and DataNode's HTTPS (dfs.http.policy=HTTPS_ONLY) use the test keystore. */
    @Override
    public void writeFiles(Path conf) throws IOException {
        Path sslServer = conf.resolve("ssl-server.xml");
        Files.writeString(sslServer, HdfsDaemons.xml(Map.of(
                "ssl.server.keystore.location", keystore.toString(),
                "ssl.server.keystore.type", "pkcs12",
                "ssl.server.keystore.password", keystorePassword,
                "ssl.server.keystore.keypassword", keystorePassword)));
        Files.setPosixFilePermissions(sslServer, PosixFilePermissions.fromString("rw-------"));
    }

    @Override
    public List<String> jvmOptions() {
        return List.of("--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
                "-Djava.security.krb5.conf=" + krb5Conf());
    }

    @Override
    public void login(Configuration client) throws IOException {
        UserGroupInformation.setConfiguration(client);
        UserGroupInformation.loginUserFromKeytab(userPrincipal(), userKeytab.toString());
    }

    /** Stops the KDC and forgets this JVM's Kerberos login (the next test's Hadoop client is insecure again). */
    @Override
    public void close() {
        try {
            UserGroupInformation.reset();
        } finally {
            kdc.stop();
        }
    }
}

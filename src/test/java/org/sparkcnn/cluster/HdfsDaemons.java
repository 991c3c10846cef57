package org.sparkcnn.cluster;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.protocol.HdfsConstants;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real single-node HDFS as separate processes: a formatted NameNode and one DataNode of Hadoop 3.3.4
 * (target/hdfs-home, built by src/it/hdfs-home), on 127.0.0.1 ports picked free, replication 1; insecure,
 * or secured as {@link HadoopSecurity} says.
 */
final class HdfsDaemons {
    private final Path home;
    private final Path conf;
    private final DaemonProcesses processes;
    private final HadoopSecurity security;
    private final int nameNodePort;
    private FileSystem fs;

    HdfsDaemons(Path home, Path work, DaemonProcesses processes) throws IOException {
        this(home, work, processes, HadoopSecurity.NONE);
    }

    HdfsDaemons(Path home, Path work, DaemonProcesses processes, HadoopSecurity security) throws IOException {
        this.home = home;
        this.processes = processes;
        this.security = security;
        this.conf = Files.createDirectories(work.resolve("conf"));
        this.nameNodePort = DaemonProcesses.freePort();
        Files.writeString(conf.resolve("core-site.xml"), xml(merged(Map.of(
                "fs.defaultFS", uri().toString(),
                "hadoop.tmp.dir", work.resolve("tmp").toString()), security.coreSite())));
        Files.writeString(conf.resolve("hdfs-site.xml"), xml(merged(Map.ofEntries(
                Map.entry("dfs.replication", "1"),
                Map.entry("dfs.namenode.name.dir", work.resolve("name").toString()),
                Map.entry("dfs.datanode.data.dir", work.resolve("data").toString()),
                Map.entry("dfs.namenode.rpc-bind-host", "127.0.0.1"),
                Map.entry("dfs.namenode.http-address", "127.0.0.1:" + DaemonProcesses.freePort()),
                Map.entry("dfs.datanode.address", "127.0.0.1:" + DaemonProcesses.freePort()),
                Map.entry("dfs.datanode.http.address", "127.0.0.1:" + DaemonProcesses.freePort()),
                Map.entry("dfs.datanode.ipc.address", "127.0.0.1:" + DaemonProcesses.freePort()),
                Map.entry("dfs.datanode.hostname", "127.0.0.1"),
                Map.entry("dfs.namenode.safemode.extension", "0"),
                Map.entry("dfs.permissions.enabled", "false")),
                security.hdfsSite(DaemonProcesses.freePort(), DaemonProcesses.freePort()))));
        security.writeFiles(conf);
        Files.writeString(conf.resolve("log4j.properties"), """
                log4j.rootLogger=INFO, console
                log4j.appender.console=org.apache.log4j.ConsoleAppender
                log4j.appender.console.layout=org.apache.log4j.PatternLayout
                log4j.appender.console.layout.ConversionPattern=%d{HH:mm:ss} %-5p %c{1}: %m%n
                """);
    }

    /** The client configuration folder (core-site.xml, hdfs-site.xml): HADOOP_CONF_DIR for this cluster. */
    Path conf() {
        return conf;
    }

    URI uri() {
        return URI.create("hdfs://127.0.0.1:" + nameNodePort);
    }

    /** Formats the NameNode, starts it and the DataNode, and waits until the DataNode is live. */
    FileSystem start() throws IOException, InterruptedException {
        Process format = processes.start("namenode-format", java("org.apache.hadoop.hdfs.server.namenode.NameNode",
                "-format", "-nonInteractive"), Map.of());
        try {
            DaemonProcesses.await("the NameNode format", Duration.ofMinutes(2), () -> !format.isAlive());
        } finally {
            DaemonProcesses.stop(format);
        }
        if (format.exitValue() != 0) {
            throw new AssertionError("NameNode format failed:\n" + processes.logText("namenode-format"));
        }
        processes.start("namenode", java("org.apache.hadoop.hdfs.server.namenode.NameNode"), Map.of());
        processes.start("datanode", java("org.apache.hadoop.hdfs.server.datanode.DataNode"), Map.of());
        DaemonProcesses.await("the NameNode port", Duration.ofMinutes(2), () -> DaemonProcesses.portOpen(nameNodePort));
        // the client reads the cluster's own site files, as spark-submit does from HADOOP_CONF_DIR
        Configuration client = new Configuration();
        client.addResource(new org.apache.hadoop.fs.Path(conf.resolve("core-site.xml").toUri()));
        client.addResource(new org.apache.hadoop.fs.Path(conf.resolve("hdfs-site.xml").toUri()));
        security.login(client);
        fs = FileSystem.get(uri(), client);
        DistributedFileSystem dfs = (DistributedFileSystem) fs;
        DaemonProcesses.await("a live DataNode", Duration.ofMinutes(2), () -> {
            try {
                return dfs.getDataNodeStats(HdfsConstants.DatanodeReportType.LIVE).length == 1
                        && !dfs.isInSafeMode();
            } catch (IOException e) {
                return false;
            }
        });
        return fs;
    }

    private List<String> java(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m"));
        command.addAll(security.jvmOptions());
        command.addAll(List.of("-cp", conf + ":" + home.resolve("webapps-root") + ":" + home.resolve("lib") + "/*",
                mainClass));
        command.addAll(List.of(args));
        return command;
    }

    /** {@code base} with {@code extra} added (and winning where both set a key), in a stable order. */
    static Map<String, String> merged(Map<String, String> base, Map<String, String> extra) {
        Map<String, String> all = new java.util.TreeMap<>(base);
        all.putAll(extra);
        return all;
    }

    /** A Hadoop configuration file (core-site.xml, yarn-site.xml...) holding {@code properties}. */
    static String xml(Map<String, String> properties) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?>\n<configuration>\n");
        properties.forEach((k, v) -> xml.append("  <property><name>").append(k).append("</name><value>")
                .append(v).append("</value></property>\n"));
        return xml.append("</configuration>\n").toString();
    }
}

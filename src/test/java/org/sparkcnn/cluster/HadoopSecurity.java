package org.sparkcnn.cluster;

import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a test cluster's security adds to its daemons: configuration properties (core-site, hdfs-site,
 * yarn-site), files next to them, JVM options, and how the test's own HDFS client logs in. {@link #NONE}
 * is the insecure cluster (simple authentication): nothing added.
 */
interface HadoopSecurity {
    HadoopSecurity NONE = new HadoopSecurity() {
    };

    default Map<String, String> coreSite() {
        return Map.of();
    }

    /** hdfs-site.xml additions; {@code httpsPorts} are free ports for the NameNode's and DataNode's HTTPS. */
    default Map<String, String> hdfsSite(int nameNodeHttpsPort, int dataNodeHttpsPort) {
        return Map.of();
    }

    default Map<String, String> yarnSite() {
        return Map.of();
    }

    /** Writes whatever else the daemons read from their configuration folder (ssl-server.xml...). */
    default void writeFiles(Path conf) throws IOException {
    }

    /** Options for every Hadoop daemon's JVM. */
    default List<String> jvmOptions() {
        return List.of();
    }

    /** Logs the test JVM in as the cluster's user, for {@code client} (which holds the cluster's configuration). */
    default void login(Configuration client) throws IOException {
    }
}

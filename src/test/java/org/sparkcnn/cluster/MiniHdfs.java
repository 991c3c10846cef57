package org.sparkcnn.cluster;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

import java.io.IOException;
import java.nio.file.Path;

/** A real HDFS inside the test JVM (MiniDFSCluster): a NameNode and one DataNode on loopback, replication 1. */
public final class MiniHdfs {
    private MiniHdfs() {
    }

    /** Starts it with its files under {@code baseDir} and waits until it is up. Shut it down after. */
    public static MiniDFSCluster start(Path baseDir) throws IOException {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, baseDir.toString());
        conf.setInt("dfs.replication", 1);
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        return cluster;
    }
}

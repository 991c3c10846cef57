package org.sparkcnn.output;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.cli.SparkCnn;
import org.sparkcnn.cluster.MiniHdfs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link OutputLockContract} on a real HDFS (MiniDFSCluster: NameNode + DataNode in this JVM, on
 * loopback), where the create that fails when the file exists is decided by the NameNode; and the
 * command line refusing a second run on an HDFS output.dir, before Spark starts.
 */
@Timeout(300)
class OutputLockHdfsIT extends OutputLockContract {
    private static final AtomicInteger ROOTS = new AtomicInteger();
    @TempDir
    static java.nio.file.Path work;
    private static MiniDFSCluster cluster;
    private static FileSystem hdfs;

    @BeforeAll
    static void startHdfs() throws IOException {
        cluster = MiniHdfs.start(work.resolve("hdfs"));
        hdfs = cluster.getFileSystem();
    }

    @AfterAll
    static void stopHdfs() {
        if (cluster != null) {
            cluster.shutdown();
        }
    }

    @Override
    FileSystem fs() {
        return hdfs;
    }

    @Override
    Path newRoot() throws IOException {
        Path root = hdfs.makeQualified(new Path("/roots/" + ROOTS.incrementAndGet()));
        hdfs.mkdirs(root);
        return root;
    }

    @Test
    void theCommandLineRefusesASecondRunOnAHeldHdfsOutputDir() throws IOException {
        Path dir = new Path(newRoot(), "run");
        OutputLock.Holder first = OutputLock.Holder.thisProcess("first-run", "train");
        try (OutputLock held = OutputLock.acquire(hdfs, dir, Duration.ofSeconds(120), first)) {
            PrintStream original = System.err;
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            int code;
            try {
                code = SparkCnn.execute("train", "output.dir=" + dir, "spark.master=local[1]");
            } finally {
                System.setErr(original);
            }
            String stderr = captured.toString(StandardCharsets.UTF_8);
            assertEquals(2, code, stderr);
            assertTrue(stderr.contains("sparkcnn: output.dir " + dir + ": another run is writing it: host "
                    + first.host() + ", pid " + first.pid()), stderr);
            assertEquals(1, hdfs.listStatus(dir).length, "only the holder's lock");
        }
    }
}

package org.sparkcnn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.cluster.MiniHdfs;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.output.RunDirectory;
import org.sparkcnn.report.HtmlReportWriter;
import org.sparkcnn.report.ReportJsonWriter;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real HDFS (MiniDFSCluster: NameNode + DataNode in this JVM, on loopback): MNIST is read from HDFS by
 * the executors, and the model and report are written to HDFS; then evaluate reads the model back from
 * HDFS and writes its own report there.
 */
// a hang fails the test that hung, by name; one short training job on an in-process HDFS: a minute or two
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class HdfsRoundTripIT {
    /**
     * 6,000 images, one epoch, batch 64 on 2 workers (~47 averaging rounds) reaches ~94-95% on the 10k test
     * images; 90% leaves room for run-to-run noise while still failing a model that did not learn.
     */
    private static final double MIN_ACCURACY = 0.90;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static java.nio.file.Path work;
    private static MiniDFSCluster cluster;
    private static FileSystem hdfs;
    private static String root;

    @BeforeAll
    static void startHdfs() throws IOException {
        cluster = MiniHdfs.start(work.resolve("hdfs"));
        hdfs = cluster.getFileSystem();
        root = "hdfs://127.0.0.1:" + cluster.getNameNodePort();
        for (String name : new String[]{MnistFixture.TRAIN_IMAGES, MnistFixture.TRAIN_LABELS,
                MnistFixture.TEST_IMAGES, MnistFixture.TEST_LABELS}) {
            hdfs.copyFromLocalFile(new Path(MnistFixture.file(name).toUri()), new Path("/mnist/" + name));
        }
    }

    @AfterAll
    static void stopHdfs() {
        if (cluster != null) {
            cluster.shutdown();
        }
    }

    private static String[] job(String command, String output, String... extra) {
        String[] common = {command, "data.dir=" + root + "/mnist", "output.dir=" + root + output,
                "data.train-limit=6000", "training.epochs=1", "training.batch-size-per-worker=64",
                "spark.master=local[2]", "spark.properties.\"spark.ui.enabled\"=false",
                "spark.properties.\"spark.hadoop.dfs.replication\"=1"};
        String[] all = Arrays.copyOf(common, common.length + extra.length);
        System.arraycopy(extra, 0, all, common.length, extra.length);
        return all;
    }

    private static JsonNode report(String dir) throws IOException {
        try (InputStream in = hdfs.open(new Path(dir, ReportJsonWriter.FILE_NAME))) {
            return JSON.readTree(in);
        }
    }

    @Test
    void trainsFromHdfsAndWritesTheReportToHdfsThenEvaluatesFromIt() throws IOException {
        CliRunner.Result train = CliRunner.run(job("train", "/runs/r1"));
        assertEquals(0, train.exitCode(), train.stderr());

        assertTrue(hdfs.exists(new Path("/runs/r1/" + RunDirectory.SUCCESS)));
        JsonNode r = report("/runs/r1");
        assertEquals(ReportJsonWriter.SCHEMA_VERSION, r.at("/schemaVersion").asText());
        double accuracy = r.at("/evaluation/accuracy").asDouble();
        assertTrue(accuracy >= MIN_ACCURACY, "test accuracy " + accuracy);
        assertEquals(root + "/mnist/" + MnistFixture.TRAIN_IMAGES, r.at("/data/train/images").asText());
        assertEquals(MnistFixture.sha256Uncompressed().get("train-images-idx3-ubyte"),
                r.at("/data/train/imagesSha256").asText());
        assertTrue(hdfs.getFileStatus(new Path("/runs/r1/" + HtmlReportWriter.FILE_NAME)).getLen() > 10_000);
        for (JsonNode picture : r.at("/pictures")) {
            try (InputStream in = hdfs.open(new Path("/runs/r1/" + picture.asText()))) {
                assertNotNull(ImageIO.read(in), picture.asText());
            }
        }
        FileStatus[] runs = hdfs.listStatus(new Path("/runs"));
        assertEquals(1, runs.length, "no temporary folder left: " + Arrays.toString(runs));

        CliRunner.Result evaluate = CliRunner.run(job("evaluate", "/runs/e1", "--model", root + "/runs/r1"));
        assertEquals(0, evaluate.exitCode(), evaluate.stderr());
        JsonNode e = report("/runs/e1");
        assertEquals(accuracy, e.at("/evaluation/accuracy").asDouble(), 1e-9);
        assertFalse(hdfs.exists(new Path("/runs/e1/model.zip")));
        assertTrue(hdfs.exists(new Path("/runs/e1/" + RunDirectory.SUCCESS)));
    }
}

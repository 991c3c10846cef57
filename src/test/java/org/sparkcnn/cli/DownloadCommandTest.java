package org.sparkcnn.cli;

import com.sun.net.httpserver.HttpServer;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.DatasetSummary;
import org.sparkcnn.data.IdxDatasetReader;
import org.sparkcnn.data.MnistFixture;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sparkcnn download} against a local HTTP mirror on 127.0.0.1 serving the real MNIST files. */
class DownloadCommandTest {
    private static HttpServer mirror;

    @BeforeAll
    static void startMirror() throws IOException {
        mirror = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        mirror.createContext("/mnist/", exchange -> {
            Path file = MnistFixture.dir().resolve(Path.of(exchange.getRequestURI().getPath()).getFileName().toString());
            if (!Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, Files.size(file));
                try (OutputStream out = exchange.getResponseBody()) {
                    Files.copy(file, out);
                }
            }
            exchange.close();
        });
        mirror.start();
    }

    @AfterAll
    static void stopMirror() {
        mirror.stop(0);
    }

    private static String mirrorUrl(String path) {
        return "http://127.0.0.1:" + mirror.getAddress().getPort() + path;
    }

    @Test
    void downloadsVerifiedFilesFromTheFirstMirrorThatHasThem(@TempDir Path dir) {
        Path target = dir.resolve("mnist");
        CliRunner.Result result = CliRunner.run("download", "data.dir=" + target,
                "data.download-mirrors=[\"" + mirrorUrl("/missing/") + "\", \"" + mirrorUrl("/mnist/") + "\"]",
                "data.download-timeout-seconds=5");
        assertEquals(0, result.exitCode(), result.stderr());
        DatasetSummary test = new IdxDatasetReader(new Configuration(), DatasetShape.MNIST).inspect(
                target.resolve("t10k-images-idx3-ubyte.gz").toUri(), target.resolve("t10k-labels-idx1-ubyte.gz").toUri());
        assertEquals(MnistFixture.sha256Uncompressed().get("t10k-images-idx3-ubyte"), test.imagesSha256());
        assertTrue(Files.exists(target.resolve("train-labels-idx1-ubyte.gz")));
    }

    @Test
    void noWorkingMirrorIsARuntimeFailureThatNamesEachMirror(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("mnist");
        CliRunner.Result result = CliRunner.run("download", "data.dir=" + target,
                "data.download-mirrors=[\"" + mirrorUrl("/missing/") + "\"]", "data.download-timeout-seconds=5");
        assertEquals(1, result.exitCode(), result.stderr());
        assertTrue(result.stderr().contains("/missing/"), result.stderr());
        try (var files = Files.list(target)) {
            assertEquals(0, files.count(), "nothing half-written");
        }
    }
}

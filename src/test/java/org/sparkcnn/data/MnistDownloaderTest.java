package org.sparkcnn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the downloader against a local HTTP server that serves the real MNIST test-set files (the two
 * small ones, to stay fast) under several misbehaving "mirrors".
 */
class MnistDownloaderTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final String LABELS = "t10k-labels-idx1-ubyte";
    private static final String IMAGES = "t10k-images-idx3-ubyte";

    private static HttpServer server;
    private static ExecutorService executor;
    private static final CountDownLatch release = new CountDownLatch(1);
    private static final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private static Map<String, String> testSetSums;
    private static Map<String, String> labelsOnly;
    private static String base;

    @TempDir
    Path target;

    @BeforeAll
    static void startServer() throws IOException {
        Map<String, String> all = MnistFixture.sha256Uncompressed();
        testSetSums = new LinkedHashMap<>();
        testSetSums.put(IMAGES, all.get(IMAGES));
        testSetSums.put(LABELS, all.get(LABELS));
        labelsOnly = Map.of(LABELS, all.get(LABELS));

        // the labels with one changed label, validly gzipped: only the checksum can tell
        byte[] tampered = IdxFiles.gunzip(MnistFixture.file(LABELS + ".gz"));
        tampered[100] = (byte) ((tampered[100] + 1) % 10);
        byte[] tamperedGz = IdxFiles.gzip(tampered);

        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        executor = Executors.newCachedThreadPool();
        server.setExecutor(executor);
        server.createContext("/ok/", ex -> serveFile(ex, "/ok/"));
        server.createContext("/missing/", ex -> respond(ex, 404, "not here".getBytes()));
        server.createContext("/tampered/", ex -> respond(ex, 200, tamperedGz));
        server.createContext("/html/", ex -> respond(ex, 200, "<html>login</html>".getBytes()));
        server.createContext("/hang/", ex -> {
            count(ex);
            await();
            respond(ex, 503, new byte[0]);
        });
        server.createContext("/stall/", ex -> {
            count(ex);
            ex.sendResponseHeaders(200, 100_000);
            OutputStream out = ex.getResponseBody();
            out.write(new byte[1000]);
            out.flush();
            await();
            ex.close();
        });
        server.createContext("/auth/", ex -> {
            String expected = "Basic " + Base64.getEncoder().encodeToString("reader:s3cret".getBytes());
            if (expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                serveFile(ex, "/auth/");
            } else {
                respond(ex, 401, new byte[0]);
            }
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stopServer() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    @Test
    void downloadsAndVerifies() throws Exception {
        List<URI> files = downloader(List.of(base + "/ok/"), testSetSums).download(target.toUri());
        assertEquals(List.of(target.resolve(IMAGES + ".gz").toUri(), target.resolve(LABELS + ".gz").toUri()),
                files.stream().map(u -> Path.of(u).toUri()).toList());
        for (String name : testSetSums.keySet()) {
            assertEquals(testSetSums.get(name),
                    MnistDownloader.gunzipSha256(Files.newInputStream(target.resolve(name + ".gz"))));
        }
        // nothing else left behind: no temporary files, no Hadoop .crc side files
        assertEquals(List.of(IMAGES + ".gz", LABELS + ".gz"), listing(target));
        // and the result is readable
        assertEquals(10_000, new IdxDatasetReader(new Configuration(), DatasetShape.MNIST)
                .read(files.get(0), files.get(1)).count());
    }

    @Test
    void createsTargetDirectory() {
        Path nested = target.resolve("a/b");
        downloader(List.of(base + "/ok"), labelsOnly).download(nested.toUri()); // base without trailing '/'
        assertTrue(Files.isRegularFile(nested.resolve(LABELS + ".gz")));
    }

    @Test
    void fallsBackToNextMirror() {
        int before = requestCount("/missing/" + LABELS + ".gz");
        downloader(List.of(base + "/missing/", base + "/ok/"), labelsOnly).download(target.toUri());
        assertEquals(before + 1, requestCount("/missing/" + LABELS + ".gz"));
        assertEquals(List.of(LABELS + ".gz"), listing(target));
    }

    @Test
    void checksumMismatchTriesNextMirrorAndFailsWithNothingWritten() {
        DownloadException e = assertThrows(DownloadException.class,
                () -> downloader(List.of(base + "/tampered/"), labelsOnly).download(target.toUri()));
        assertTrue(e.getMessage().contains(base + "/tampered/" + LABELS + ".gz: sha256 of the uncompressed data is "),
                e.getMessage());
        assertTrue(e.getMessage().contains("expected " + labelsOnly.get(LABELS)), e.getMessage());
        assertEquals(List.of(), listing(target));

        downloader(List.of(base + "/tampered/", base + "/ok/"), labelsOnly).download(target.toUri());
        assertEquals(List.of(LABELS + ".gz"), listing(target));
    }

    @Test
    void allMirrorsFailingAreListedInOneLine() {
        DownloadException e = assertThrows(DownloadException.class,
                () -> downloader(List.of(base + "/missing/", base + "/html/"), labelsOnly).download(target.toUri()));
        String m = e.getMessage();
        assertTrue(m.startsWith("could not download " + LABELS + ".gz into "), m);
        assertTrue(m.contains(base + "/missing/" + LABELS + ".gz: HTTP 404"), m);
        assertTrue(m.contains(base + "/html/" + LABELS + ".gz: not a gzip file"), m);
        assertFalse(m.contains("\n"), m);
        assertEquals(List.of(), listing(target));
    }

    @Test
    void serverThatNeverAnswersTimesOut() {
        DownloadException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(
                DownloadException.class,
                () -> downloader(List.of(base + "/hang/"), labelsOnly).download(target.toUri())));
        assertTrue(e.getMessage().contains(base + "/hang/" + LABELS + ".gz: no response within 2 s"), e.getMessage());
        assertEquals(List.of(), listing(target));
    }

    @Test
    void stalledTransferTimesOut() {
        DownloadException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(
                DownloadException.class,
                () -> downloader(List.of(base + "/stall/"), labelsOnly).download(target.toUri())));
        assertTrue(e.getMessage().contains("transfer stalled: no data for 2 s"), e.getMessage());
        assertEquals(List.of(), listing(target));
    }

    @Test
    void existingValidFileIsNotDownloadedAgain() throws IOException {
        String path = "/ok/" + LABELS + ".gz";
        MnistDownloader d = downloader(List.of(base + "/ok/"), labelsOnly);
        d.download(target.toUri());
        int after = requestCount(path);
        d.download(target.toUri());
        assertEquals(after, requestCount(path));

        // a damaged existing file is replaced
        Files.write(target.resolve(LABELS + ".gz"), "garbage".getBytes());
        d.download(target.toUri());
        assertEquals(after + 1, requestCount(path));
        assertEquals(labelsOnly.get(LABELS),
                MnistDownloader.gunzipSha256(Files.newInputStream(target.resolve(LABELS + ".gz"))));
    }

    @Test
    void credentialsInMirrorUrlAreSentButNeverShown() {
        String port = String.valueOf(server.getAddress().getPort());
        downloader(List.of("http://reader:s3cret@127.0.0.1:" + port + "/auth/"), labelsOnly).download(target.toUri());
        assertEquals(List.of(LABELS + ".gz"), listing(target));

        DownloadException e = assertThrows(DownloadException.class, () -> downloader(
                List.of("http://reader:wrong-pw@127.0.0.1:" + port + "/auth/"), labelsOnly)
                .download(target.resolve("other").toUri()));
        assertTrue(e.getMessage().contains("http://127.0.0.1:" + port + "/auth/" + LABELS + ".gz: HTTP 401"),
                e.getMessage());
        assertFalse(e.getMessage().contains("wrong-pw"), e.getMessage());
        assertFalse(e.getMessage().contains("reader"), e.getMessage());
    }

    @Test
    void mnistConstantsAndChecksumParser() throws IOException {
        assertEquals(List.of("https://ossci-datasets.s3.amazonaws.com/mnist/",
                "https://storage.googleapis.com/cvdf-datasets/mnist/"), MnistDownloader.DEFAULT_MIRRORS);
        assertEquals(MnistFixture.sha256Uncompressed(), MnistDownloader.MNIST_SHA256);
        assertEquals(MnistDownloader.MNIST_SHA256,
                Sha256Sums.parse("sums", Files.readString(MnistFixture.file(MnistFixture.SHA256SUMS))));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", // sha256 of nothing
                MnistDownloader.gunzipSha256(new ByteArrayInputStream(IdxFiles.gzip(new byte[0]))));
    }

    private static MnistDownloader downloader(List<String> mirrors, Map<String, String> sums) {
        return new MnistDownloader(new Configuration(), mirrors, sums, TIMEOUT);
    }

    private static List<String> listing(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int requestCount(String path) {
        AtomicInteger n = requests.get(path);
        return n == null ? 0 : n.get();
    }

    private static void count(HttpExchange ex) {
        requests.computeIfAbsent(ex.getRequestURI().getPath(), k -> new AtomicInteger()).incrementAndGet();
    }

    private static void serveFile(HttpExchange ex, String prefix) throws IOException {
        String name = ex.getRequestURI().getPath().substring(prefix.length());
        Path file = MnistFixture.dir().resolve(name);
        if (name.contains("/") || !Files.isRegularFile(file)) {
            respond(ex, 404, new byte[0]);
        } else {
            respond(ex, 200, Files.readAllBytes(file));
        }
    }

    private static void respond(HttpExchange ex, int status, byte[] body) throws IOException {
        if (!ex.getRequestURI().getPath().startsWith("/hang/")) {
            count(ex);
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void await() {
        try {
            release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package org.sparkcnn.data;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkcnn.output.AtomicWrite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads the gzipped MNIST files into a directory on any Hadoop file system, trying a list of mirrors
 * in order, and installs a file only once the SHA-256 of its uncompressed content matches the expected
 * value. Checksums are taken on the uncompressed bytes because mirrors recompress the files (different
 * gzip bytes, same data).
 *
 * <p>Each file is fetched as {@code mirror + name + ".gz"}, where {@code name} is a key of the checksum map
 * (the uncompressed file name, as in SHA256SUMS.uncompressed), and saved as {@code name + ".gz"}.
 * A verified download is written through {@link AtomicWrite} (a temporary file in the target directory,
 * renamed into place), so readers never see a partial or unverified file. Files already present with the right checksum
 * are not downloaded again.
 *
 * <p>Credentials may be given in a mirror URL's user-info ({@code https://user:pw@host/...}); they are sent
 * as HTTP Basic authentication and never logged nor put in exception messages.
 */
public final class MnistDownloader {
    private static final Logger log = LoggerFactory.getLogger(MnistDownloader.class);

    /** Public MNIST mirrors (the original yann.lecun.com site now refuses anonymous downloads). */
    public static final List<String> DEFAULT_MIRRORS = List.of(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/");

    /** SHA-256 of the four uncompressed MNIST files, keyed by uncompressed file name (training set first). */
    public static final Map<String, String> MNIST_SHA256 = mnistSha256();

    /** A sensible default for {@link #MnistDownloader(Configuration, List, Map, Duration)}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** The largest MNIST file is under 10 MB; refuse anything absurdly larger rather than fill the heap. */
    private static final long MAX_DOWNLOAD_BYTES = 256L << 20;

    private final Configuration hadoopConf;
    private final List<String> mirrors;
    private final Map<String, String> sha256ByName;
    private final Duration timeout;
    private final HttpClient client;

    /**
     * @param mirrors      base URLs tried in order; a missing trailing '/' is added
     * @param sha256ByName uncompressed file name -> expected hex SHA-256 of its uncompressed bytes; the
     *                     files to download
     * @param timeout      bounds connecting, waiting for the response headers, and any pause in the
     *                     transfer of a body (a stalled mirror fails and the next one is tried)
     */
    public MnistDownloader(Configuration hadoopConf, List<String> mirrors, Map<String, String> sha256ByName,
                           Duration timeout) {
        this.hadoopConf = Objects.requireNonNull(hadoopConf, "hadoopConf");
        if (mirrors.isEmpty()) {
            throw new IllegalArgumentException("no mirrors given");
        }
        this.mirrors = mirrors.stream().map(m -> m.endsWith("/") ? m : m + "/").toList();
        if (sha256ByName.isEmpty()) {
            throw new IllegalArgumentException("no files to download");
        }
        this.sha256ByName = Collections.unmodifiableMap(new LinkedHashMap<>(sha256ByName));
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** Downloads the four MNIST files. */
    public MnistDownloader(Configuration hadoopConf, List<String> mirrors, Duration timeout) {
        this(hadoopConf, mirrors, MNIST_SHA256, timeout);
    }

    /**
     * Makes sure every file is present and verified in {@code targetDir} (created if needed).
     *
     * @return the URIs of the files, in checksum-map order
     * @throws DownloadException    if a file could not be fetched and verified from any mirror
     * @throws UncheckedIOException if the target directory cannot be read or written
     */
    public List<URI> download(URI targetDir) {
        Path dir = new Path(targetDir);
        // our own instance (not the shared cache) so we can turn off the local FS's .crc side files
        try (FileSystem fs = FileSystem.newInstance(targetDir, hadoopConf)) {
            fs.setWriteChecksum(false);
            fs.mkdirs(dir);
            List<URI> files = new ArrayList<>();
            for (Map.Entry<String, String> e : sha256ByName.entrySet()) {
                Path target = fs.makeQualified(new Path(dir, e.getKey() + ".gz"));
                downloadOne(fs, target, e.getKey() + ".gz", e.getValue());
                files.add(target.toUri());
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(Uris.redact(targetDir) + ": " + e.getMessage(), e);
        }
    }

    private void downloadOne(FileSystem fs, Path target, String fileName, String expectedSha) throws IOException {
        String targetName = Uris.redact(target.toUri());
        if (fs.exists(target)) {
            String actual;
            try (InputStream in = fs.open(target)) {
                actual = gunzipSha256(in);
            } catch (ZipException | EOFException e) {
                actual = "unreadable gzip (" + e.getMessage() + ")";
            }
            if (actual.equalsIgnoreCase(expectedSha)) {
                log.info("{} already present with the expected checksum, not downloading", targetName);
                return;
            }
            log.warn("{} exists but its uncompressed sha256 is {}, expected {}: downloading it again",
                    targetName, actual, expectedSha);
        }
        List<String> failures = new ArrayList<>();
        for (String mirror : mirrors) {
            URI url = URI.create(mirror + fileName);
            String urlName = Uris.redact(url);
            log.info("Downloading {} from {}", fileName, urlName);
            long start = System.nanoTime();
            String failure;
            try {
                byte[] body = fetch(url);
                String actual = gunzipSha256(new ByteArrayInputStream(body));
                if (actual.equalsIgnoreCase(expectedSha)) {
                    AtomicWrite.file(fs, target, body);
                    log.info("Saved {} ({} bytes, checksum OK) in {} ms", targetName, body.length,
                            (System.nanoTime() - start) / 1_000_000);
                    return;
                }
                failure = "sha256 of the uncompressed data is " + actual + ", expected " + expectedSha;
            } catch (ZipException e) {
                failure = "Not in GZIP format".equals(e.getMessage()) ? "not a gzip file"
                        : "corrupt gzip data (" + e.getMessage() + ")";
            } catch (EOFException e) {
                failure = "corrupt gzip data (compressed data ends early)";
            } catch (FetchException e) {
                failure = e.getMessage();
            }
            log.warn("Mirror failed for {}: {}: {}", fileName, urlName, failure);
            failures.add(urlName + ": " + failure);
        }
        throw new DownloadException("could not download " + fileName + " into " + targetName + " from any mirror: "
                + String.join("; ", failures));
    }

    /** The body of a 200 response, or a {@link FetchException} saying why not. */
    private byte[] fetch(URI url) throws FetchException {
        HttpRequest.Builder request = HttpRequest.newBuilder(withoutUserInfo(url)).timeout(timeout).GET();
        if (url.getRawUserInfo() != null) {
            String userInfo = URLDecoder.decode(url.getRawUserInfo(), StandardCharsets.UTF_8);
            request.header("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)));
        }
        AtomicReference<IdleWatchedBody> body = new AtomicReference<>();
        CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(request.build(), info -> {
            IdleWatchedBody b = new IdleWatchedBody(MAX_DOWNLOAD_BYTES);
            body.set(b);
            return b;
        });
        long pollMillis = Math.max(20, Math.min(500, timeout.toMillis() / 4));
        try {
            while (true) {
                try {
                    HttpResponse<byte[]> response = future.get(pollMillis, TimeUnit.MILLISECONDS);
                    if (response.statusCode() != 200) {
                        throw new FetchException("HTTP " + response.statusCode());
                    }
                    return response.body();
                } catch (TimeoutException e) {
                    // headers are bounded by the request timeout; a body that stops flowing is bounded here
                    IdleWatchedBody b = body.get();
                    if (b != null && b.idleNanos() > timeout.toNanos()) {
                        b.abort(new IOException("transfer stalled: no data for " + describe(timeout)));
                    }
                }
            }
        } catch (ExecutionException e) {
            throw new FetchException(reason(e.getCause()));
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new DownloadException("interrupted while downloading " + Uris.redact(url), e);
        }
    }

    private String reason(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof HttpConnectTimeoutException) {
            return "could not connect within " + describe(timeout);
        }
        if (t instanceof HttpTimeoutException) {
            return "no response within " + describe(timeout);
        }
        if (t instanceof ConnectException) {
            return "could not connect" + (t.getMessage() == null ? "" : " (" + t.getMessage() + ")");
        }
        if (t instanceof IOException && t.getMessage() != null && t.getClass() == IOException.class) {
            return t.getMessage();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    /** Hex SHA-256 of the gunzipped content of {@code in}. */
    static String gunzipSha256(InputStream in) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
        try (GZIPInputStream gz = new GZIPInputStream(in, 64 * 1024)) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = gz.read(buf)) >= 0) {
                digest.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static URI withoutUserInfo(URI url) {
        if (url.getRawUserInfo() == null) {
            return url;
        }
        String s = url.toString();
        int start = s.indexOf("//") + 2;
        return URI.create(s.substring(0, start) + s.substring(s.indexOf('@', start) + 1));
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static Map<String, String> mnistSha256() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db");
        m.put("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5");
        m.put("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7");
        m.put("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");
        return Collections.unmodifiableMap(m);
    }

    /** Why one mirror could not deliver a file; collected into the {@link DownloadException} message. */
    private static final class FetchException extends Exception {
        FetchException(String message) {
            super(message, null, false, false);
        }
    }
}

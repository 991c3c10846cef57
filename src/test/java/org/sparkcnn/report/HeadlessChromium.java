package org.sparkcnn.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real headless Chromium (Debian's {@code chromium}, installed by .ci/run) driven through the DevTools
 * protocol on 127.0.0.1: open a page, evaluate JavaScript in it, take a full-page screenshot. Uses only
 * the JDK's HTTP and WebSocket clients. Every wait is bounded; the browser is killed on close.
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://127\\.0\\.0\\.1:(\\d+)/\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    private HeadlessChromium(Process process, WebSocket socket) {
        this.process = process;
        this.socket = socket;
    }

    /** The browser binary: $CHROMIUM, else /usr/bin/chromium. */
    public static Path binary() {
        return Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    }

    /** Starts the browser on {@code page} (a file:// URI), with the flags this closed network needs. */
    public static HeadlessChromium open(URI page, Path profileDir) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(binary().toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--no-first-run", "--window-size=1200,900",
                "--user-data-dir=" + profileDir, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                page.toString())
                .redirectErrorStream(true).start();
        try {
            int port = devtoolsPort(process);
            HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
            String targets = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                    .timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString()).body();
            String pageSocket = null;
            for (JsonNode target : JSON.readTree(targets)) {
                if ("page".equals(target.path("type").asText())) {
                    pageSocket = target.path("webSocketDebuggerUrl").asText();
                }
            }
            if (pageSocket == null) {
                throw new IOException("chromium exposes no page target: " + targets);
            }
            HeadlessChromium[] self = new HeadlessChromium[1];
            WebSocket socket = http.newWebSocketBuilder().connectTimeout(TIMEOUT)
                    .buildAsync(URI.create(pageSocket), new Listener(() -> self[0])).get(60, TimeUnit.SECONDS);
            self[0] = new HeadlessChromium(process, socket);
            return self[0];
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IOException("could not drive chromium: " + e, e);
        }
    }

    /**
     * Reads the browser's output on a thread of its own (not the common fork-join pool, which other
     * libraries in a test JVM may keep busy) until the DevTools endpoint is announced, then keeps draining it.
     */
    private static int devtoolsPort(Process process) throws IOException {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    Matcher m = DEVTOOLS.matcher(line);
                    if (!port.isDone() && m.find()) {
                        port.complete(Integer.parseInt(m.group(2)));
                    }
                }
                port.completeExceptionally(new IOException("chromium exited before its DevTools endpoint was up"));
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
        }, "chromium-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return port.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("chromium did not announce its DevTools endpoint: " + e, e);
        }
    }

    /** Sends a DevTools command and waits for its result. */
    public JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        pending.put(id, result);
        ObjectNode message = JSON.createObjectNode();
        message.put("id", id);
        message.put("method", method);
        message.set("params", JSON.valueToTree(params));
        socket.sendText(JSON.writeValueAsString(message), true).get(60, TimeUnit.SECONDS);
        JsonNode response = result.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (response.has("error")) {
            throw new IOException(method + " failed: " + response.get("error"));
        }
        return response.get("result");
    }

    /** Evaluates a JavaScript expression (awaiting a promise) and returns its JSON value. */
    public JsonNode evaluate(String expression) throws Exception {
        JsonNode result = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
                "awaitPromise", true));
        if (result.has("exceptionDetails")) {
            throw new IOException("script failed: " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** Waits until the page and all its images have loaded. */
    public void awaitLoaded() throws Exception {
        evaluate("new Promise(resolve => { const done = () => Promise.all([...document.images].map(i => "
                + "i.complete ? null : new Promise(r => { i.onload = r; i.onerror = r; }))).then(() => resolve(true));"
                + " if (document.readyState === 'complete') done(); else window.addEventListener('load', done); })");
    }

    /** Saves a screenshot of the whole page as PNG. */
    public void screenshot(Path file) throws Exception {
        JsonNode metrics = call("Page.getLayoutMetrics", Map.of());
        JsonNode size = metrics.has("cssContentSize") ? metrics.get("cssContentSize") : metrics.get("contentSize");
        Map<String, Object> clip = Map.of("x", 0, "y", 0, "width", size.get("width").asDouble(),
                "height", size.get("height").asDouble(), "scale", 1);
        JsonNode shot = call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true,
                "clip", clip));
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(shot.get("data").asText()));
    }

    @Override
    public void close() {
        socket.abort();
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Collects text frames into messages and completes the matching pending call. */
    private static final class Listener implements WebSocket.Listener {
        private final java.util.function.Supplier<HeadlessChromium> owner;
        private final StringBuilder buffer = new StringBuilder();

        Listener(java.util.function.Supplier<HeadlessChromium> owner) {
            this.owner = owner;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            buffer.append(data);
            if (last) {
                String text = buffer.toString();
                buffer.setLength(0);
                try {
                    JsonNode message = JSON.readTree(text);
                    HeadlessChromium browser = owner.get();
                    if (message.has("id") && browser != null) {
                        CompletableFuture<JsonNode> call = browser.pending.remove(message.get("id").asInt());
                        if (call != null) {
                            call.complete(message);
                        }
                    }
                } catch (IOException ignored) {
                    // not JSON: not ours
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}

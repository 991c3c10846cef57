package org.sparkcnn.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Benchmark results as a console table, CSV and JSON, with the same columns in each. */
public final class BenchmarkTable {
    public static final String CSV_FILE = "bench.csv";
    public static final String JSON_FILE = "bench.json";
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final List<BenchmarkResult> results;
    private final List<RingBenchmark.Measurement> ring;
    private final Optional<PerCoreCost.Fit> perCore;

    public BenchmarkTable(List<BenchmarkResult> results, List<RingBenchmark.Measurement> ring,
                          Optional<PerCoreCost.Fit> perCore) {
        this.results = List.copyOf(results);
        this.ring = List.copyOf(ring);
        this.perCore = perCore;
    }

    public String console() {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "%-40s %8s %9s %8s %9s %9s %9s %9s %9s%n", "case", "images", "images/s", "cpu ms/i", "compute s",
                "average s", "other s", "avg share", "test acc"));
        for (BenchmarkResult r : results) {
            out.append(String.format(Locale.ROOT, "%-40s %8d %9.0f %8.2f %9.1f %9.1f %9.1f %8.1f%% %8.2f%%%n",
                    r.name(), r.images(), r.imagesPerSecond(), r.cpuMillisPerImage(), r.computeSeconds(),
                    r.averagingSeconds(), r.otherSeconds(), 100 * r.averagingShare(), 100 * r.testAccuracy()));
        }
        if (!ring.isEmpty()) {
            out.append(String.format(Locale.ROOT, "%nOne all-reduce call (median, slowest peer; CPU of all peers):%n%-18s %6s %10s %10s %10s%n",
                    "transport", "peers", "floats", "ms", "CPU ms"));
            for (RingBenchmark.Measurement m : ring) {
                out.append(String.format(Locale.ROOT, "%-18s %6d %10d %10.3f %10.1f%n", m.transport(), m.peers(), m.floats(),
                        m.medianMillis(), m.cpuMillis()));
            }
        }
        perCore.ifPresent(fit -> {
            out.append(String.format(Locale.ROOT, "%nOne core (single JVM, 1 native thread, %s kernels):%n%10s %12s %9s%n",
                    fit.kernels(), "batch", "ms/minibatch", "images/s"));
            for (PerCoreCost.Point p : fit.points()) {
                out.append(String.format(Locale.ROOT, "%10d %12.1f %9.0f%n", p.batchSize(), p.millisPerMinibatch(),
                        p.imagesPerSecond()));
            }
            out.append(String.format(Locale.ROOT, "fit: %.1f ms per minibatch + %.3f ms per image; at most %.0f images/s "
                    + "per core at any batch size%n", fit.fixedMillisPerMinibatch(), fit.marginalMillisPerImage(),
                    fit.ceilingImagesPerSecond()));
        });
        return out.toString();
    }

    public String csv() {
        StringBuilder out = new StringBuilder("case,engine,workers,threads_per_worker,batch_size_per_worker,"
                + "averaging_frequency,images,wall_seconds,images_per_second,cpu_seconds,cpu_ms_per_image,"
                + "compute_seconds,averaging_seconds,other_seconds,test_accuracy\n");
        for (BenchmarkResult r : results) {
            out.append(String.format(Locale.ROOT, "\"%s\",%s,%d,%d,%d,%d,%d,%.3f,%.1f,%.3f,%.4f,%.3f,%.3f,%.3f,%.4f%n",
                    r.name(), r.engine(), r.workers(), r.threadsPerWorker(), r.batchSizePerWorker(),
                    r.averagingFrequency(), r.images(), r.wallSeconds(), r.imagesPerSecond(), r.cpuSeconds(),
                    r.cpuMillisPerImage(), r.computeSeconds(), r.averagingSeconds(), r.otherSeconds(),
                    r.testAccuracy()));
        }
        return out.toString();
    }

    /** @param machine what ran it (cores, backend), recorded with the results */
    public String json(String machine, String effectiveConfig) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("machine", machine);
        root.set("config", MAPPER.readTree(effectiveConfig));
        ArrayNode cases = root.putArray("cases");
        for (BenchmarkResult r : results) {
            ObjectNode node = MAPPER.valueToTree(r);
            node.put("imagesPerSecond", r.imagesPerSecond());
            node.put("cpuMillisPerImage", r.cpuMillisPerImage());
            node.put("averagingShare", r.averagingShare());
            cases.add(node);
        }
        root.set("allReduceCalls", MAPPER.valueToTree(ring));
        perCore.ifPresent(fit -> {
            ObjectNode node = root.putObject("perCore");
            node.put("cpuKernels", fit.kernels());
            node.set("points", MAPPER.valueToTree(fit.points()));
            node.put("fixedMillisPerMinibatch", fit.fixedMillisPerMinibatch());
            node.put("marginalMillisPerImage", fit.marginalMillisPerImage());
            node.put("ceilingImagesPerSecond", fit.ceilingImagesPerSecond());
        });
        return MAPPER.writeValueAsString(root);
    }
}

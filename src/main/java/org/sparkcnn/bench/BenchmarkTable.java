package org.sparkcnn.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Benchmark results as a console table, CSV and JSON, with the same columns in each: per case its throughput,
 * its training time to each accuracy target, CPU cost, time split and final test accuracy.
 */
public final class BenchmarkTable {
    public static final String CSV_FILE = "bench.csv";
    public static final String JSON_FILE = "bench.json";
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static final String NOT_REACHED = "not reached";

    private final List<BenchmarkResult> results;
    private final List<Double> accuracyTargets;
    private final List<RingBenchmark.Measurement> ring;
    private final Optional<PerCoreCost.Fit> perCore;

    /** @param accuracyTargets bench.accuracy-targets: one time-to-accuracy column each */
    public BenchmarkTable(List<BenchmarkResult> results, List<Double> accuracyTargets,
                          List<RingBenchmark.Measurement> ring, Optional<PerCoreCost.Fit> perCore) {
        this.results = List.copyOf(results);
        this.accuracyTargets = List.copyOf(accuracyTargets);
        this.ring = List.copyOf(ring);
        this.perCore = perCore;
    }

    public String console() {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-40s %8s %9s", "case", "images", "images/s"));
        for (double target : accuracyTargets) {
            out.append(String.format(Locale.ROOT, " %11s", "s to " + percent(target) + "%"));
        }
        out.append(String.format(Locale.ROOT, " %8s %9s %9s %9s %9s %9s%n", "cpu ms/i", "compute s", "average s",
                "other s", "avg share", "test acc"));
        for (BenchmarkResult r : results) {
            out.append(String.format(Locale.ROOT, "%-40s %8d %9.0f", r.name(), r.images(), r.imagesPerSecond()));
            for (double target : accuracyTargets) {
                out.append(String.format(Locale.ROOT, " %11s", secondsTo(r, target, "%.1f")));
            }
            out.append(String.format(Locale.ROOT, " %8.2f %9.1f %9.1f %9.1f %8.1f%% %8.2f%%%n",
                    r.cpuMillisPerImage(), r.computeSeconds(), r.averagingSeconds(), r.otherSeconds(),
                    100 * r.averagingShare(), 100 * r.testAccuracy()));
        }
        if (!accuracyTargets.isEmpty()) {
            out.append("s to X%: training seconds (wall clock less the time spent validating, as for images/s) until "
                    + "the first test-set validation at or above X%\n");
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

    /**
     * wall_seconds and the training_seconds_to_accuracy_* columns are training time: the validations while
     * training are excluded (validation_seconds).
     */
    public String csv() {
        StringBuilder out = new StringBuilder("case,engine,workers,threads_per_worker,batch_size_per_worker,"
                + "averaging_frequency,images,wall_seconds,images_per_second");
        for (double target : accuracyTargets) {
            out.append(",training_seconds_to_accuracy_").append(BigDecimal.valueOf(target).toPlainString());
        }
        out.append(",cpu_seconds,cpu_ms_per_image,compute_seconds,averaging_seconds,other_seconds,test_accuracy,"
                + "validations,validation_seconds\n");
        for (BenchmarkResult r : results) {
            out.append(String.format(Locale.ROOT, "\"%s\",%s,%d,%d,%d,%d,%d,%.3f,%.1f",
                    r.name(), r.engine(), r.workers(), r.threadsPerWorker(), r.batchSizePerWorker(),
                    r.averagingFrequency(), r.images(), r.wallSeconds(), r.imagesPerSecond()));
            for (double target : accuracyTargets) {
                out.append(',').append(secondsTo(r, target, "%.3f"));
            }
            out.append(String.format(Locale.ROOT, ",%.3f,%.4f,%.3f,%.3f,%.3f,%.4f,%d,%.3f%n", r.cpuSeconds(),
                    r.cpuMillisPerImage(), r.computeSeconds(), r.averagingSeconds(), r.otherSeconds(),
                    r.testAccuracy(), r.validations().size(), r.validationSeconds()));
        }
        return out.toString();
    }

    private static String secondsTo(BenchmarkResult r, double target, String format) {
        OptionalDouble seconds = r.trainingSecondsTo(target);
        return seconds.isPresent() ? String.format(Locale.ROOT, format, seconds.getAsDouble()) : NOT_REACHED;
    }

    /** 0.99 as 99.0, 0.993 as 99.3, 0.9925 as 99.25. */
    static String percent(double fraction) {
        BigDecimal percent = BigDecimal.valueOf(fraction).movePointRight(2).stripTrailingZeros();
        return (percent.scale() < 1 ? percent.setScale(1) : percent).toPlainString();
    }

    /** @param machine what ran it (cores, backend), recorded with the results */
    public String json(String machine, String effectiveConfig) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("machine", machine);
        root.set("config", MAPPER.readTree(effectiveConfig));
        root.set("accuracyTargets", MAPPER.valueToTree(accuracyTargets));
        ArrayNode cases = root.putArray("cases");
        for (BenchmarkResult r : results) {
            ObjectNode node = MAPPER.valueToTree(r);
            node.put("imagesPerSecond", r.imagesPerSecond());
            node.put("cpuMillisPerImage", r.cpuMillisPerImage());
            node.put("averagingShare", r.averagingShare());
            ArrayNode times = node.putArray("timeToAccuracy");
            for (double target : accuracyTargets) {
                OptionalDouble seconds = r.trainingSecondsTo(target);
                ObjectNode time = times.addObject().put("target", target).put("reached", seconds.isPresent());
                if (seconds.isPresent()) {
                    time.put("trainingSeconds", seconds.getAsDouble());
                } else {
                    time.putNull("trainingSeconds");
                }
            }
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

package org.sparkcnn.cluster;

import org.apache.spark.SparkConf;
import org.apache.spark.io.CompressionCodec$;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The events of one application from a Spark event log folder, in the layouts Spark writes: one plain file
 * named after the application (Spark 3.5's default), or (Spark 4's default: spark.eventLog.rolling.enabled
 * and spark.eventLog.compress are on) a folder eventlog_v2_APP of numbered events_N_APP.CODEC files, each
 * compressed with CODEC (zstd by default), read in their order. Single compressed files (APP.CODEC) too.
 */
final class EventLogFiles {
    private EventLogFiles() {
    }

    /** Every JSON event line of {@code applicationId}'s completed log under {@code dir}. */
    static List<String> lines(Path dir, String applicationId) throws IOException {
        Path rolled = dir.resolve("eventlog_v2_" + applicationId);
        List<Path> files;
        if (Files.isDirectory(rolled)) {
            try (Stream<Path> list = Files.list(rolled)) {
                files = list.filter(p -> p.getFileName().toString().startsWith("events_"))
                        .sorted(Comparator.comparingLong(EventLogFiles::rollIndex)).toList();
            }
        } else {
            try (Stream<Path> list = Files.list(dir)) {
                files = list.filter(p -> p.getFileName().toString().equals(applicationId)
                        || p.getFileName().toString().startsWith(applicationId + ".")
                        && !p.getFileName().toString().endsWith(".inprogress")).toList();
            }
        }
        if (files.isEmpty()) {
            throw new IOException("no completed event log of " + applicationId + " in " + dir);
        }
        List<String> lines = new ArrayList<>();
        for (Path file : files) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(open(file, applicationId),
                    StandardCharsets.UTF_8))) {
                in.lines().forEach(lines::add);
            }
        }
        return lines;
    }

    /** N of events_N_APP[.CODEC]. */
    private static long rollIndex(Path file) {
        return Long.parseLong(file.getFileName().toString().split("_")[1]);
    }

    /** The file, decompressed with Spark's own codec when its name ends in one (APP.zstd, events_1_APP.lz4). */
    private static InputStream open(Path file, String applicationId) throws IOException {
        String name = file.getFileName().toString();
        int app = name.lastIndexOf(applicationId);
        String suffix = name.substring(app + applicationId.length());
        InputStream raw = Files.newInputStream(file);
        if (suffix.isEmpty()) {
            return raw;
        }
        return CompressionCodec$.MODULE$.createCodec(new SparkConf(false), suffix.substring(1))
                .compressedInputStream(raw);
    }
}

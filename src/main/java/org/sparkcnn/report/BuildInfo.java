package org.sparkcnn.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Versions sparkcnn was built with (from the Maven build), for logs and reports.
 *
 * @param nativeClassifier nd4j-native's classifier of the CPU build
 * @param nd4jBackend      the nd4j backend artifact and classifier in this jar, e.g. "nd4j-cuda-11.6 linux-x86_64"
 */
public record BuildInfo(String sparkcnnVersion, String sparkVersion, String dl4jVersion, String dl4jSparkVersion,
                        String nativeClassifier, String nd4jBackend) {

    public static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/sparkcnn-build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new BuildInfo(p.getProperty("sparkcnn.version", "unknown"), org.apache.spark.package$.MODULE$.SPARK_VERSION(),
                p.getProperty("dl4j.version", "unknown"), p.getProperty("dl4j.spark.version", "unknown"),
                p.getProperty("nd4j.native.classifier", "unknown"),
                p.getProperty("nd4j.backend", "unknown") + " " + p.getProperty("nd4j.backend.classifier", ""));
    }
}

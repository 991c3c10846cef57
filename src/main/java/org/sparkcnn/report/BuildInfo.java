package org.sparkcnn.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Versions sparkcnn was built with (from the Maven build), for logs and reports. */
public record BuildInfo(String sparkcnnVersion, String sparkVersion, String dl4jVersion, String dl4jSparkVersion,
                        String nativeClassifier) {

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
                p.getProperty("nd4j.native.classifier", "unknown"));
    }
}

package org.sparkcnn.report;

import org.sparkcnn.train.TrainingEngines;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Versions sparkcnn was built with (from the Maven build), for logs and reports.
 *
 * @param engines          the training engines in this jar and what they are built on (see {@link TrainingEngines})
 * @param nativeClassifier nd4j-native's classifier of the CPU build
 * @param nd4jBackend      the nd4j backend artifact and classifier in this jar, e.g. "nd4j-cuda-11.6 linux-x86_64"
 */
public record BuildInfo(String sparkcnnVersion, String sparkVersion, String scalaVersion, String dl4jVersion,
                        String engines, String nativeClassifier, String nd4jBackend) {

    public static BuildInfo load() {
        Properties p = properties();
        return new BuildInfo(p.getProperty("sparkcnn.version", "unknown"), org.apache.spark.package$.MODULE$.SPARK_VERSION(),
                scala.util.Properties$.MODULE$.versionNumberString(), p.getProperty("dl4j.version", "unknown"),
                TrainingEngines.describe(), p.getProperty("nd4j.native.classifier", "unknown"),
                p.getProperty("nd4j.backend", "unknown") + " " + p.getProperty("nd4j.backend.classifier", ""));
    }

    /** One build property (sparkcnn-build.properties), "unknown" when absent. */
    public static String property(String key) {
        return properties().getProperty(key, "unknown");
    }

    private static Properties properties() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/sparkcnn-build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}

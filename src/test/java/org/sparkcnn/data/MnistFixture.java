package org.sparkcnn.data;

import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;

/**
 * Where tests find the real MNIST files: the directory named by the system property {@code mnist.dir}
 * (set by surefire/failsafe from the pom) or else the environment variable {@code SPARKCNN_MNIST_DIR}.
 * Tests fail (not skip) when it is missing, so a misconfigured build cannot pass silently.
 */
public final class MnistFixture {
    public static final String PROPERTY = "mnist.dir";
    public static final String ENV = "SPARKCNN_MNIST_DIR";

    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";
    public static final String SHA256SUMS = "SHA256SUMS.uncompressed";

    /** Published label counts of the MNIST training set, digits 0-9. */
    public static final int[] TRAIN_CLASS_COUNTS = {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949};
    /** Published label counts of the MNIST test set, digits 0-9. */
    public static final int[] TEST_CLASS_COUNTS = {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009};

    private static LabeledImages testSet;

    private MnistFixture() {
    }

    /** The MNIST directory; fails the calling test with a clear message if it is not configured or incomplete. */
    public static Path dir() {
        String value = System.getProperty(PROPERTY);
        String source = "system property " + PROPERTY;
        if (value == null || value.isBlank()) {
            value = System.getenv(ENV);
            source = "environment variable " + ENV;
        }
        if (value == null || value.isBlank()) {
            fail("MNIST data directory not configured: set system property " + PROPERTY
                    + " (the pom does this for surefire) or environment variable " + ENV);
        }
        Path dir = Paths.get(value).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            fail("MNIST data directory " + dir + " (from " + source + ") does not exist");
        }
        for (String name : List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS, SHA256SUMS)) {
            if (!Files.isRegularFile(dir.resolve(name))) {
                fail("MNIST data directory " + dir + " (from " + source + ") has no " + name);
            }
        }
        return dir;
    }

    public static Path file(String name) {
        return dir().resolve(name);
    }

    public static URI uri(String name) {
        return file(name).toUri();
    }

    public static URI trainImages() {
        return uri(TRAIN_IMAGES);
    }

    public static URI trainLabels() {
        return uri(TRAIN_LABELS);
    }

    public static URI testImages() {
        return uri(TEST_IMAGES);
    }

    public static URI testLabels() {
        return uri(TEST_LABELS);
    }

    /** Uncompressed file name -> SHA-256, from SHA256SUMS.uncompressed. */
    public static Map<String, String> sha256Uncompressed() {
        return Sha256Sums.read(file(SHA256SUMS));
    }

    /** The 10,000 test images, read once per JVM and shared (do not modify the arrays). */
    public static synchronized LabeledImages testSet() {
        if (testSet == null) {
            testSet = new IdxDatasetReader(new Configuration(), DatasetShape.MNIST).read(testImages(), testLabels());
        }
        return testSet;
    }
}

package org.sparkcnn.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A SPARK_HOME assembled for a test cluster from Maven Central jars: jars/ (a link to the jars a
 * src/it/spark-*home build copied), bin/spark-submit (src/it/spark-home/bin: Spark's launcher library) and
 * conf/spark-defaults.conf = sparkcnn's template (conf/spark-defaults.conf) plus the test's settings.
 */
final class SparkHomeLayout {
    private SparkHomeLayout() {
    }

    /** Creates {@code home} and returns its conf folder. */
    static Path create(Path projectDir, Path sparkJars, Path home, String extraDefaults) throws IOException {
        Files.createDirectories(home);
        Files.createSymbolicLink(home.resolve("jars"), sparkJars);
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path submit = Files.copy(projectDir.resolve("src/it/spark-home/bin/spark-submit"), bin.resolve("spark-submit"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path conf = Files.createDirectories(home.resolve("conf"));
        Files.writeString(conf.resolve("spark-defaults.conf"),
                Files.readString(projectDir.resolve("conf/spark-defaults.conf")) + "\n" + extraDefaults);
        return conf;
    }
}

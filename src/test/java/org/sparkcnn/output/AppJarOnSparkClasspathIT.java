package org.sparkcnn.output;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Nd4jSerializationCheck} in a JVM whose classpath is what spark-submit gives the application jar:
 * the Spark home's jars first (Spark 4.1's include flatbuffers-java 25.2.10, whose runtime lacks what
 * nd4j's 1.12-generated classes call), then the app jar. Passes only because the app jar relocates its own
 * flatbuffers-java 1.12.
 */
class AppJarOnSparkClasspathIT {
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void nd4jSerialisesBehindTheSparkHomesJars(@TempDir Path dir) throws Exception {
        Path sparkJars = Path.of(System.getProperty("spark.home.dir")).resolve("jars");
        Path appJar = Path.of(System.getProperty("app.jar"));
        assertTrue(Files.isDirectory(sparkJars) && Files.isRegularFile(appJar),
                "run through 'mvn verify': the Spark home (invoker plugin) and the app jar (package) are missing");
        Path testClasses = Path.of(Nd4jSerializationCheck.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path project = Path.of(System.getProperty("user.dir"));
        Path output = dir.resolve("output.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + project.resolve("conf/java-module-options"), "-Xmx1g",
                "-cp", String.join(File.pathSeparator, sparkJars + "/*", appJar.toString(), testClasses.toString()),
                Nd4jSerializationCheck.class.getName(), dir.toString())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!p.waitFor(4, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        String printed = Files.readString(output, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), printed);
        List<String> ok = printed.lines().filter(l -> l.startsWith("OK ")).toList();
        assertEquals(1, ok.size(), printed);
        assertTrue(ok.get(0).contains("FlatBuffers version check passed"), printed);
        try (var jars = Files.list(sparkJars)) {
            System.out.println("Spark home's FlatBuffers runtime: " + jars.map(j -> j.getFileName().toString())
                    .filter(n -> n.startsWith("flatbuffers")).toList() + "; " + ok.get(0));
        }
    }
}

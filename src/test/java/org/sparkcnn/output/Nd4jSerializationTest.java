package org.sparkcnn.output;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Nd4jSerializationCheck} on this build's own classpath (flatbuffers-java pinned to 1.12.0 in both builds). */
class Nd4jSerializationTest {
    @Test
    void flatBuffersAndModelZipsWorkOnThisBuildsClasspath(@TempDir Path dir) throws Exception {
        String summary = Nd4jSerializationCheck.run(dir);
        assertTrue(summary.startsWith("FlatBuffers version check passed"), summary);
        assertTrue(com.google.flatbuffers.Constants.class.getProtectionDomain().getCodeSource().getLocation()
                .getPath().contains("flatbuffers-java-1.12.0"), "the pinned runtime is the one on the classpath");
    }
}

package org.sparkcnn.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes an executable {@code nvidia-smi} shell script into a folder, standing in for the real one. */
final class FakeNvidiaSmi {
    private FakeNvidiaSmi() {
    }

    static Path write(Path dir, String body) throws IOException {
        Path script = dir.resolve("nvidia-smi");
        Files.writeString(script, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }
}

package org.sparkcnn.output;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;

/** {@link OutputLockContract} on the local file system. */
class OutputLockTest extends OutputLockContract {
    @TempDir
    java.nio.file.Path work;

    @Override
    FileSystem fs() {
        try {
            return FileSystem.getLocal(new Configuration());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    Path newRoot() throws IOException {
        return new Path(Files.createTempDirectory(work, "root").toUri());
    }
}

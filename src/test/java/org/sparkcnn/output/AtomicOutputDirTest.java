package org.sparkcnn.output;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.common.BadInputException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtomicOutputDirTest {
    private static final Configuration CONF = new Configuration();

    private static void write(AtomicOutputDir out, String name, String text) throws IOException {
        try (OutputStream s = out.create(name)) {
            s.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static long visibleEntries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void nothingIsVisibleUntilCommitThenSuccessMarksIt(@TempDir Path root) throws IOException {
        Path target = root.resolve("run");
        AtomicOutputDir out = AtomicOutputDir.begin(CONF, target.toUri(), false, "r1");
        write(out, "metrics.json", "{}");
        assertFalse(Files.exists(target), "target must not exist before commit");
        out.commit();
        assertEquals("{}", Files.readString(target.resolve("metrics.json")));
        assertTrue(Files.exists(target.resolve(AtomicOutputDir.SUCCESS)));
        assertEquals(1, visibleEntries(root), "temporary folder renamed away");
    }

    @Test
    void abortLeavesNothingBehind(@TempDir Path root) throws IOException {
        AtomicOutputDir out = AtomicOutputDir.begin(CONF, root.resolve("run").toUri(), false, "r1");
        write(out, "model.zip", "partial");
        out.abort();
        assertEquals(0, visibleEntries(root));
    }

    @Test
    void aCompleteRunIsNotOverwrittenUnlessAsked(@TempDir Path root) throws IOException {
        Path target = root.resolve("run");
        AtomicOutputDir first = AtomicOutputDir.begin(CONF, target.toUri(), false, "r1");
        write(first, "metrics.json", "first");
        first.commit();

        BadInputException e = assertThrows(BadInputException.class,
                () -> AtomicOutputDir.begin(CONF, target.toUri(), false, "r2"));
        assertTrue(e.getMessage().contains("already holds a complete run"), e.getMessage());
        assertTrue(e.getMessage().contains("output.overwrite=true"), e.getMessage());

        AtomicOutputDir second = AtomicOutputDir.begin(CONF, target.toUri(), true, "r2");
        write(second, "metrics.json", "second");
        second.commit();
        assertEquals("second", Files.readString(target.resolve("metrics.json")));
        assertTrue(Files.exists(target.resolve(AtomicOutputDir.SUCCESS)));
        assertEquals(1, visibleEntries(root), "old output and temporary folder removed");
    }

    @Test
    void aFileInTheWayIsBadInput(@TempDir Path root) throws IOException {
        Path file = Files.writeString(root.resolve("run"), "x");
        BadInputException e = assertThrows(BadInputException.class,
                () -> AtomicOutputDir.begin(CONF, file.toUri(), false, "r1"));
        assertTrue(e.getMessage().contains("exists and is a file"), e.getMessage());
    }

    @Test
    void trailingSlashNamesTheSameFolder(@TempDir Path root) throws IOException {
        AtomicOutputDir out = AtomicOutputDir.begin(CONF, java.net.URI.create(root.toUri() + "run/"), false, "r1");
        out.commit();
        assertTrue(Files.exists(root.resolve("run").resolve(AtomicOutputDir.SUCCESS)));
    }
}

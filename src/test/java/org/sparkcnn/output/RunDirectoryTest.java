package org.sparkcnn.output;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.config.OutputConfig;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunDirectoryTest {
    private static final Configuration CONF = new Configuration();

    private static OutputConfig config(Path dir, boolean overwrite, OutputConfig.OnIncomplete onIncomplete) {
        return new OutputConfig(dir.toUri(), overwrite, onIncomplete);
    }

    private static RunDirectory open(Path dir) {
        return RunDirectory.open(CONF, config(dir, false, OutputConfig.OnIncomplete.RESUME), "r1");
    }

    private static void write(RunDirectory out, String name, String text) throws IOException {
        try (OutputStream s = out.create(name)) {
            s.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    @Test
    void nothingIsCreatedUntilSomethingIsWritten(@TempDir Path root) {
        RunDirectory out = open(root.resolve("run"));
        out.abort();
        assertFalse(Files.exists(root.resolve("run")));
    }

    @Test
    void filesAppearOnlyAtCommitAndSuccessComesLast(@TempDir Path root) throws IOException {
        Path target = root.resolve("run");
        RunDirectory out = open(target);
        write(out, "report.json", "{}");
        assertFalse(Files.exists(target.resolve("report.json")), "staged, not yet visible");
        assertFalse(RunDirectory.isComplete(CONF, target.toUri()));
        out.commit();
        assertEquals("{}", Files.readString(target.resolve("report.json")));
        assertTrue(RunDirectory.isComplete(CONF, target.toUri()));
        assertEquals(List.of("_SUCCESS", "report.json"), names(target), "staging folder removed");
    }

    @Test
    void abortKeepsCheckpointsButDropsStagedFiles(@TempDir Path root) throws IOException {
        Path target = root.resolve("run");
        RunDirectory out = open(target);
        Files.createDirectories(Path.of(URI.create(out.checkpointsDir().toUri().toString())));
        write(out, "model.zip", "partial");
        out.abort();
        assertEquals(List.of(RunDirectory.CHECKPOINTS), names(target));
    }

    @Test
    void anIncompleteRunIsResumedOrCleanedAsConfigured(@TempDir Path root) throws IOException {
        Path target = root.resolve("run");
        Files.createDirectories(target.resolve(RunDirectory.CHECKPOINTS).resolve("ckpt-e0001-s0001"));
        RunDirectory.open(CONF, config(target, false, OutputConfig.OnIncomplete.RESUME), "r2");
        assertTrue(Files.exists(target.resolve(RunDirectory.CHECKPOINTS)), "resume keeps checkpoints");
        RunDirectory.open(CONF, config(target, false, OutputConfig.OnIncomplete.CLEAN), "r3");
        assertFalse(Files.exists(target), "clean removes the incomplete run");
    }

    @Test
    void aCompleteRunIsReplacedOnlyWhenOverwriting(@TempDir Path root) throws IOException {
        Path target = root.resolve("run");
        RunDirectory first = open(target);
        write(first, "report.json", "first");
        first.commit();

        BadInputException e = assertThrows(BadInputException.class, () -> open(target));
        assertTrue(e.getMessage().contains("already holds a complete run"), e.getMessage());

        RunDirectory second = RunDirectory.open(CONF, config(target, true, OutputConfig.OnIncomplete.RESUME), "r2");
        write(second, "report.json", "second");
        second.commit();
        assertEquals("second", Files.readString(target.resolve("report.json")));
        assertEquals(List.of("_SUCCESS", "report.json"), names(target));
    }

    @Test
    void aFileInTheWayIsBadInput(@TempDir Path root) throws IOException {
        Path file = Files.writeString(root.resolve("run"), "x");
        BadInputException e = assertThrows(BadInputException.class, () -> open(file));
        assertTrue(e.getMessage().contains("exists and is a file"), e.getMessage());
    }

    @Test
    void trailingSlashNamesTheSameFolder(@TempDir Path root) throws IOException {
        RunDirectory out = RunDirectory.open(CONF, new OutputConfig(URI.create(root.toUri() + "run/"), false,
                OutputConfig.OnIncomplete.RESUME), "r1");
        out.commit();
        assertTrue(Files.exists(root.resolve("run").resolve(RunDirectory.SUCCESS)));
    }
}

package org.sparkcnn.output;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AtomicWriteTest {
    @TempDir
    java.nio.file.Path dir;

    private static FileSystem fs() throws IOException {
        return FileSystem.getLocal(new Configuration());
    }

    private List<String> names() throws IOException {
        return names(dir);
    }

    /** Without the local file system's hidden .crc files. */
    private static List<String> names(java.nio.file.Path dir) throws IOException {
        try (Stream<java.nio.file.Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    @Test
    void aFileOrFolderAppearsWhole() throws IOException {
        Path file = new Path(dir.resolve("a.txt").toUri());
        AtomicWrite.file(fs(), file, "one".getBytes(StandardCharsets.UTF_8));
        AtomicWrite.file(fs(), file, "two".getBytes(StandardCharsets.UTF_8));
        assertEquals("two", Files.readString(dir.resolve("a.txt")), "replaced");

        Path folder = new Path(dir.resolve("f").toUri());
        AtomicWrite.folder(fs(), folder, temp -> {
            assertFalse(Files.exists(dir.resolve("f")), "not visible while written");
            fs().create(new Path(temp, "x"), false).close();
        });
        assertEquals(List.of("a.txt", "f"), names());
        assertEquals(List.of("x"), names(dir.resolve("f")));
    }

    @Test
    void aFailedWriteLeavesNothingAndTheOldTargetStays() throws IOException {
        Path folder = new Path(dir.resolve("f").toUri());
        AtomicWrite.folder(fs(), folder, temp -> fs().create(new Path(temp, "old"), false).close());
        IOException e = assertThrows(IOException.class, () -> AtomicWrite.folder(fs(), folder, temp -> {
            fs().create(new Path(temp, "half"), false).close();
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals(List.of("f"), names(), "the temporary folder is removed");
        assertEquals(List.of("old"), names(dir.resolve("f")));
    }

    @Test
    void leftoversOfKilledWritersAreRemovedAndNothingElse() throws IOException {
        Files.createDirectories(dir.resolve(AtomicWrite.TEMP_PREFIX + "ckpt-e0001-s0002-1a2b3c4d"));
        Files.writeString(dir.resolve(AtomicWrite.TEMP_PREFIX + "x.gz-5e6f7a8b"), "half");
        Files.createDirectories(dir.resolve("ckpt-e0001-s0001"));
        assertEquals(2, AtomicWrite.removeLeftovers(fs(), new Path(dir.toUri())));
        assertEquals(List.of("ckpt-e0001-s0001"), names());
        assertEquals(0, AtomicWrite.removeLeftovers(fs(), new Path(dir.resolve("missing").toUri())));
    }
}

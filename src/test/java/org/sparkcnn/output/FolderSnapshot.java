package org.sparkcnn.output;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Every file under a folder with its modification time: "nothing changed" is two snapshots being equal. */
public final class FolderSnapshot {
    private FolderSnapshot() {
    }

    /** Relative path -> modification time, without the local file system's hidden .crc files. */
    public static Map<String, FileTime> of(Path dir) throws IOException {
        Map<String, FileTime> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                    .toList()) {
                files.put(dir.relativize(p).toString(), Files.getLastModifiedTime(p));
            }
        }
        return files;
    }
}

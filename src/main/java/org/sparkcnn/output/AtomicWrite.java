package org.sparkcnn.output;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.UUID;

/**
 * The one way sparkcnn writes something readers must never see half-written, on any Hadoop file system
 * (the MNIST download, checkpoints and best models, the run folder's staged results): write under a
 * temporary name beside the target, rename it into place when complete, remove it when writing fails.
 *
 * <p>Temporary names start with {@value #TEMP_PREFIX}: hidden from Hadoop and Spark readers (they skip
 * names starting with '_' or '.'), and recognisable as the leftovers of a killed writer, which
 * {@link #removeLeftovers} deletes. Only the holder of the folder's {@link OutputLock} (or a folder no
 * run shares, such as a download target) may call that.
 */
public final class AtomicWrite {
    public static final String TEMP_PREFIX = "_tmp-";
    private static final Logger LOG = LoggerFactory.getLogger(AtomicWrite.class);

    /** Writes the content of a temporary file or folder. */
    @FunctionalInterface
    public interface Writer {
        void write(Path temp) throws IOException;
    }

    private AtomicWrite() {
    }

    /** A fresh temporary name in {@code parent} for {@code label} (unique: concurrent writers never collide). */
    public static Path tempPath(Path parent, String label) {
        return new Path(parent, TEMP_PREFIX + label + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    /** Writes the folder {@code target}: {@code writer} fills a temporary folder, renamed into place. */
    public static void folder(FileSystem fs, Path target, Writer writer) throws IOException {
        write(fs, target, temp -> {
            if (!fs.mkdirs(temp)) {
                throw new IOException("could not create " + shown(temp));
            }
            writer.write(temp);
        });
    }

    /** Writes the file {@code target} with {@code bytes}. */
    public static void file(FileSystem fs, Path target, byte[] bytes) throws IOException {
        write(fs, target, temp -> {
            try (FSDataOutputStream out = fs.create(temp, false)) {
                out.write(bytes);
            }
        });
    }

    private static void write(FileSystem fs, Path target, Writer writer) throws IOException {
        Path temp = tempPath(target.getParent(), target.getName());
        boolean placed = false;
        try {
            writer.write(temp);
            moveIntoPlace(fs, temp, target);
            placed = true;
        } finally {
            if (!placed) {
                discard(fs, temp);
            }
        }
    }

    /**
     * Renames a complete {@code temp} to {@code target}, replacing what is there (HDFS's rename never
     * overwrites, so the old target is removed first: the one moment a reader may find nothing, never half).
     */
    public static void moveIntoPlace(FileSystem fs, Path temp, Path target) throws IOException {
        if (fs.exists(target)) {
            fs.delete(target, true);
        }
        if (!fs.rename(temp, target)) {
            throw new IOException("could not rename " + shown(temp) + " to " + shown(target));
        }
    }

    /** Removes a temporary file or folder; a failure is only logged (it is a leftover, not a result). */
    public static void discard(FileSystem fs, Path temp) {
        try {
            fs.delete(temp, true);
        } catch (IOException e) {
            LOG.warn("Could not remove the temporary {}: {}", shown(temp), e.getMessage());
        }
    }

    /** Deletes what killed writers left in {@code folder} (not recursive); a missing folder has none. */
    public static int removeLeftovers(FileSystem fs, Path folder) throws IOException {
        FileStatus[] children;
        try {
            children = fs.listStatus(folder);
        } catch (FileNotFoundException e) {
            return 0;
        }
        int removed = 0;
        for (FileStatus child : children) {
            if (child.getPath().getName().startsWith(TEMP_PREFIX)) {
                LOG.info("Removing {}, left by a run killed while writing it", shown(child.getPath()));
                fs.delete(child.getPath(), true);
                removed++;
            }
        }
        return removed;
    }

    /** The path without scheme and authority: a URI's user-info may carry credentials, never logged. */
    private static Path shown(Path path) {
        return Path.getPathWithoutSchemeAndAuthority(path);
    }
}

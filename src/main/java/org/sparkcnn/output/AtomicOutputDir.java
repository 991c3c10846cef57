package org.sparkcnn.output;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkcnn.common.BadInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;

/**
 * A run's output folder on any Hadoop file system, written so that nobody ever sees half of it: files go
 * to a temporary sibling folder on the same file system, which is renamed into place when complete, and
 * {@code _SUCCESS} is written last, so readers (and schedulers' sensors) wait for it.
 */
public final class AtomicOutputDir {
    public static final String SUCCESS = "_SUCCESS";
    private static final Logger LOG = LoggerFactory.getLogger(AtomicOutputDir.class);

    private final FileSystem fs;
    private final Path target;
    private final Path temp;
    private final boolean overwrite;
    private boolean finished;

    private AtomicOutputDir(FileSystem fs, Path target, Path temp, boolean overwrite) {
        this.fs = fs;
        this.target = target;
        this.temp = temp;
        this.overwrite = overwrite;
    }

    /**
     * Checks that {@code dir} may be written (before any expensive work) and creates the temporary folder.
     *
     * @throws BadInputException when {@code dir} already holds a complete run and overwrite is off
     */
    public static AtomicOutputDir begin(Configuration conf, URI dir, boolean overwrite, String runId) {
        try {
            // "hdfs://nn/runs/r1/" names the folder r1: without the trailing slash, Path's name is r1
            Path target = new Path(dir.toString().replaceAll("/+$", ""));
            FileSystem fs = target.getFileSystem(conf);
            target = fs.makeQualified(target);
            if (target.getParent() == null) {
                throw new BadInputException("output.dir " + dir + ": cannot be the root of a file system");
            }
            checkWritable(fs, target, overwrite);
            Path temp = new Path(target.getParent(), "_temporary-" + target.getName() + "-" + runId);
            if (!fs.mkdirs(temp)) {
                throw new IOException("could not create " + temp);
            }
            return new AtomicOutputDir(fs, target, temp, overwrite);
        } catch (IOException e) {
            throw new UncheckedIOException("output.dir " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void checkWritable(FileSystem fs, Path target, boolean overwrite) throws IOException {
        if (fs.exists(target)) {
            if (!fs.getFileStatus(target).isDirectory()) {
                throw new BadInputException("output.dir " + target + ": exists and is a file, expected a folder");
            }
            if (fs.exists(new Path(target, SUCCESS)) && !overwrite) {
                throw new BadInputException("output.dir " + target + ": already holds a complete run (" + SUCCESS
                        + "); set output.overwrite=true to replace it, or choose another output.dir");
            }
        }
    }

    public Path target() {
        return target;
    }

    public FileSystem fileSystem() {
        return fs;
    }

    /** The temporary folder, for writers that create their own files in it (e.g. Spark's Parquet writer). */
    public Path workingDir() {
        return temp;
    }

    /** Creates {@code name} inside the temporary folder. */
    public FSDataOutputStream create(String name) throws IOException {
        return fs.create(new Path(temp, name), true);
    }

    /** Moves the complete folder into place, replacing an older one if allowed, then writes {@code _SUCCESS}. */
    public void commit() throws IOException {
        checkWritable(fs, target, overwrite);
        Path old = null;
        if (fs.exists(target)) {
            old = new Path(target.getParent(), "_old-" + target.getName() + "-" + temp.getName());
            if (!fs.rename(target, old)) {
                throw new IOException("could not move the previous output " + target + " aside");
            }
        }
        if (!fs.rename(temp, target)) {
            throw new IOException("could not rename " + temp + " to " + target);
        }
        finished = true;
        if (old != null) {
            fs.delete(old, true);
            LOG.info("Replaced the previous output in {}", target);
        }
        fs.create(new Path(target, SUCCESS), true).close();
        LOG.info("Output complete: {}", target);
    }

    /** Removes the temporary folder of an unfinished run. Safe to call after {@link #commit()}. */
    public void abort() {
        if (finished) {
            return;
        }
        finished = true;
        try {
            fs.delete(temp, true);
        } catch (IOException e) {
            LOG.warn("Could not remove the temporary output {}: {}", temp, e.getMessage());
        }
    }
}

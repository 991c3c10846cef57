package org.sparkcnn.output;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.config.OutputConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Optional;

/**
 * A run's output folder on any Hadoop file system, with the semantics a scheduled batch job needs:
 * <ul>
 *   <li>{@code _SUCCESS} marks a complete run and is written last; a complete run is never overwritten
 *   unless {@code output.overwrite} says so;</li>
 *   <li>results are staged in {@code _temporary-<run id>/} and each file is renamed into place only when
 *   all are written, so readers never see half a file;</li>
 *   <li>an incomplete folder (a crashed or killed run) keeps its {@code checkpoints/} so the rerun resumes,
 *   or is cleaned first, as {@code output.on-incomplete} says;</li>
 *   <li>nothing is created until a run has something to write (bad input writes nothing).</li>
 * </ul>
 */
public final class RunDirectory {
    public static final String SUCCESS = "_SUCCESS";
    public static final String CHECKPOINTS = "checkpoints";
    private static final Logger LOG = LoggerFactory.getLogger(RunDirectory.class);

    private final FileSystem fs;
    private final Path dir;
    private final Path staging;
    private boolean finished;

    private RunDirectory(FileSystem fs, Path dir, Path staging) {
        this.fs = fs;
        this.dir = dir;
        this.staging = staging;
    }

    /** Whether {@code dir} already holds a complete run. */
    public static boolean isComplete(Configuration conf, URI dir) {
        try {
            Path path = path(dir);
            return path.getFileSystem(conf).exists(new Path(path, SUCCESS));
        } catch (IOException e) {
            throw new UncheckedIOException("output.dir " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The folder for a run, or empty when it already holds a complete run and overwrite is off: a
     * rerun of a finished scheduled job has nothing to do.
     */
    public static Optional<RunDirectory> openUnlessComplete(Configuration conf, OutputConfig output, String runId) {
        if (!output.overwrite() && isComplete(conf, output.dir())) {
            return Optional.empty();
        }
        return Optional.of(open(conf, output, runId));
    }

    /**
     * Prepares the folder for a run: refuses a complete one unless overwriting, cleans an incomplete one
     * when asked to. Creates nothing yet.
     *
     * @throws BadInputException when the folder is complete and overwrite is off, or is a file
     */
    public static RunDirectory open(Configuration conf, OutputConfig output, String runId) {
        URI uri = output.dir();
        try {
            Path dir = path(uri);
            FileSystem fs = dir.getFileSystem(conf);
            dir = fs.makeQualified(dir);
            if (dir.getParent() == null) {
                throw new BadInputException("output.dir " + uri + ": cannot be the root of a file system");
            }
            if (fs.exists(dir)) {
                if (!fs.getFileStatus(dir).isDirectory()) {
                    throw new BadInputException("output.dir " + dir + ": exists and is a file, expected a folder");
                }
                boolean complete = fs.exists(new Path(dir, SUCCESS));
                if (complete && !output.overwrite()) {
                    throw new BadInputException("output.dir " + dir + ": already holds a complete run (" + SUCCESS
                            + "); set output.overwrite=true to replace it, or choose another output.dir");
                }
                if (complete || output.onIncomplete() == OutputConfig.OnIncomplete.CLEAN) {
                    LOG.info("Removing the {} run in {}", complete ? "previous" : "incomplete", dir);
                    fs.delete(dir, true);
                }
            }
            return new RunDirectory(fs, dir, new Path(dir, "_temporary-" + runId));
        } catch (IOException e) {
            throw new UncheckedIOException("output.dir " + uri + ": " + e.getMessage(), e);
        }
    }

    /** "hdfs://nn/runs/r1/" names the folder r1: without the trailing slash, Path's name is r1. */
    private static Path path(URI dir) {
        return new Path(dir.toString().replaceAll("/+$", ""));
    }

    public Path dir() {
        return dir;
    }

    public FileSystem fileSystem() {
        return fs;
    }

    /** Where checkpoints go; kept across reruns until the run completes. */
    public Path checkpointsDir() {
        return new Path(dir, CHECKPOINTS);
    }

    /** The staging folder, for writers that create their own files in it (e.g. Spark's Parquet writer). */
    public Path workingDir() throws IOException {
        fs.mkdirs(staging);
        return staging;
    }

    /** Creates {@code name} in the staging folder. */
    public FSDataOutputStream create(String name) throws IOException {
        return fs.create(new Path(workingDir(), name), true);
    }

    /** Moves every staged file into the folder, replacing older ones, then writes {@code _SUCCESS}. */
    public void commit() throws IOException {
        fs.mkdirs(staging);
        for (FileStatus staged : fs.listStatus(staging)) {
            Path target = new Path(dir, staged.getPath().getName());
            if (fs.exists(target)) {
                fs.delete(target, true);
            }
            if (!fs.rename(staged.getPath(), target)) {
                throw new IOException("could not move " + staged.getPath() + " to " + target);
            }
        }
        fs.delete(staging, true);
        finished = true;
        fs.create(new Path(dir, SUCCESS), true).close();
        LOG.info("Output complete: {}", dir);
    }

    /** Removes the staged files of an unfinished run; checkpoints stay for the rerun. */
    public void abort() {
        if (finished) {
            return;
        }
        finished = true;
        try {
            fs.delete(staging, true);
            // nothing else was written: leave no empty folder behind
            if (fs.exists(dir) && fs.listStatus(dir).length == 0) {
                fs.delete(dir, true);
            }
        } catch (IOException e) {
            LOG.warn("Could not remove the staged output {}: {}", staging, e.getMessage());
        }
    }
}

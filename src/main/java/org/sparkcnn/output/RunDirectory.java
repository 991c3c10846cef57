package org.sparkcnn.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.common.QualityGate;
import org.sparkcnn.config.OutputConfig;
import org.sparkcnn.config.ResultSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;

/**
 * A run's output folder on any Hadoop file system, with the semantics a scheduled batch job needs:
 * <ul>
 *   <li>{@code _SUCCESS} marks a complete run that passed its quality gate, and is written last; a run
 *   below its gate gets {@code _GATE_FAILED} (accuracy, bar, reason, time) instead, never
 *   {@code _SUCCESS}. Both record the run's settings ({@code _settings.json});</li>
 *   <li>results are staged in a temporary folder and each file is moved into place
 *   ({@link AtomicWrite}) only when all are written, so readers never see half a file;</li>
 *   <li>an incomplete folder (a crashed or killed run) keeps its {@code checkpoints/} so the rerun resumes,
 *   or is cleaned first, as {@code output.on-incomplete} says; what killed writers left is removed;</li>
 *   <li>it is opened only under its {@link OutputLock}, which it keeps through a clean.</li>
 * </ul>
 */
public final class RunDirectory {
    public static final String SUCCESS = "_SUCCESS";
    public static final String GATE_FAILED = "_GATE_FAILED";
    public static final String SETTINGS = "_settings.json";
    public static final String CHECKPOINTS = "checkpoints";
    /** The staging folder's name before {@link AtomicWrite}: still removed when a killed run left one. */
    private static final String LEGACY_STAGING_PREFIX = "_temporary-";
    private static final Logger LOG = LoggerFactory.getLogger(RunDirectory.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What an output.dir holds. */
    public enum State {
        /** nothing (or only a lock) */
        EMPTY,
        /** a run that did not finish: staged files, checkpoints */
        INCOMPLETE,
        /** a finished run that passed its gate: {@code _SUCCESS} */
        COMPLETE,
        /** a finished run below its gate: {@code _GATE_FAILED}, no {@code _SUCCESS} */
        GATE_FAILED
    }

    /** output.dir on its file system, qualified. */
    public record Location(FileSystem fs, Path dir) {
    }

    private final OutputLock lock;
    private final FileSystem fs;
    private final Path dir;
    private final Path staging;
    private final String runId;
    private final ResultSettings.Fingerprint settings;
    private boolean finished;

    private RunDirectory(OutputLock lock, String runId, ResultSettings.Fingerprint settings) {
        this.lock = lock;
        this.fs = lock.fileSystem();
        this.dir = lock.dir();
        this.runId = runId;
        this.settings = settings;
        this.staging = AtomicWrite.tempPath(dir, "run-" + runId);
    }

    /**
     * Where {@code uri} is.
     *
     * @throws BadInputException when it is the root of a file system or a file
     */
    public static Location locate(Configuration conf, URI uri) throws IOException {
        Path dir = new Path(uri.toString().replaceAll("/+$", "")); // "hdfs://nn/runs/r1/" names the folder r1
        FileSystem fs = dir.getFileSystem(conf);
        dir = fs.makeQualified(dir);
        if (dir.getParent() == null) {
            throw new BadInputException("output.dir " + uri + ": cannot be the root of a file system");
        }
        if (fs.exists(dir) && !fs.getFileStatus(dir).isDirectory()) {
            throw new BadInputException("output.dir " + dir + ": exists and is a file, expected a folder");
        }
        return new Location(fs, dir);
    }

    /** Whether {@code dir} holds a complete run that passed its gate. */
    public static boolean isComplete(Configuration conf, URI dir) {
        try {
            Location location = locate(conf, dir);
            return state(location.fs(), location.dir()) == State.COMPLETE;
        } catch (IOException e) {
            throw new UncheckedIOException("output.dir " + dir + ": " + e.getMessage(), e);
        }
    }

    public static State state(FileSystem fs, Path dir) throws IOException {
        if (fs.exists(new Path(dir, SUCCESS))) {
            return State.COMPLETE;
        }
        if (fs.exists(new Path(dir, GATE_FAILED))) {
            return State.GATE_FAILED;
        }
        try {
            for (FileStatus child : fs.listStatus(dir)) {
                if (!OutputLock.isLockFile(child.getPath().getName())) {
                    return State.INCOMPLETE;
                }
            }
        } catch (FileNotFoundException e) {
            return State.EMPTY;
        }
        return State.EMPTY;
    }

    /** The settings the finished run in {@code dir} recorded; empty when it recorded none (older sparkcnn). */
    public static Optional<ResultSettings.Fingerprint> recordedSettings(FileSystem fs, Path dir) throws IOException {
        Path file = new Path(dir, SETTINGS);
        try (InputStream in = fs.open(file)) {
            return Optional.of(ResultSettings.Fingerprint.fromJson(in.readAllBytes()));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** The verdict {@code _GATE_FAILED} records (accuracy, bar, reason), if {@code dir} has one. */
    public static Optional<QualityGate.Verdict> recordedGateFailure(FileSystem fs, Path dir) throws IOException {
        Path file = new Path(dir, GATE_FAILED);
        try (InputStream in = fs.open(file)) {
            JsonNode node = JSON.readTree(in);
            return Optional.of(new QualityGate.Verdict(node.path("minAccuracy").asDouble(),
                    node.path("accuracy").asDouble(Double.NaN), false, node.path("reason").asText()));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
    }

    /** Publishes the finished run in {@code dir}: {@code _GATE_FAILED} goes, {@code _SUCCESS} comes last. */
    public static void markPassed(FileSystem fs, Path dir) throws IOException {
        fs.delete(new Path(dir, GATE_FAILED), false);
        fs.create(new Path(dir, SUCCESS), true).close();
    }

    /**
     * Withdraws the finished run in {@code dir} from readers waiting for {@code _SUCCESS} (removed first)
     * and records why in {@code _GATE_FAILED}.
     */
    public static void markGateFailed(FileSystem fs, Path dir, QualityGate.Verdict verdict, String runId)
            throws IOException {
        fs.delete(new Path(dir, SUCCESS), false);
        ObjectNode node = JSON.createObjectNode();
        node.put("accuracy", verdict.accuracy());
        node.put("minAccuracy", verdict.minAccuracy());
        node.put("reason", verdict.reason());
        node.put("time", Instant.now().toString());
        node.put("runId", runId);
        AtomicWrite.file(fs, new Path(dir, GATE_FAILED), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
    }

    /**
     * Prepares the folder of {@code lock} for a run: replaces a finished one only when overwriting, cleans
     * an incomplete one when asked to, and removes the staging folders of killed runs. Creates nothing.
     *
     * @param settings what this run records in {@value #SETTINGS} when it finishes
     * @throws BadInputException when the folder holds a finished run and overwrite is off
     */
    public static RunDirectory open(OutputLock lock, OutputConfig output, String runId,
                                    ResultSettings.Fingerprint settings) {
        FileSystem fs = lock.fileSystem();
        Path dir = lock.dir();
        try {
            State state = state(fs, dir);
            boolean finished = state == State.COMPLETE || state == State.GATE_FAILED;
            if (finished && !output.overwrite()) {
                throw new BadInputException("output.dir " + dir + ": already holds a finished run (" + SUCCESS + " or "
                        + GATE_FAILED + "); set output.overwrite=true to replace it, or choose another output.dir");
            }
            if (finished || (state == State.INCOMPLETE && output.onIncomplete() == OutputConfig.OnIncomplete.CLEAN)) {
                LOG.info("Removing the {} run in {}", finished ? "previous" : "incomplete", dir);
                for (FileStatus child : fs.listStatus(dir)) {
                    if (!OutputLock.isLockFile(child.getPath().getName())) {
                        fs.delete(child.getPath(), true);
                    }
                }
            } else if (state == State.INCOMPLETE) {
                AtomicWrite.removeLeftovers(fs, dir);
                for (FileStatus child : fs.listStatus(dir)) {
                    if (child.getPath().getName().startsWith(LEGACY_STAGING_PREFIX)) {
                        fs.delete(child.getPath(), true);
                    }
                }
            }
            return new RunDirectory(lock, runId, settings);
        } catch (IOException e) {
            throw new UncheckedIOException("output.dir " + dir + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    public FileSystem fileSystem() {
        return fs;
    }

    /** The settings this run records when it finishes (and in its checkpoints). */
    public ResultSettings.Fingerprint settings() {
        return settings;
    }

    /** Where checkpoints go; kept across reruns until the run completes. */
    public Path checkpointsDir() {
        return new Path(dir, CHECKPOINTS);
    }

    /**
     * Proves, before any work, that the folders this run writes at its end can be written: the staging
     * folder, and for a training run the checkpoints folder (exit 2 naming the folder otherwise).
     */
    public void requireWritable(boolean checkpoints) {
        if (checkpoints) {
            WriteProbe.require(fs, checkpointsDir(), "output.dir's checkpoints folder");
        }
        WriteProbe.require(fs, staging, "output.dir's staging folder");
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

    /** Publishes a run that has no quality gate (predict, bench): {@link #commit(QualityGate.Verdict)} passed. */
    public void commit() throws IOException {
        commit(new QualityGate(0).judge(Double.NaN));
    }

    /**
     * Moves every staged file into the folder (replacing older ones) and records the settings; then,
     * when {@code verdict} passed, writes {@code _SUCCESS} last; otherwise {@code _GATE_FAILED} and no
     * {@code _SUCCESS}: the results stay readable, but nothing waiting for {@code _SUCCESS} takes them.
     *
     * @throws IOException when this run lost its lock (nothing is published then)
     */
    public void commit(QualityGate.Verdict verdict) throws IOException {
        lock.verifyHeld();
        fs.mkdirs(staging);
        for (FileStatus staged : fs.listStatus(staging)) {
            AtomicWrite.moveIntoPlace(fs, staged.getPath(), new Path(dir, staged.getPath().getName()));
        }
        fs.delete(staging, true);
        finished = true;
        AtomicWrite.file(fs, new Path(dir, SETTINGS), settings.toJson());
        if (verdict.passed()) {
            markPassed(fs, dir);
            LOG.info("Output complete: {}", dir);
        } else {
            markGateFailed(fs, dir, verdict, runId);
            LOG.info("Output written below the quality gate (no {}, {} instead): {}", SUCCESS, GATE_FAILED, dir);
        }
    }

    /** Removes the staged files of an unfinished run; checkpoints stay for the rerun. */
    public void abort() {
        if (finished) {
            return;
        }
        finished = true;
        AtomicWrite.discard(fs, staging);
    }
}

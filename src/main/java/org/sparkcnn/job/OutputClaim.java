package org.sparkcnn.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.ParentNotDirectoryException;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.security.AccessControlException;
import org.sparkcnn.checkpoint.CheckpointManager;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.common.QualityGate;
import org.sparkcnn.common.QualityGateException;
import org.sparkcnn.config.JobConfig;
import org.sparkcnn.config.OutputConfig;
import org.sparkcnn.config.ResultSettings;
import org.sparkcnn.output.OutputLock;
import org.sparkcnn.output.RunDirectory;
import org.sparkcnn.report.ReportJsonWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.util.List;
import java.util.Optional;

/**
 * A job's hold on output.dir for one run, taken before Spark starts (a refusal costs nothing and writes
 * nothing): the folder's {@link OutputLock}, then what the folder already holds decides what the run does.
 * <ul>
 *   <li>a finished run ({@code _SUCCESS} or {@code _GATE_FAILED}) with other settings: exit 2 listing them;</li>
 *   <li>a finished run with the same settings: nothing to train; its recorded accuracy is judged by this
 *   run's gate: below it, the run is withdrawn ({@code _GATE_FAILED}, no {@code _SUCCESS}) and the job
 *   exits 3; at or above it, the run is (or stays) published with {@code _SUCCESS} and the job exits 0;</li>
 *   <li>an incomplete run whose checkpoints were made with other settings: exit 2, except
 *   {@link ResultSettings#SAFE_ON_RESUME} ones, which are logged;</li>
 *   <li>otherwise the run goes ahead in {@link #output()}, once its staging folder and (training) its
 *   checkpoints folder were written to: a folder that cannot be is exit 2 now, not after the training.</li>
 * </ul>
 */
final class OutputClaim implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutputClaim.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The command that writes checkpoints. */
    private static final String TRAIN = "train";

    private final OutputLock lock;
    private final Optional<RunDirectory> output;
    private final ResultSettings.Fingerprint settings;

    private OutputClaim(OutputLock lock, Optional<RunDirectory> output, ResultSettings.Fingerprint settings) {
        this.lock = lock;
        this.output = output;
        this.settings = settings;
    }

    /**
     * @param gate the job's quality gate (train and evaluate), empty for jobs without one
     * @throws BadInputException    (exit 2) output.dir is held by a live run, cannot be written, or holds a
     *                              run made with other settings
     * @throws QualityGateException (exit 3) it holds this job's finished run, below {@code gate}
     */
    static OutputClaim take(JobConfig config, String command, String runId, Optional<QualityGate> gate)
            throws IOException {
        Configuration conf = SparkRun.hadoopConfiguration(config);
        OutputConfig out = config.output();
        OutputLock lock;
        try {
            RunDirectory.Location where = RunDirectory.locate(conf, out.dir());
            lock = OutputLock.acquire(where.fs(), where.dir(), out.lockStale(),
                    OutputLock.Holder.thisProcess(runId, command));
        } catch (AccessControlException | AccessDeniedException | ParentNotDirectoryException
                 | FileAlreadyExistsException e) {
            throw new BadInputException("output.dir " + out.dir() + ": cannot be written here ("
                    + BadInputException.describe(e) + ")", e);
        } catch (IOException e) {
            if ("could not create the folder".equals(e.getMessage())) {
                throw new BadInputException("output.dir " + out.dir() + ": cannot be written here (could not create "
                        + "the folder: no permission, or a file in the way)", e);
            }
            throw e;
        }
        try {
            ResultSettings.Fingerprint settings = ResultSettings.of(command, config);
            FileSystem fs = lock.fileSystem();
            Path dir = lock.dir();
            RunDirectory.State state = RunDirectory.state(fs, dir);
            boolean finished = state == RunDirectory.State.COMPLETE || state == RunDirectory.State.GATE_FAILED;
            if (finished && !out.overwrite()) {
                requireSameSettings(fs, dir, settings);
                rejudge(fs, dir, state, gate, runId);
                return new OutputClaim(lock, Optional.empty(), settings);
            }
            if (state == RunDirectory.State.INCOMPLETE && out.onIncomplete() == OutputConfig.OnIncomplete.RESUME) {
                requireResumableCheckpoints(fs, new Path(dir, RunDirectory.CHECKPOINTS), settings);
            }
            RunDirectory run = RunDirectory.open(lock, out, runId, settings);
            run.requireWritable(command.equals(TRAIN));
            return new OutputClaim(lock, Optional.of(run), settings);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Where the run writes; empty when output.dir already holds this job's finished run (nothing to do). */
    Optional<RunDirectory> output() {
        return output;
    }

    /** The settings this run records (in output.dir and in every checkpoint). */
    ResultSettings.Fingerprint settings() {
        return settings;
    }

    @Override
    public void close() {
        lock.close();
    }

    private static void requireSameSettings(FileSystem fs, Path dir, ResultSettings.Fingerprint settings)
            throws IOException {
        Optional<ResultSettings.Fingerprint> recorded = RunDirectory.recordedSettings(fs, dir);
        if (recorded.isEmpty()) {
            LOG.warn("output.dir {} holds a finished run that recorded no settings (made by an older sparkcnn): "
                    + "taken as this job's", dir);
            return;
        }
        List<ResultSettings.Difference> differences = settings.differencesFrom(recorded.get());
        if (!differences.isEmpty()) {
            throw new BadInputException("output.dir " + dir + ": holds a run made with other settings: "
                    + ResultSettings.describe(differences)
                    + "; set output.overwrite=true to replace it, or choose another output.dir");
        }
    }

    /** Judges the finished run's recorded accuracy with this run's gate, and marks the folder to match. */
    private static void rejudge(FileSystem fs, Path dir, RunDirectory.State state, Optional<QualityGate> gate,
                                String runId) throws IOException {
        Optional<QualityGate.Verdict> failed = RunDirectory.recordedGateFailure(fs, dir);
        if (gate.isEmpty() || (state == RunDirectory.State.COMPLETE && gate.get().minAccuracy() <= 0)) {
            return; // published, and no gate to judge it again
        }
        double accuracy = failed.map(QualityGate.Verdict::accuracy).orElseGet(() -> recordedAccuracy(fs, dir));
        QualityGate.Verdict verdict = gate.get().judge(accuracy);
        if (verdict.passed()) {
            if (state == RunDirectory.State.GATE_FAILED) {
                RunDirectory.markPassed(fs, dir);
                LOG.info("output.dir {}: the recorded run ({}) passes this run's gate: {}; published it ({})", dir,
                        failed.map(QualityGate.Verdict::reason).orElse("below its gate"), verdict.reason(),
                        RunDirectory.SUCCESS);
            }
            return;
        }
        RunDirectory.markGateFailed(fs, dir, verdict, runId);
        throw new QualityGateException(verdict.reason() + " (the accuracy of the run already in output.dir " + dir
                + ", made with the same settings: not run again; " + RunDirectory.GATE_FAILED + ", no "
                + RunDirectory.SUCCESS + ")");
    }

    /** The test accuracy report.json records; NaN (which fails any gate) when it cannot be read. */
    private static double recordedAccuracy(FileSystem fs, Path dir) {
        Path report = new Path(dir, ReportJsonWriter.FILE_NAME);
        try (InputStream in = fs.open(report)) {
            return JSON.readTree(in).at("/evaluation/accuracy").asDouble(Double.NaN);
        } catch (FileNotFoundException e) {
            return Double.NaN;
        } catch (IOException e) {
            throw new UncheckedIOException(report + ": " + e.getMessage(), e);
        }
    }

    /** A resume continues checkpoints only when they were made with the same settings, or safe changes. */
    private static void requireResumableCheckpoints(FileSystem fs, Path checkpoints,
                                                    ResultSettings.Fingerprint settings) {
        Optional<ResultSettings.Fingerprint> recorded = new CheckpointManager(fs, checkpoints, 1, settings)
                .newestSettings();
        if (recorded.isEmpty()) {
            return;
        }
        List<ResultSettings.Difference> differences = settings.differencesFrom(recorded.get());
        List<ResultSettings.Difference> unsafe = differences.stream()
                .filter(d -> !ResultSettings.SAFE_ON_RESUME.contains(d.key())).toList();
        if (!unsafe.isEmpty()) {
            throw new BadInputException("output.dir " + checkpoints.getParent() + ": its checkpoints were made with "
                    + "other settings: " + ResultSettings.describe(unsafe) + "; set output.on-incomplete=clean to "
                    + "start over, or choose another output.dir (safe to change on a resume: "
                    + String.join(", ", ResultSettings.SAFE_ON_RESUME) + ")");
        }
        if (!differences.isEmpty()) {
            LOG.info("Resuming with settings changed since the checkpoints were written (safe to change): {}",
                    ResultSettings.describe(differences));
        }
    }
}

package org.sparkcnn.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.sparkcnn.config.ResultSettings;
import org.sparkcnn.output.AtomicWrite;
import org.sparkcnn.train.Checkpointer;
import org.sparkcnn.train.TrainingPosition;
import org.sparkcnn.train.ValidationRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes and finds training checkpoints in a folder of the run's output ({@code <output>/checkpoints/}).
 * A checkpoint is a folder {@code ckpt-e<epoch>-s<segments>} holding {@value #MODEL} (parameters and
 * optimiser state), {@value #POSITION} and {@value #SETTINGS} (the settings that change the result, which a
 * resume compares); it is written through {@link AtomicWrite} (a temporary folder renamed when complete),
 * so a crash never leaves a checkpoint that looks complete, and {@link #removeLeftovers()} removes what a
 * killed write left. Reading verifies it fully; a damaged one is
 * skipped with a warning. Only the newest {@code keep} are kept.
 *
 * <p>The best model by validation accuracy lives beside them, in {@code best/<name>/}{@value #MODEL}, written
 * the same atomic way when a validation improves; a checkpoint's position names its best model, and a
 * checkpoint whose best model does not read back is damaged too. Best models no kept checkpoint names are
 * removed.
 */
public final class CheckpointManager implements Checkpointer {
    static final String MODEL = "model.zip";
    static final String POSITION = "position.json";
    static final String BEST = "best";
    static final String SETTINGS = "settings.json";
    private static final Pattern NAME = Pattern.compile("ckpt-e(\\d+)-s(\\d+)");
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointManager.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FileSystem fs;
    private final Path dir;
    private final int keep;
    private final ResultSettings.Fingerprint settings;

    /** @param settings the run's settings, recorded in every checkpoint ({@value #SETTINGS}) */
    public CheckpointManager(FileSystem fs, Path dir, int keep, ResultSettings.Fingerprint settings) {
        this.fs = fs;
        this.dir = dir;
        this.keep = keep;
        this.settings = settings;
    }

    public Path dir() {
        return dir;
    }

    /** Saves a checkpoint atomically, then removes all but the newest {@code keep}. */
    @Override
    public void save(MultiLayerNetwork network, TrainingPosition position) {
        String name = String.format("ckpt-e%04d-s%04d", position.epoch(), position.segmentsDone());
        Path target = new Path(dir, name);
        try {
            writeAtomically(dir, name, network, position);
            prune();
            LOG.info("Checkpoint {} written", target);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint " + target + ": " + e.getMessage(), e);
        }
    }

    /** Saves a best model atomically; the next checkpoint's position names it. */
    @Override
    public void saveBest(MultiLayerNetwork network, ValidationRecord validation) {
        Path bestDir = new Path(dir, BEST);
        Path target = new Path(bestDir, validation.modelName());
        try {
            writeAtomically(bestDir, validation.modelName(), network, null);
            LOG.info("Best model so far written to {}", target);
        } catch (IOException e) {
            throw new UncheckedIOException("best model " + target + ": " + e.getMessage(), e);
        }
    }

    /** Writes folder {@code parent/name} atomically: the model, and the position and settings of a checkpoint. */
    private void writeAtomically(Path parent, String name, MultiLayerNetwork network, TrainingPosition position)
            throws IOException {
        AtomicWrite.folder(fs, new Path(parent, name), temp -> {
            try (FSDataOutputStream out = fs.create(new Path(temp, MODEL), true)) {
                ModelSerializer.writeModel(network, out, true);
            }
            if (position != null) {
                try (FSDataOutputStream out = fs.create(new Path(temp, POSITION), true)) {
                    JSON.writeValue((java.io.OutputStream) out, position);
                }
                try (FSDataOutputStream out = fs.create(new Path(temp, SETTINGS), true)) {
                    out.write(settings.toJson());
                }
            }
        });
    }

    /**
     * Removes what a run killed while writing a checkpoint or a best model left ({@code _tmp-*} folders
     * in checkpoints/ and checkpoints/best/). Called before resuming, under the output.dir's lock.
     */
    public void removeLeftovers() {
        try {
            int removed = AtomicWrite.removeLeftovers(fs, dir) + AtomicWrite.removeLeftovers(fs, new Path(dir, BEST));
            if (removed > 0) {
                LOG.info("Removed {} half-written checkpoint folder(s) a killed run left in {}", removed, dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The settings the newest complete checkpoint was written with; empty when there is no checkpoint, or
     * it was written before sparkcnn recorded settings. Every checkpoint of a folder has the same settings
     * apart from {@link org.sparkcnn.config.ResultSettings#SAFE_ON_RESUME} ones (a resume refuses others),
     * so the newest speaks for all.
     */
    public Optional<ResultSettings.Fingerprint> newestSettings() {
        for (Path candidate : complete()) {
            try (InputStream in = fs.open(new Path(candidate, SETTINGS))) {
                return Optional.of(ResultSettings.Fingerprint.fromJson(in.readAllBytes()));
            } catch (FileNotFoundException e) {
                return Optional.empty();
            } catch (IOException e) {
                LOG.warn("Checkpoint {} has unreadable settings ({}): looking at the one before", candidate,
                        e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** The newest checkpoint that reads back completely; damaged ones are skipped with a warning. */
    public Optional<Checkpoint> newestValid() {
        for (Path candidate : complete()) {
            try {
                TrainingPosition position;
                try (InputStream in = fs.open(new Path(candidate, POSITION))) {
                    position = JSON.readValue(in, TrainingPosition.class);
                }
                MultiLayerNetwork network = readModel(new Path(candidate, MODEL));
                Optional<String> best = position.storedBestModel();
                MultiLayerNetwork bestNetwork = best.isPresent()
                        ? readModel(new Path(new Path(new Path(dir, BEST), best.get()), MODEL)) : null;
                return Optional.of(new Checkpoint(candidate, network, position, bestNetwork));
            } catch (IOException | RuntimeException e) {
                LOG.warn("Skipping damaged checkpoint {}: {}", candidate, e.getMessage());
            }
        }
        return Optional.empty();
    }

    private MultiLayerNetwork readModel(Path model) throws IOException {
        try (InputStream in = fs.open(model)) {
            return ModelSerializer.restoreMultiLayerNetwork(in, true);
        }
    }

    /** Complete checkpoint folders, newest first. */
    List<Path> complete() {
        List<Path> found = new ArrayList<>();
        try {
            for (FileStatus status : fs.listStatus(dir)) {
                if (status.isDirectory() && NAME.matcher(status.getPath().getName()).matches()) {
                    found.add(status.getPath());
                }
            }
        } catch (FileNotFoundException e) {
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
        }
        found.sort(Comparator.comparingLong(CheckpointManager::order).reversed());
        return found;
    }

    private static long order(Path path) {
        Matcher m = NAME.matcher(path.getName());
        return m.matches() ? Long.parseLong(m.group(1)) * 1_000_000L + Long.parseLong(m.group(2)) : -1;
    }

    private void prune() throws IOException {
        List<Path> all = complete();
        for (int i = keep; i < all.size(); i++) {
            fs.delete(all.get(i), true);
        }
        AtomicWrite.removeLeftovers(fs, dir);
        pruneBest(all.subList(0, Math.min(keep, all.size())));
    }

    /** Removes best models that no kept checkpoint names (superseded ones). */
    private void pruneBest(List<Path> kept) throws IOException {
        Path bestDir = new Path(dir, BEST);
        if (!fs.exists(bestDir)) {
            return;
        }
        Set<String> named = new HashSet<>();
        for (Path checkpoint : kept) {
            try (InputStream in = fs.open(new Path(checkpoint, POSITION))) {
                JSON.readValue(in, TrainingPosition.class).storedBestModel().ifPresent(named::add);
            } catch (IOException | RuntimeException e) {
                // an unreadable kept checkpoint: keep every best model, resume will sort it out
                return;
            }
        }
        AtomicWrite.removeLeftovers(fs, bestDir);
        for (FileStatus status : fs.listStatus(bestDir)) {
            String name = status.getPath().getName();
            if (!name.startsWith(AtomicWrite.TEMP_PREFIX) && !named.contains(name)) {
                fs.delete(status.getPath(), true);
            }
        }
    }
}

package org.sparkcnn.job;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.config.DataConfig;
import org.sparkcnn.config.DataFormat;
import org.sparkcnn.config.ImageGeometry;
import org.sparkcnn.data.ClassNames;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.DatasetSummary;
import org.sparkcnn.data.ExecutorShards;
import org.sparkcnn.data.IdxDatasetReader;
import org.sparkcnn.data.ImageDecoder;
import org.sparkcnn.data.ImageTable;
import org.sparkcnn.data.MnistDownloader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Makes the configured dataset ready on the driver before any training runs, so bad input fails in
 * seconds with a clear message instead of in an executor after minutes of training. IDX files: downloads
 * MNIST if asked and needed, then validates every file completely. Parquet datasets and image folders:
 * checks the schema, counts the rows per class on the executors (the driver never holds the images) and
 * reads the first image for the geometry; each row is decoded when the executors load their shards.
 */
public final class DataPreparer {
    private static final Logger LOG = LoggerFactory.getLogger(DataPreparer.class);

    private final DataConfig data;
    private final Configuration hadoopConf;
    private final long seed;

    /** @param seed orders a table's rows among the shards */
    public DataPreparer(DataConfig data, Configuration hadoopConf, long seed) {
        this.data = data;
        this.hadoopConf = hadoopConf;
        this.seed = seed;
    }

    /** The training set; the validation set is held out of its used examples, so it must leave some. */
    PreparedData train() {
        return leavingTrainingExamples(data.source().isTable()
                ? table(location(data.source().train(), "data.train"), "data.train", data.trainLimit(), Optional.empty())
                : idx(data.trainImages(), data.trainLabels(), data.trainLimit()));
    }

    /**
     * A training set given as a table (an Estimator's DataFrame), checked and prepared as the train
     * command's Parquet datasets are: classes from the labels, geometry from the settings or the first image.
     *
     * @param columns the table's columns and the params naming them
     */
    public PreparedData train(ImageTable table, ImageTable.Columns columns) {
        return leavingTrainingExamples(prepare(table, table.name(), "column " + columns.label(), "column '"
                + columns.image() + "' (" + columns.imageSetting() + ")", data.trainLimit(), Optional.empty()));
    }

    private PreparedData leavingTrainingExamples(PreparedData train) {
        if (data.validationSize() > 0 && data.validationSize() >= train.used()) {
            throw new BadInputException("data.validation-size: must be less than the " + train.used()
                    + " training examples used (" + train.name() + "), got " + data.validationSize());
        }
        return train;
    }

    /**
     * The test set.
     *
     * @param trained the classes and image shape the model was trained on (tables only: a test class
     *                the model does not know is bad input, and test images are decoded to its shape)
     */
    PreparedData test(Optional<Trained> trained) {
        return data.source().isTable()
                ? table(location(data.source().test(), "data.test"), "data.test", data.testLimit(), trained)
                : idx(data.testImages(), data.testLabels(), data.testLimit());
    }

    /**
     * What a model was trained on.
     *
     * @param shape empty: the test set's geometry settings or its first image (evaluate)
     */
    record Trained(ClassNames classes, Optional<DatasetShape> shape) {
    }

    private PreparedData idx(URI images, URI labels, int limit) {
        DatasetShape shape = new DatasetShape(data.imageRows(), data.imageCols(), data.numClasses());
        downloadIfMissing(images, labels);
        long start = System.nanoTime();
        DatasetSummary summary = new IdxDatasetReader(hadoopConf, shape).inspect(images, labels);
        int used = limit > 0 ? Math.min(limit, summary.count()) : summary.count();
        LOG.info("Validated {} ({} examples, {}x{}, using {}) in {} ms", summary.imagesUri(), summary.count(),
                summary.rows(), summary.cols(), used, (System.nanoTime() - start) / 1_000_000);
        return new PreparedData((sc, partitions, keep) -> ExecutorShards.load(sc, sc.hadoopConfiguration(), images,
                labels, shape, used, partitions, keep), images.toString(), shape, summary, used,
                ClassNames.numbered(shape.numClasses()));
    }

    private PreparedData table(URI uri, String setting, int limit, Optional<Trained> trained) {
        requireExists(uri, setting);
        SparkSession session = SparkSession.builder().getOrCreate();
        boolean parquet = data.source().format() == DataFormat.PARQUET;
        ImageTable table = parquet
                ? ImageTable.parquet(session, uri, data.source().imageCol(), data.source().labelCol(), setting)
                : ImageTable.folder(session, hadoopConf, uri, setting);
        return prepare(table, uri.toString(), parquet ? uri + " column " + data.source().labelCol()
                : uri + " sub-folder names", parquet ? "column '" + data.source().imageCol() + "' (data.image-col)"
                : "the file", limit, trained);
    }

    /**
     * @param location    the table's location, for the summary
     * @param labels      where its labels come from, for the summary
     * @param imageSource what holds each image, for messages
     */
    private PreparedData prepare(ImageTable table, String location, String labels, String imageSource, int limit,
                                 Optional<Trained> trained) {
        long start = System.nanoTime();
        Map<Object, Long> counts = table.classCounts();
        checkLabels(table, counts);
        ClassNames classes = trained.map(Trained::classes).orElseGet(() -> trainingClasses(table, counts));
        for (Map.Entry<Object, Long> count : counts.entrySet()) {
            String name = ClassNames.name(count.getKey());
            if (classes.indexOf(name).isEmpty()) {
                throw new BadInputException(table.name() + ": class '" + name + "' (" + count.getValue()
                        + " images) is not one of the " + classes.size() + " training classes " + classes);
            }
        }
        ImageDecoder.Geometry first = table.firstImageGeometry();
        DatasetShape shape = trained.flatMap(Trained::shape).orElseGet(() -> shape(first, classes.size()));
        ImageGeometry geometry = data.geometry();
        if (!geometry.resize() && (first.rows() != shape.rows() || first.cols() != shape.cols()
                || first.channels() != shape.channels())) {
            throw new BadInputException(table.name() + ": the first image is " + first + ": expected "
                    + new ImageDecoder.Geometry(shape.rows(), shape.cols(), shape.channels())
                    + (trained.isPresent() ? " (the training images')" : " (data.image-rows, -cols, -channels)")
                    + "; data.resize=true resizes and converts");
        }
        int[] classCounts = new int[classes.size()];
        counts.forEach((label, n) -> classCounts[classes.indexOf(ClassNames.name(label)).orElseThrow()] = (int) (long) n);
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        if (total > Integer.MAX_VALUE) {
            throw new BadInputException(table.name() + ": " + total + " images: at most " + Integer.MAX_VALUE
                    + " are supported; set " + (trained.isEmpty() ? "data.train-limit" : "data.test-limit"));
        }
        int used = limit > 0 ? (int) Math.min(limit, total) : (int) total;
        DatasetSummary summary = new DatasetSummary(location, labels, (int) total, shape.rows(), shape.cols(),
                "", "", classCounts);
        ImageDecoder decoder = new ImageDecoder(shape.rows(), shape.cols(), shape.channels(), geometry.resize(),
                imageSource);
        LOG.info("Checked {}: {} images of {} classes {}, first image {}, using {} as {}x{}x{} in {} ms", table.name(),
                total, classes.size(), classes, first, used, shape.channels(), shape.rows(), shape.cols(),
                (System.nanoTime() - start) / 1_000_000);
        return new PreparedData((sc, partitions, keep) -> table.shards(decoder, classes, shape, seed, partitions, used,
                keep), table.name(), shape, summary, used, classes);
    }

    /**
     * Null labels, fractional labels that are not whole numbers, and (image folders) an empty class folder,
     * are bad input.
     */
    private static void checkLabels(ImageTable table, Map<Object, Long> counts) {
        Long nulls = counts.get(null);
        if (nulls != null) {
            throw new BadInputException(table.name() + ": " + nulls + " rows have a null label (data.label-col): "
                    + "expected a class for every image");
        }
        counts.keySet().stream().filter(l -> (l instanceof Double || l instanceof Float)
                && ((Number) l).doubleValue() != Math.rint(((Number) l).doubleValue())).findFirst().ifPresent(l -> {
                    throw new BadInputException(table.name() + ": label " + l + " (" + counts.get(l)
                            + " rows) is not a whole number: expected a class index or a class name");
                });
        List<String> empty = counts.entrySet().stream().filter(e -> e.getValue() == 0)
                .map(e -> ClassNames.name(e.getKey())).sorted().toList();
        if (!empty.isEmpty()) {
            throw new BadInputException(table.name() + ": class folder '" + empty.get(0) + "' holds no images "
                    + "(PNG/JPEG/BMP/GIF): expected at least one per class");
        }
    }

    private static ClassNames trainingClasses(ImageTable table, Map<Object, Long> counts) {
        ClassNames classes = ClassNames.of(counts.keySet());
        if (classes.size() < 2) {
            throw new BadInputException(table.name() + ": only one class (" + classes.names().stream()
                    .map(n -> "'" + n + "'").collect(Collectors.joining()) + "): expected at least 2 to classify");
        }
        if (classes.size() > ClassNames.MAX_CLASSES) {
            throw new BadInputException(table.name() + ": " + classes.size() + " classes: at most "
                    + ClassNames.MAX_CLASSES + " are supported");
        }
        return classes;
    }

    /** The configured geometry, any part not set taken from the first training image. */
    private DatasetShape shape(ImageDecoder.Geometry first, int numClasses) {
        ImageGeometry set = data.geometry();
        return new DatasetShape(set.rows() > 0 ? set.rows() : first.rows(), set.cols() > 0 ? set.cols() : first.cols(),
                set.channels() > 0 ? set.channels() : first.channels(), numClasses);
    }

    private URI location(Optional<URI> uri, String setting) {
        String format = data.source().format().name().toLowerCase(java.util.Locale.ROOT);
        return uri.orElseThrow(() -> new BadInputException(setting + ": must name the " + (data.source().format()
                == DataFormat.PARQUET ? "Parquet dataset" : "image folder (one sub-folder per class)")
                + " for data.format=" + format));
    }

    private void requireExists(URI uri, String setting) {
        if (!exists(uri)) {
            throw new BadInputException(setting + " " + uri + ": not found");
        }
    }

    private void downloadIfMissing(URI images, URI labels) {
        if (!data.download() || (exists(images) && exists(labels))) {
            return;
        }
        List<String> mirrors = data.mirrors().stream().map(URI::toString).toList();
        LOG.info("Downloading MNIST into {}", data.dir());
        new MnistDownloader(hadoopConf, mirrors, data.downloadTimeout()).download(data.dir());
    }

    private boolean exists(URI uri) {
        try {
            Path path = new Path(uri);
            return path.getFileSystem(hadoopConf).exists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(uri + ": " + e.getMessage(), e);
        }
    }
}

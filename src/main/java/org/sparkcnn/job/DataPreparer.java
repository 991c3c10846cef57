package org.sparkcnn.job;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.config.DataConfig;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.DatasetSummary;
import org.sparkcnn.data.IdxDatasetReader;
import org.sparkcnn.data.MnistDownloader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;

/**
 * Makes the configured dataset ready on the driver before any Spark job runs: downloads MNIST if asked
 * and needed, then validates every file completely, so bad input fails in seconds with a clear message
 * instead of in an executor after minutes of training.
 */
final class DataPreparer {
    private static final Logger LOG = LoggerFactory.getLogger(DataPreparer.class);

    private final DataConfig data;
    private final Configuration hadoopConf;
    private final DatasetShape shape;

    DataPreparer(DataConfig data, Configuration hadoopConf) {
        this.data = data;
        this.hadoopConf = hadoopConf;
        this.shape = new DatasetShape(data.imageRows(), data.imageCols(), data.numClasses());
    }

    /** The training file; the validation set is held out of its used examples, so it must leave some. */
    PreparedData train() {
        PreparedData train = prepare(data.trainImages(), data.trainLabels(), data.trainLimit());
        if (data.validationSize() > 0 && data.validationSize() >= train.used()) {
            throw new BadInputException("data.validation-size: must be less than the " + train.used()
                    + " training examples used (" + data.trainImages() + "), got " + data.validationSize());
        }
        return train;
    }

    PreparedData test() {
        return prepare(data.testImages(), data.testLabels(), data.testLimit());
    }

    private PreparedData prepare(URI images, URI labels, int limit) {
        downloadIfMissing(images, labels);
        long start = System.nanoTime();
        DatasetSummary summary = new IdxDatasetReader(hadoopConf, shape).inspect(images, labels);
        int used = limit > 0 ? Math.min(limit, summary.count()) : summary.count();
        LOG.info("Validated {} ({} examples, {}x{}, using {}) in {} ms", summary.imagesUri(), summary.count(),
                summary.rows(), summary.cols(), used, (System.nanoTime() - start) / 1_000_000);
        return new PreparedData(images, labels, shape, summary, used);
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

package org.sparkcnn.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Where the IDX files are and what they must look like.
 *
 * @param trainImages   resolved URI of the training images
 * @param trainLabels   resolved URI of the training labels
 * @param testImages    resolved URI of the test images
 * @param testLabels    resolved URI of the test labels
 * @param dir           the data folder (download target)
 * @param source        the data's format and, for parquet/images, its location and columns
 * @param geometry      the image size; IDX files must have it, tables may leave it to the first image
 * @param numClasses    idx: labels must be in [0, numClasses); tables take their classes from the labels
 * @param download      fetch MNIST into {@code dir} when files are missing
 * @param mirrors       base URLs to download from, tried in order
 * @param downloadTimeout per-request timeout of a download
 * @param trainLimit    use only the first N training examples (0 = all)
 * @param testLimit     use only the first N test examples (0 = all)
 * @param validationSize training examples (after trainLimit) held out as the validation set, chosen from
 *                       the seed; 0 = no validation set (the training curves then use the test set)
 */
public record DataConfig(URI trainImages, URI trainLabels, URI testImages, URI testLabels, URI dir,
                         DataSource source, ImageGeometry geometry, int numClasses, boolean download, List<URI> mirrors,
                         Duration downloadTimeout, int trainLimit, int testLimit,
                         int validationSize) {
    public DataConfig {
        mirrors = List.copyOf(mirrors);
    }

    /** Rows every image has (0 = from the first image of a table). */
    public int imageRows() {
        return geometry.rows();
    }

    /** Columns every image has (0 = from the first image of a table). */
    public int imageCols() {
        return geometry.cols();
    }
}
